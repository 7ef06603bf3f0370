package hashtable

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

// differential runs random batches through a Table and checks every group
// id, Lookup result, key and hash against the Go-map reference.
type differential struct {
	types    []arrow.DataType
	domain   int
	nullFrac float64
	collide  uint64 // forces hash collisions on the general path
	batches  int
	rows     int // maximum rows per batch; 500 when zero
}

// run returns the number of groups it ended with.
func (d differential) run(t *testing.T, seed uint64) int {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(seed, 7))
	g := gen{rng: rng, domain: d.domain, nullFrac: d.nullFrac}

	tab, err := New(d.types, []int{0, 10, d.domain}[rng.IntN(3)])
	require.NoError(t, err)
	tab.collide = d.collide
	ref := newReference()
	hashes := map[string]uint64{}
	var out []uint32
	var hout []uint64
	maxRows := d.rows
	if maxRows == 0 {
		maxRows = 500
	}
	for range d.batches {
		n := rng.IntN(maxRows)
		cols := g.columns(mem, d.types, n)
		sel := randomSel(rng, n)
		out = tab.Insert(cols, sel, n, out)
		hout, err = HashRows(cols, sel, n, hout)
		require.NoError(t, err)
		rows := liveRowList(sel, n)
		require.Len(t, out, len(rows))
		require.Len(t, hout, len(rows))
		for i, r := range rows {
			k := rowKey(cols, r)
			if want := ref.insert(k); int(out[i]) != want {
				t.Fatalf("row %d key %s: group %d, want %d", r, k, out[i], want)
			}
			if h, ok := hashes[k]; ok && h != hout[i] {
				t.Fatalf("key %s: hash %x, earlier %x", k, hout[i], h)
			}
			hashes[k] = hout[i]
		}
		require.Equal(t, len(ref.keys), tab.Len())
		releaseAll(cols)
	}
	checkDistinctHashes(t, hashes)
	d.checkLookup(t, mem, tab, ref, rng)
	checkKeys(t, mem, tab, ref, rng)
	return tab.Len()
}

// columns returns one random array of n rows per type.
func (g gen) columns(mem memory.Allocator, types []arrow.DataType, n int) []arrow.Array {
	cols := make([]arrow.Array, len(types))
	for c, dt := range types {
		cols[c] = g.column(mem, dt, n)
	}
	return cols
}

// checkDistinctHashes requires different keys to have different hashes
// (with 64-bit hashes a collision among a few thousand keys means a bug).
func checkDistinctHashes(t *testing.T, hashes map[string]uint64) {
	seen := map[uint64]string{}
	for k, h := range hashes {
		if other, ok := seen[h]; ok {
			t.Fatalf("keys %s and %s share hash %x", k, other, h)
		}
		seen[h] = k
	}
}

// checkLookup looks up keys from a wider domain, so that some are absent,
// through both Table.Lookup and a Prober.
func (d differential) checkLookup(t *testing.T, mem memory.Allocator, tab *Table, ref *reference, rng *rand.Rand) {
	g := gen{rng: rng, domain: 2 * d.domain, nullFrac: d.nullFrac}
	groups := tab.Len()
	p := tab.NewProber()
	var out, pout []int32
	for range 3 {
		n := rng.IntN(500)
		cols := g.columns(mem, d.types, n)
		sel := randomSel(rng, n)
		out = tab.Lookup(cols, sel, n, out)
		pout = p.Lookup(cols, sel, n, pout)
		for i, r := range liveRowList(sel, n) {
			k := rowKey(cols, r)
			if want := ref.lookup(k); int(out[i]) != want || int(pout[i]) != want {
				t.Fatalf("lookup %s: %d (prober %d), want %d", k, out[i], pout[i], want)
			}
		}
		releaseAll(cols)
	}
	require.Equal(t, groups, tab.Len(), "lookup must not insert")
}

// checkKeys rebuilds the keys, whole and in random ranges, and compares
// them with the reference in group-id order.
func checkKeys(t *testing.T, mem memory.Allocator, tab *Table, ref *reference, rng *rand.Rand) {
	for from := 0; from <= tab.Len(); {
		to := min(tab.Len(), from+rng.IntN(tab.Len()+1))
		keys, err := tab.Keys(mem, from, to)
		require.NoError(t, err)
		require.Len(t, keys, len(tab.Types()))
		for c, arr := range keys {
			require.True(t, arrow.TypeEqual(tab.Types()[c], arr.DataType()), "column %d type %s", c, arr.DataType())
			require.Equal(t, to-from, arr.Len())
		}
		for g := from; g < to; g++ {
			require.Equal(t, ref.keys[g], rowKey(keys, g-from), "group %d", g)
		}
		releaseAll(keys)
		if to == tab.Len() {
			break
		}
		from = to
	}
}

func TestInsertSingleColumn(t *testing.T) {
	for ti, dt := range allTypes {
		for _, domain := range []int{5, 300, 3000} {
			t.Run(fmt.Sprintf("%s/domain=%d", dt, domain), func(t *testing.T) {
				nullFrac := map[int]float64{5: 0.05, 300: 0, 3000: 0.01}[domain]
				d := differential{types: []arrow.DataType{dt}, domain: domain, nullFrac: nullFrac, batches: 10}
				d.run(t, uint64(ti*1000+domain))
			})
		}
	}
}

// multiColumn lists key combinations for the general path.
var multiColumn = [][]arrow.DataType{
	{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32},
	{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64},
	{arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String},
	{arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Boolean},
	{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Uint64},
	{arrow.BinaryTypes.LargeString, arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Microsecond}},
	{arrow.BinaryTypes.Binary, arrow.BinaryTypes.String},
}

func TestInsertMultiColumn(t *testing.T) {
	for ci, types := range multiColumn {
		for _, domain := range []int{4, 40, 2000} {
			t.Run(fmt.Sprintf("%v/domain=%d", types, domain), func(t *testing.T) {
				d := differential{types: types, domain: domain, nullFrac: 0.1, batches: 10}
				d.run(t, uint64(ci*1000+domain))
			})
		}
	}
}

// TestInsertRandomColumns draws random key combinations of 1-4 columns.
func TestInsertRandomColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for i := range 30 {
		types := make([]arrow.DataType, 1+rng.IntN(4))
		for c := range types {
			types[c] = allTypes[rng.IntN(len(allTypes))]
		}
		domain := []int{3, 30, 1000}[rng.IntN(3)]
		t.Run(fmt.Sprintf("%d/%v/domain=%d", i, types, domain), func(t *testing.T) {
			d := differential{types: types, domain: domain, nullFrac: rng.Float64() * 0.3, batches: 6}
			d.run(t, uint64(i))
		})
	}
}

// TestHashCollisions masks the row hashes down to a few bits so that most
// hash matches are collisions, which exercises verification, rollback and
// the row-by-row repair path; ids must still follow first-seen order.
func TestHashCollisions(t *testing.T) {
	cases := append([][]arrow.DataType{{arrow.BinaryTypes.String}, {arrow.BinaryTypes.LargeBinary}}, multiColumn...)
	for ci, types := range cases {
		for _, mask := range []uint64{0, 3, 0xff} {
			t.Run(fmt.Sprintf("%v/mask=%#x", types, mask), func(t *testing.T) {
				d := differential{types: types, domain: 60, nullFrac: 0.1, collide: mask | 1<<63, batches: 8}
				d.run(t, uint64(ci*10)+mask)
			})
		}
	}
}

// TestInsertLarge grows tables past smallSlots, where the load factor
// changes, with ids checked across every resize.
func TestInsertLarge(t *testing.T) {
	for i, types := range [][]arrow.DataType{{arrow.PrimitiveTypes.Int64}, {arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int16}} {
		t.Run(fmt.Sprint(types), func(t *testing.T) {
			d := differential{types: types, domain: 200_000, nullFrac: 0.001, batches: 24, rows: 8192}
			require.Greater(t, d.run(t, uint64(100+i)), 2*maxUsed(smallSlots))
		})
	}
}

func TestInsertEmptyBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, types := range [][]arrow.DataType{{arrow.PrimitiveTypes.Int64}, {arrow.BinaryTypes.String}} {
		tab, err := New(types, 0)
		require.NoError(t, err)
		g := gen{rng: rand.New(rand.NewPCG(1, 1)), domain: 10}
		cols := g.columns(mem, types, 5)
		out := tab.Insert(cols, []int32{}, 5, nil)
		require.Empty(t, out)
		require.Equal(t, 0, tab.Len())
		require.Empty(t, tab.Lookup(cols, nil, 0, nil))
		releaseAll(cols)
	}
}
