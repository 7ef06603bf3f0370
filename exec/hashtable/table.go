package hashtable

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ErrKeysTooLarge is wrapped by the error Keys returns when the string or
// binary keys of the requested groups do not fit the 32-bit offsets of their
// Arrow type; ask for fewer groups at a time.
var ErrKeysTooLarge = errors.New("keys exceed the offset range of their type")

// MaxGroups is the most groups a Table holds (Lookup returns int32 ids).
// Memory reservations stop a table long before it gets there: the slots alone
// would take 64 GiB.
const MaxGroups = math.MaxInt32

// slotBytes is the size of one slot.
const slotBytes = 16

// slot is one entry of the open-addressing array. With a single fixed-width
// key column k holds the key bits themselves, so a probe never leaves the
// slot array; otherwise k holds the row hash and the keys live in the
// column stores, compared only when the hashes match.
type slot struct {
	k  uint64
	id uint32 // group id + 1; 0 marks an empty slot
	_  uint32
}

// Table maps multi-column keys to dense group ids 0..Len()-1, assigned in
// first-seen order. It is the core of hash aggregation, DISTINCT and the
// build and probe sides of hash joins.
//
// Keys compare by value: a null equals a null (one group for each null
// pattern; callers that must not match nulls, such as join probes, drop
// those rows with NonNullRows first), all float NaNs are one key, -0 and +0
// are one key, and everything else compares exactly.
//
// A Table is not safe for concurrent use. Once nothing inserts any more,
// several goroutines may look keys up at once through their own Probers.
// Arrays passed in are only read during the call; the table keeps no
// reference to them.
type Table struct {
	types  []arrow.DataType
	kinds  []kind
	stores []store
	fast   bool // single fixed-width key column: key bits in the slots

	slots     []slot
	mask      uint64 // len(slots) - 1
	used      int    // occupied slots
	growAt    int    // grow before used exceeds this (see maxUsed)
	groups    int
	nullGroup int32 // fast path: group of the null key, -1 until one arrives

	sc scratch // buffers reused by Insert and Lookup

	// collide, when nonzero, masks general-path row hashes so that tests can
	// force hash collisions. It is zero outside tests.
	collide uint64
}

// Slot array sizing. Linear probing at load 0.4 sends a quarter of the
// probes past their first slot, and each such probe is a branch
// mispredicted; measured on 100 groups, 256 slots (load 0.39) run at 140
// Mrows/s and 1024 slots (0.1) at 320. So small arrays, up to smallSlots
// (2 MiB, where the extra memory is cheap and stays in cache), are kept at
// most 1/8 full; beyond that every probe misses cache anyway, memory
// matters, and the load goes up to 1/2.
const (
	minSlots   = 64      // 1 KiB
	smallSlots = 1 << 17 // 2 MiB
)

// maxUsed returns how many slots of an n-slot array may be occupied.
func maxUsed(n int) int {
	if n <= smallSlots {
		return n / 8
	}
	return n / 2
}

// slotsFor returns the smallest slot count that holds groups groups.
func slotsFor(groups int) int {
	n := minSlots
	for maxUsed(n) < groups {
		n *= 2
	}
	return n
}

// maxHint caps the size hint so that a wild estimate cannot allocate more
// than 512 MiB of slots up front.
const maxHint = 1 << 24

// New returns an empty table for keys with the given column types, sized so
// that sizeHint groups fit without growing. Supported types are int8-64,
// uint8-64, float32/64, bool, string, large_string, binary, large_binary,
// date32/64, time32/64, timestamp and duration; any other type returns an
// error wrapping ErrUnsupportedType.
func New(types []arrow.DataType, sizeHint int) (*Table, error) {
	if len(types) == 0 {
		return nil, fmt.Errorf("hashtable: no key columns: %w", ErrUnsupportedType)
	}
	kinds, err := kindsOf(types)
	if err != nil {
		return nil, fmt.Errorf("hashtable: %w", err)
	}
	sizeHint = min(max(sizeHint, 0), maxHint)
	t := &Table{
		types:     append([]arrow.DataType(nil), types...),
		kinds:     kinds,
		fast:      len(kinds) == 1 && kinds[0].FitsUint64(),
		nullGroup: -1,
	}
	for _, k := range kinds {
		t.stores = append(t.stores, newStore(k, sizeHint))
	}
	t.allocSlots(slotsFor(sizeHint))
	return t, nil
}

// Len returns the number of groups.
func (t *Table) Len() int { return t.groups }

// Types returns the key column types the table was created with.
func (t *Table) Types() []arrow.DataType { return t.types }

// Bytes returns the memory the table holds: slots, stored keys and scratch
// buffers. It is cheap enough to call after every batch, to resize a memory
// reservation.
func (t *Table) Bytes() int64 {
	n := int64(len(t.slots))*slotBytes + t.sc.bytes()
	for _, s := range t.stores {
		n += s.bytes()
	}
	return n
}

// Reset removes every group but keeps the memory, for reuse (for example by
// a partial aggregation that flushes its groups).
func (t *Table) Reset() {
	clear(t.slots)
	t.used, t.groups, t.nullGroup = 0, 0, -1
	for _, s := range t.stores {
		s.truncate(0)
	}
}

// Insert finds or creates the group of every live row of cols (sel == nil
// means rows 0..n-1 are live, otherwise the rows in sel are) and writes the
// group ids into out, one per live row in order, growing out if needed. New
// keys get the next ids in the order their rows appear. cols must match the
// table's key types; a mismatch is a programming error and panics.
func (t *Table) Insert(cols []arrow.Array, sel []int32, n int, out []uint32) []uint32 {
	t.checkColumns(cols, sel, n)
	out = resize(out, liveRows(sel, n))
	if len(out) == 0 {
		return out
	}
	if t.fast {
		t.insertFast(cols[0], sel, out)
	} else {
		t.insertGeneral(cols, sel, out)
	}
	return out
}

// Lookup finds the group of every live row of cols without inserting: it
// writes one id per live row into out (grown if needed), or -1 when the key
// is absent. It uses scratch buffers of the table; concurrent lookups need
// one Prober each.
func (t *Table) Lookup(cols []arrow.Array, sel []int32, n int, out []int32) []int32 {
	return t.lookup(&t.sc, cols, sel, n, out)
}

// Prober looks keys up in a Table with scratch buffers of its own, so that
// several goroutines can probe one table at once (one Prober each), for
// example the shared build side of a broadcast join. No goroutine may
// Insert into or Reset the table while Probers are in use.
type Prober struct {
	t  *Table
	sc scratch
}

// NewProber returns a Prober for t.
func (t *Table) NewProber() *Prober { return &Prober{t: t} }

// Lookup is Table.Lookup with the Prober's scratch buffers.
func (p *Prober) Lookup(cols []arrow.Array, sel []int32, n int, out []int32) []int32 {
	return p.t.lookup(&p.sc, cols, sel, n, out)
}

func (t *Table) lookup(sc *scratch, cols []arrow.Array, sel []int32, n int, out []int32) []int32 {
	t.checkColumns(cols, sel, n)
	out = resize(out, liveRows(sel, n))
	if len(out) == 0 {
		return out
	}
	if t.fast {
		t.lookupFast(sc, cols[0], sel, out)
	} else {
		t.lookupGeneral(sc, cols, sel, out)
	}
	return out
}

// Keys returns the keys of groups from..to-1 as Arrow arrays, one per key
// column in group-id order, allocated from mem; the caller releases them.
// Asking for a range that is not within 0..Len() panics. String and binary
// keys whose bytes exceed 2 GiB in one range return an error wrapping
// ErrKeysTooLarge.
func (t *Table) Keys(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	if from < 0 || to < from || to > t.groups {
		panic(fmt.Sprintf("internal error: hashtable: keys %d..%d of %d groups", from, to, t.groups))
	}
	out := make([]arrow.Array, 0, len(t.stores))
	for c, s := range t.stores {
		arr, err := s.build(mem, t.types[c], from, to)
		if err != nil {
			for _, a := range out {
				a.Release()
			}
			return nil, fmt.Errorf("hashtable: keys of column %d: %w", c, err)
		}
		out = append(out, arr)
	}
	return out, nil
}

// checkColumns panics when cols do not fit the table's key types or n.
func (t *Table) checkColumns(cols []arrow.Array, sel []int32, n int) {
	if len(cols) != len(t.kinds) {
		panic(fmt.Sprintf("internal error: hashtable: %d key columns, table has %d", len(cols), len(t.kinds)))
	}
	for c, arr := range cols {
		if k, err := kindOf(arr.DataType()); err != nil || k != t.kinds[c] {
			panic(fmt.Sprintf("internal error: hashtable: key column %d has type %s, table has %s",
				c, arr.DataType(), t.types[c]))
		}
		if arr.Len() < n {
			panic(fmt.Sprintf("internal error: hashtable: key column %d has %d rows, want %d", c, arr.Len(), n))
		}
	}
}

// allocSlots replaces the slot array with an empty one of n slots (a power
// of two).
func (t *Table) allocSlots(n int) {
	t.slots = make([]slot, n)
	t.mask = uint64(n - 1)
	t.growAt = maxUsed(n)
	t.used = 0
}

// slotHash returns the hash that places slot s.
func (t *Table) slotHash(k uint64) uint64 {
	if t.fast {
		return fastHash(k)
	}
	return k
}

// grow doubles the slot array and re-places every occupied slot.
func (t *Table) grow() {
	old := t.slots
	t.allocSlots(2 * len(old))
	for _, s := range old {
		if s.id != 0 {
			t.place(s)
		}
	}
}

// place puts s into the first free slot of its probe sequence.
func (t *Table) place(s slot) {
	pos := t.slotHash(s.k) & t.mask
	for t.slots[pos].id != 0 {
		pos = (pos + 1) & t.mask
	}
	t.slots[pos] = s
	t.used++
}

// needsGrow reports whether claiming one more slot would exceed the load
// factor; callers then grow and probe again.
func (t *Table) needsGrow() bool { return t.used >= t.growAt }

// claim makes the empty slot s the slot of a new group with slot key k and
// returns the group id. It panics beyond MaxGroups.
func (t *Table) claim(s *slot, k uint64) uint32 {
	g := t.nextGroup()
	s.k, s.id = k, g+1
	t.used++
	return g
}

// nextGroup allocates the next group id. It panics beyond MaxGroups.
func (t *Table) nextGroup() uint32 {
	if t.groups >= MaxGroups {
		panic(fmt.Sprintf("internal error: hashtable: more than %d groups", MaxGroups))
	}
	g := uint32(t.groups)
	t.groups++
	return g
}

// rowAt returns the physical row of live row i.
func rowAt(sel []int32, i int) int32 {
	if sel != nil {
		return sel[i]
	}
	return int32(i)
}
