package hashtable

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestFloatKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	negZero := math.Copysign(0, -1)
	vals := []float64{negZero, 0, math.NaN(), math.Float64frombits(0xfff8000000000abc), 1, 0, math.Inf(-1)}
	valid := []bool{true, true, true, true, true, false, true}
	want := []uint32{0, 0, 1, 1, 2, 3, 4}

	b64 := array.NewFloat64Builder(mem)
	defer b64.Release()
	b64.AppendValues(vals, valid)
	b32 := array.NewFloat32Builder(mem)
	defer b32.Release()
	for i, v := range vals {
		b32.Append(float32(v))
		if !valid[i] {
			b32.UnsafeAppendBoolToBitmap(false)
		}
	}
	f64 := b64.NewArray()
	defer f64.Release()

	for _, withString := range []bool{false, true} {
		types := []arrow.DataType{arrow.PrimitiveTypes.Float64}
		cols := []arrow.Array{f64}
		if withString { // the general path compares floats in the store
			sb := array.NewStringBuilder(mem)
			for range vals {
				sb.Append("s")
			}
			s := sb.NewArray()
			sb.Release()
			defer s.Release()
			types, cols = append(types, arrow.BinaryTypes.String), append(cols, s)
		}
		tab, err := New(types, 0)
		require.NoError(t, err)
		require.Equal(t, want, tab.Insert(cols, nil, len(vals), nil))
		require.Equal(t, []int32{0, 0, 1, 1, 2, 3, 4}, tab.Lookup(cols, nil, len(vals), nil))
		keys, err := tab.Keys(mem, 0, tab.Len())
		require.NoError(t, err)
		k := keys[0].(*array.Float64)
		require.True(t, math.Signbit(k.Value(0)), "first-seen -0 is kept")
		require.True(t, math.IsNaN(k.Value(1)))
		require.True(t, k.IsNull(3))
		hs, err := HashRows(cols, nil, len(vals), nil)
		require.NoError(t, err)
		require.Equal(t, hs[0], hs[1])
		require.Equal(t, hs[2], hs[3])
		require.NotEqual(t, hs[0], hs[4])
		releaseAll(keys)
	}
}

func TestFloat32Keys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewFloat32Builder(mem)
	defer b.Release()
	nan2 := math.Float32frombits(0x7fc00abc)
	b.AppendValues([]float32{float32(math.Copysign(0, -1)), 0, float32(math.NaN()), nan2, 2}, nil)
	arr := b.NewArray()
	defer arr.Release()
	tab, err := New([]arrow.DataType{arrow.PrimitiveTypes.Float32}, 0)
	require.NoError(t, err)
	require.Equal(t, []uint32{0, 0, 1, 1, 2}, tab.Insert([]arrow.Array{arr}, nil, 5, nil))
}

// TestNullKeys checks that nulls are key values: equal to each other,
// different from every value, and positional in multi-column keys.
func TestNullKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ab := array.NewInt64Builder(mem)
	defer ab.Release()
	ab.AppendValues([]int64{0, 0, 1, 0, 0, 0}, []bool{false, false, true, true, false, true})
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues([]string{"", "", "", "", "", ""}, []bool{true, true, false, true, false, false})
	a, s := ab.NewArray(), sb.NewArray()
	defer a.Release()
	defer s.Release()

	one, err := New([]arrow.DataType{arrow.PrimitiveTypes.Int64}, 0)
	require.NoError(t, err)
	require.Equal(t, []uint32{0, 0, 1, 2, 0, 2}, one.Insert([]arrow.Array{a}, nil, 6, nil))

	two, err := New([]arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String}, 0)
	require.NoError(t, err)
	// (∅,""), (∅,""), (1,∅), (0,""), (∅,∅), (0,∅)
	require.Equal(t, []uint32{0, 0, 1, 2, 3, 4}, two.Insert([]arrow.Array{a, s}, nil, 6, nil))
	keys, err := two.Keys(mem, 0, two.Len())
	require.NoError(t, err)
	defer releaseAll(keys)
	require.Equal(t, 2, keys[0].NullN())
	require.Equal(t, 3, keys[1].NullN())
	require.Equal(t, "(null) 1 0 (null) 0", arrayText(keys[0]))
}

// arrayText renders an array's values separated by spaces.
func arrayText(arr arrow.Array) string {
	s := ""
	for i := range arr.Len() {
		if i > 0 {
			s += " "
		}
		s += arr.ValueStr(i)
	}
	return s
}

func TestUnsupportedType(t *testing.T) {
	bad := []arrow.DataType{
		arrow.ListOf(arrow.PrimitiveTypes.Int64),
		arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64}),
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String},
		&arrow.Decimal128Type{Precision: 10, Scale: 2},
		arrow.Null,
	}
	for _, dt := range bad {
		_, err := New([]arrow.DataType{arrow.PrimitiveTypes.Int64, dt}, 0)
		require.ErrorIs(t, err, ErrUnsupportedType, "%s", dt)
		require.Contains(t, err.Error(), dt.String())
	}
	_, err := New(nil, 0)
	require.ErrorIs(t, err, ErrUnsupportedType)

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nulls := array.NewNull(3)
	defer nulls.Release()
	_, err = HashRows([]arrow.Array{nulls}, nil, 3, nil)
	require.ErrorIs(t, err, ErrUnsupportedType)
}

func TestMismatchedColumnsPanic(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tab, err := New([]arrow.DataType{arrow.PrimitiveTypes.Int64}, 0)
	require.NoError(t, err)
	g := gen{rng: rand.New(rand.NewPCG(1, 2)), domain: 5}
	s := g.column(mem, arrow.BinaryTypes.String, 4)
	defer s.Release()
	i := g.column(mem, arrow.PrimitiveTypes.Int64, 4)
	defer i.Release()
	require.Panics(t, func() { tab.Insert([]arrow.Array{s}, nil, 4, nil) })
	require.Panics(t, func() { tab.Insert([]arrow.Array{i, i}, nil, 4, nil) })
	require.Panics(t, func() { tab.Lookup([]arrow.Array{i}, nil, 5, nil) })
	require.Panics(t, func() { _, _ = tab.Keys(mem, 0, 1) })
}

func TestNonNullRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ab := array.NewInt32Builder(mem)
	defer ab.Release()
	ab.AppendValues([]int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []bool{true, false, true, true, true, true, true, true, false, true})
	bb := array.NewStringBuilder(mem)
	defer bb.Release()
	bb.AppendValues(make([]string, 10), []bool{true, true, true, false, true, true, true, true, true, true})
	a, b := ab.NewArray(), bb.NewArray()
	defer a.Release()
	defer b.Release()
	// Offset slice: rows 1..9 of a.
	as := array.NewSlice(a, 1, 10)
	defer as.Release()
	bs := array.NewSlice(b, 1, 10)
	defer bs.Release()
	clean := array.NewSlice(a, 2, 8)
	defer clean.Release()

	require.Nil(t, NonNullRows([]arrow.Array{clean}, nil, 6, nil))
	require.Equal(t, []int32{1, 4}, NonNullRows([]arrow.Array{clean}, []int32{1, 4}, 6, nil))
	require.Equal(t, []int32{0, 2, 3, 4, 5, 6, 7, 9}, NonNullRows([]arrow.Array{a, a}, nil, 10, nil))
	require.Equal(t, []int32{0, 2, 4, 5, 6, 7, 9}, NonNullRows([]arrow.Array{a, b}, nil, 10, nil))
	// Sliced: as row i = a row i+1 (nulls at a rows 1 and 8, b row 3).
	require.Equal(t, []int32{1, 3, 4, 5, 6, 8}, NonNullRows([]arrow.Array{as, bs}, nil, 9, make([]int32, 2)))
	require.Equal(t, []int32{3, 8}, NonNullRows([]arrow.Array{as, bs}, []int32{0, 2, 3, 7, 8}, 9, nil))
	empty := NonNullRows([]arrow.Array{a}, []int32{1, 8}, 10, nil)
	require.NotNil(t, empty)
	require.Empty(t, empty)
}

// TestHashRowsLayout checks that HashRows depends only on key values: the
// same keys give the same hashes whatever the offsets, selection or batch.
func TestHashRowsLayout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	types := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean}
	g := gen{rng: rand.New(rand.NewPCG(3, 3)), domain: 50, nullFrac: 0.1}
	cols := g.columns(mem, types, 700)
	defer releaseAll(cols)
	all, err := HashRows(cols, nil, 700, nil)
	require.NoError(t, err)
	// The same rows through slices and selections.
	for _, lohi := range [][2]int{{0, 700}, {1, 300}, {299, 700}, {5, 6}} {
		lo, hi := lohi[0], lohi[1]
		part := make([]arrow.Array, len(cols))
		for c, col := range cols {
			part[c] = array.NewSlice(col, int64(lo), int64(hi))
		}
		got, err := HashRows(part, nil, hi-lo, nil)
		require.NoError(t, err)
		require.Equal(t, all[lo:hi], got)
		sel := []int32{0, int32(hi - lo - 1)}
		got, err = HashRows(part, sel, hi-lo, got)
		require.NoError(t, err)
		require.Equal(t, []uint64{all[lo], all[hi-1]}, got)
		releaseAll(part)
	}
	// Integer widths and string/binary hash a value alike.
	i8 := array.NewInt8Builder(mem)
	defer i8.Release()
	i8.AppendValues([]int8{-3, 5}, nil)
	i64 := array.NewInt64Builder(mem)
	defer i64.Release()
	i64.AppendValues([]int64{-3, 5}, nil)
	a8, a64 := i8.NewArray(), i64.NewArray()
	defer a8.Release()
	defer a64.Release()
	h8, err := HashRows([]arrow.Array{a8}, nil, 2, nil)
	require.NoError(t, err)
	h64, err := HashRows([]arrow.Array{a64}, nil, 2, nil)
	require.NoError(t, err)
	require.Equal(t, h64, h8)
}

// TestHashRowsStable pins hash values: partitioning must agree across
// processes and releases, so a change here is a format change.
func TestHashRowsStable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	ib.AppendValues([]int64{1, 2, 0, 0}, []bool{true, true, true, false})
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues([]string{"a", "grain", "", ""}, []bool{true, true, true, false})
	i, s := ib.NewArray(), sb.NewArray()
	defer i.Release()
	defer s.Release()
	h, err := HashRows([]arrow.Array{i, s}, nil, 4, nil)
	require.NoError(t, err)
	require.Equal(t, []uint64{0x4bec4e4a3f7d369e, 0x794b0b48f8d52b71, 0x6aafeef7e48e7192, 0xb689d6dce987ab2e}, h)
}

func TestResetAndBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, types := range [][]arrow.DataType{{arrow.PrimitiveTypes.Int64}, {arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32}} {
		tab, err := New(types, 0)
		require.NoError(t, err)
		empty := tab.Bytes()
		require.GreaterOrEqual(t, empty, int64(minSlots*slotBytes))
		g := gen{rng: rand.New(rand.NewPCG(5, 5)), domain: 100000, nullFrac: 0.01}
		cols := g.columns(mem, types, 4000)
		ids := append([]uint32(nil), tab.Insert(cols, nil, 4000, nil)...)
		require.Greater(t, tab.Len(), 3000)
		require.GreaterOrEqual(t, tab.Bytes(), int64(2*tab.Len()*slotBytes), "slots at load <= 1/2")
		full := tab.Bytes()
		tab.Reset()
		require.Equal(t, 0, tab.Len())
		require.Equal(t, full, tab.Bytes(), "Reset keeps memory for reuse")
		require.Equal(t, []int32{-1, -1}, tab.Lookup(cols, []int32{0, 1}, 4000, nil))
		require.Equal(t, ids, tab.Insert(cols, nil, 4000, nil), "same ids after Reset")
		releaseAll(cols)
	}
}

// TestSteadyStateAllocations requires Insert and Lookup to allocate nothing
// once their buffers have grown.
func TestSteadyStateAllocations(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, types := range [][]arrow.DataType{{arrow.PrimitiveTypes.Int64}, {arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32}} {
		g := gen{rng: rand.New(rand.NewPCG(6, 6)), domain: 300, nullFrac: 0.01}
		cols := g.columns(mem, types, 4096)
		tab, err := New(types, 1000)
		require.NoError(t, err)
		out := tab.Insert(cols, nil, 4096, nil)
		lout := tab.Lookup(cols, nil, 4096, nil)
		require.Zero(t, testing.AllocsPerRun(20, func() { out = tab.Insert(cols, nil, 4096, out) }), "%v insert", types)
		require.Zero(t, testing.AllocsPerRun(20, func() { lout = tab.Lookup(cols, nil, 4096, lout) }), "%v lookup", types)
		releaseAll(cols)
	}
}

// TestConcurrentProbers probes one table from several goroutines (run with
// -race to check that lookups share no mutable state).
func TestConcurrentProbers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, types := range [][]arrow.DataType{{arrow.PrimitiveTypes.Int64}, {arrow.BinaryTypes.String}} {
		g := gen{rng: rand.New(rand.NewPCG(8, 8)), domain: 500, nullFrac: 0.05}
		build := g.columns(mem, types, 1000)
		probe := g.columns(mem, types, 1000)
		tab, err := New(types, 0)
		require.NoError(t, err)
		tab.Insert(build, nil, 1000, nil)
		want := append([]int32(nil), tab.Lookup(probe, nil, 1000, nil)...)
		var wg sync.WaitGroup
		results := make([][]int32, 4)
		for w := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := tab.NewProber()
				for range 20 {
					results[w] = p.Lookup(probe, nil, 1000, results[w])
				}
			}()
		}
		wg.Wait()
		for _, r := range results {
			require.Equal(t, want, r)
		}
		releaseAll(build)
		releaseAll(probe)
	}
}

func TestKeysTooLarge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Offsets claiming 2 GiB of key bytes (the bytes themselves are never read).
	s := &bytesStore[int32]{offs: []int64{0, 1 << 30, 1<<31 + 1}}
	_, err := s.build(mem, arrow.BinaryTypes.String, 0, 2)
	require.True(t, errors.Is(err, ErrKeysTooLarge), "%v", err)
}
