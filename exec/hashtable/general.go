package hashtable

import (
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
)

// The general path serves every other key: several columns, or a string or
// binary column. Slots hold the 64-bit row hash; the keys live column-wise
// in the stores. A batch runs in four passes:
//
//	1. hash every live row (rowHashes, column by column);
//	2. probe by hash alone: an empty slot starts a new group, an equal hash
//	   makes the group the row's candidate;
//	3. append the keys of the new groups to the stores, column by column;
//	4. verify every row against its group, column by column.
//
// Passes 3 and 4 are typed loops per column instead of per-row calls
// through the store interface. Pass 4 also checks the rows that created
// groups (they trivially match), which is cheaper than keeping a list of
// candidates in the probe loop. A failed verification means two different
// keys share a 64-bit hash, which practically never happens; then repair
// rolls the table back to the state before the first such row and redoes
// the rest of the batch row by row with full key comparisons, which keeps
// group ids in first-seen order.

// insertGeneral is Insert for the general path.
func (t *Table) insertGeneral(cols []arrow.Array, sel []int32, out []uint32) {
	sc := &t.sc
	live := len(out)
	h := sc.keyBuf(live)
	t.rowHashes(sc, cols, sel, h)
	start := t.groups
	rows, newAt := sc.rows[:0], sc.newAt[:0]
	slots, mask := t.slots, t.mask
	for i, hv := range h {
		pos := hv & mask
		for {
			s := &slots[pos]
			if s.k == hv && s.id != 0 {
				out[i] = s.id - 1
				break
			}
			if s.id == 0 {
				if t.needsGrow() {
					t.grow()
					slots, mask = t.slots, t.mask
					pos = hv & mask
					continue
				}
				out[i] = t.claim(s, hv)
				rows = append(rows, rowAt(sel, i))
				newAt = append(newAt, int32(i))
				break
			}
			pos = (pos + 1) & mask
		}
	}
	sc.rows, sc.newAt = rows, newAt
	if len(rows) > 0 {
		for c, st := range t.stores {
			st.appendRows(cols[c], rows)
		}
	}
	if i := t.verify(sc, cols, sel, out); i >= 0 {
		t.repair(cols, sel, out, h, i, start, newAt)
	}
}

// verify checks rows against their groups (row j is sel[j], or j when sel
// is nil, and its group gids[j]) and returns the first j that differs, or -1.
func (t *Table) verify(sc *scratch, cols []arrow.Array, sel []int32, gids []uint32) int {
	if len(gids) == 0 {
		return -1
	}
	ok := resize(sc.ok, len(gids))
	sc.ok = ok
	for j := range ok {
		ok[j] = true
	}
	for c, st := range t.stores {
		st.verify(cols[c], sel, gids, ok)
	}
	for j, good := range ok {
		if !good {
			return j
		}
	}
	return -1
}

// repair handles a hash collision found at live row i0: it drops the groups
// that rows from i0 on created (newAt lists, in order, the live row that
// created each group since start) and inserts rows i0.. one at a time.
func (t *Table) repair(cols []arrow.Array, sel []int32, out []uint32, h []uint64, i0, start int, newAt []int32) {
	keep := start + sort.Search(len(newAt), func(j int) bool { return int(newAt[j]) >= i0 })
	t.truncate(keep)
	for i := i0; i < len(out); i++ {
		out[i] = t.insertRow(cols, rowAt(sel, i), h[i])
	}
}

// truncate keeps the first n groups: it truncates the stores and rebuilds
// the slot array from the slots of the surviving groups. (Simply clearing
// the dropped slots could cut the probe sequence of a surviving key.)
func (t *Table) truncate(n int) {
	for _, st := range t.stores {
		st.truncate(n)
	}
	kept := make([]slot, 0, n)
	for _, s := range t.slots {
		if s.id != 0 && int(s.id-1) < n {
			kept = append(kept, s)
		}
	}
	clear(t.slots)
	t.used = 0
	for _, s := range kept {
		t.place(s)
	}
	t.groups = n
}

// insertRow finds or creates the group of row r (row hash hv) with full key
// comparisons.
func (t *Table) insertRow(cols []arrow.Array, r int32, hv uint64) uint32 {
	pos := hv & t.mask
	for {
		s := &t.slots[pos]
		if s.id == 0 {
			if t.needsGrow() {
				t.grow()
				pos = hv & t.mask
				continue
			}
			g := t.claim(s, hv)
			one := [1]int32{r}
			for c, st := range t.stores {
				st.appendRows(cols[c], one[:])
			}
			return g
		}
		if s.k == hv && t.equalRow(cols, r, s.id-1) {
			return s.id - 1
		}
		pos = (pos + 1) & t.mask
	}
}

// equalRow reports whether row r of cols equals the key of group g.
func (t *Table) equalRow(cols []arrow.Array, r int32, g uint32) bool {
	for c, st := range t.stores {
		if !st.equal(cols[c], int(r), g) {
			return false
		}
	}
	return true
}

// lookupGeneral is Lookup for the general path.
func (t *Table) lookupGeneral(sc *scratch, cols []arrow.Array, sel []int32, out []int32) {
	live := len(out)
	h := sc.keyBuf(live)
	t.rowHashes(sc, cols, sel, h)
	vrows, vidx, vg := sc.candBufs(live)
	m := 0
	slots, mask := t.slots, t.mask
	for i, hv := range h {
		pos := hv & mask
		for {
			s := &slots[pos]
			if s.k == hv && s.id != 0 {
				out[i] = int32(s.id - 1)
				vrows[m], vidx[m], vg[m] = rowAt(sel, i), int32(i), s.id-1
				m++
				break
			}
			if s.id == 0 {
				out[i] = -1
				break
			}
			pos = (pos + 1) & mask
		}
	}
	for {
		j := t.verify(sc, cols, vrows[:m], vg[:m])
		if j < 0 {
			return
		}
		// A hash collision: look the row up again with full comparisons and
		// verify the remaining candidates.
		i := int(vidx[j])
		out[i] = t.lookupRow(cols, vrows[j], h[i])
		vrows, vidx, vg, m = vrows[j+1:], vidx[j+1:], vg[j+1:], m-j-1
	}
}

// lookupRow finds the group of row r (row hash hv) with full key
// comparisons, or returns -1.
func (t *Table) lookupRow(cols []arrow.Array, r int32, hv uint64) int32 {
	for pos := hv & t.mask; ; pos = (pos + 1) & t.mask {
		s := &t.slots[pos]
		if s.id == 0 {
			return -1
		}
		if s.k == hv && t.equalRow(cols, r, s.id-1) {
			return int32(s.id - 1)
		}
	}
}

// rowHashes writes the row hash of every live row into h.
func (t *Table) rowHashes(sc *scratch, cols []arrow.Array, sel []int32, h []uint64) {
	rowHashes(t.kinds, cols, sel, h, sc.chunkBuf())
	if t.collide != 0 {
		for i := range h {
			h[i] &= t.collide
		}
	}
}

// scratch holds the per-batch buffers of Insert and Lookup, reused across
// batches so that steady-state batches allocate nothing.
type scratch struct {
	keys  []uint64 // key bits (fast path) or row hashes, one per live row
	chunk []uint64 // key bits of one hashing chunk
	rows  []int32  // rows that created groups
	newAt []int32  // live index that created each new group
	vrows []int32  // candidate rows to verify
	vidx  []int32  // their live indexes
	vg    []uint32 // their candidate groups
	ok    []bool   // verification results
}

func (sc *scratch) keyBuf(n int) []uint64 {
	sc.keys = resize(sc.keys, n)
	return sc.keys
}

func (sc *scratch) chunkBuf() []uint64 {
	if sc.chunk == nil {
		sc.chunk = make([]uint64, chunkRows)
	}
	return sc.chunk
}

func (sc *scratch) candBufs(n int) ([]int32, []int32, []uint32) {
	sc.vrows, sc.vidx, sc.vg = resize(sc.vrows, n), resize(sc.vidx, n), resize(sc.vg, n)
	return sc.vrows, sc.vidx, sc.vg
}

// bytes is the memory held by the buffers.
func (sc *scratch) bytes() int64 {
	return 8*int64(cap(sc.keys)+cap(sc.chunk)) +
		4*int64(cap(sc.rows)+cap(sc.newAt)+cap(sc.vrows)+cap(sc.vidx)+cap(sc.vg)) + int64(cap(sc.ok))
}
