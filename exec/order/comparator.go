package order

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// Comparator orders rows by a list of keys exactly as NewSort does, across
// several records at once: it holds a fixed number of slots, each pointing
// at the columns of one record, and compares a row of one slot with a row
// of another. A k-way merge uses one slot per input; a merge join one per
// side.
//
// Reset reads a slot's key columns once: it normalizes the first key of
// every row into the (rank, prefix) pair the sort uses and keeps the value
// slices of the keys that may still decide. Compare then costs an integer
// comparison or two when the first keys differ, and typed comparisons (no
// Arrow interface call) only on ties.
//
// Equality follows the order: two NULLs are equal, all NaNs are equal, -0
// equals +0, strings and binary compare bytewise. That is the key equality
// of exec/hashtable, so joins that use a Comparator match exactly the rows
// a hash join matches (given the NULL handling of the join itself; see
// HasNull).
//
// A Comparator is used by one goroutine at a time. It holds references to
// no Arrow memory: the caller keeps the arrays passed to Reset alive while
// comparing their rows.
type Comparator struct {
	nkeys int
	exact bool          // one key and its prefix decides: ties are equal rows
	pre   prefixer      // of the first key
	first int           // column of the first key
	cols  []int         // column of every key
	ents  [][]entry     // by slot: the first key's (rank, prefix) per physical row
	all   []colComparer // by key, for HasNull
	tie   []colComparer // keys deciding after an equal (rank, prefix)
}

// NewComparator returns a Comparator of rows whose columns have the types
// of schema's fields, ordered by keys (which name columns of schema), with
// the given number of slots. Invalid keys return the errors NewSort returns
// (wrapping ErrInvalidKey or ErrUnsupportedType). No keys make every pair
// of rows equal.
func NewComparator(schema *arrow.Schema, keys []Key, slots int) (*Comparator, error) {
	if slots < 1 {
		return nil, fmt.Errorf("comparator: internal error: %d slots", slots)
	}
	kinds, err := resolveKeys(schema, keys)
	if err != nil {
		return nil, err
	}
	c := &Comparator{nkeys: len(keys), ents: make([][]entry, slots)}
	for _, k := range keys {
		c.cols = append(c.cols, k.Col)
	}
	if len(keys) == 0 {
		return c, nil
	}
	c.pre = newPrefixer(keys[0], kinds[0])
	c.first = keys[0].Col
	c.exact = len(keys) == 1 && exact(kinds[0])
	for i, k := range keys {
		c.all = append(c.all, newComparer(k, kinds[i], slots))
	}
	c.tie = c.all
	if exact(kinds[0]) {
		c.tie = c.all[1:]
	}
	return c, nil
}

// Reset points slot at cols, the columns of one record (indexed like the
// schema's fields; only the key columns are read). Rows of the slot are
// then addressed by physical row index, selection vectors aside.
func (c *Comparator) Reset(slot int, cols []arrow.Array) {
	if c.nkeys == 0 {
		return
	}
	arr := cols[c.first]
	c.ents[slot] = resize(c.ents[slot], arr.Len())
	c.pre.fill(arr, nil, c.ents[slot])
	for i, cc := range c.all {
		cc.set(slot, cols[c.cols[i]])
	}
}

// Compare orders physical row a of slot sa against row b of slot sb: it
// returns a negative number when a sorts first, a positive one when b
// does, and 0 when their keys are equal.
func (c *Comparator) Compare(sa int, a int32, sb int, b int32) int {
	if c.nkeys == 0 {
		return 0
	}
	ea, eb := &c.ents[sa][a], &c.ents[sb][b]
	switch {
	case ea.rank != eb.rank:
		return int(ea.rank) - int(eb.rank)
	case ea.pre < eb.pre:
		return -1
	case ea.pre > eb.pre:
		return 1
	case c.exact:
		return 0
	}
	return compareAll(c.tie, sa, a, sb, b)
}

// HasNull reports whether any key column of row r of slot s is NULL. Rows
// with equal keys have NULLs in the same key columns, so a join tests one
// row of a run of equal keys to know whether the run can match.
func (c *Comparator) HasNull(s int, r int32) bool {
	for _, cc := range c.all {
		if cc.null(s, r) {
			return true
		}
	}
	return false
}
