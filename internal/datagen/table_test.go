package datagen

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

// generate returns the table's columns flattened into Go slices.
func generate(t *testing.T, mem memory.Allocator, tbl Table) (cols [][]any) {
	t.Helper()
	recs, err := tbl.Generate(mem)
	require.NoError(t, err)
	cols = make([][]any, len(tbl.Columns))
	for _, r := range recs {
		require.LessOrEqual(t, r.NumRows(), int64(recordRows))
		require.True(t, r.Schema().Equal(tbl.Schema()))
		for c := range cols {
			switch a := r.Column(c).(type) {
			case *array.Int64:
				for _, v := range a.Int64Values() {
					cols[c] = append(cols[c], v)
				}
			case *array.Float64:
				for _, v := range a.Float64Values() {
					cols[c] = append(cols[c], v)
				}
			case *array.String:
				for i := 0; i < a.Len(); i++ {
					cols[c] = append(cols[c], a.Value(i))
				}
			default:
				t.Fatalf("unexpected column type %s", a.DataType())
			}
		}
		r.Release()
	}
	return cols
}

func TestTableGenerators(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const rows = recordRows + 7 // two records, the second partial
	tbl := Table{Rows: rows, Seed: 7, Columns: []Column{
		{"k", Balanced(10)},
		{"u", Uniform(-5, 5)},
		{"f", SmallFloats(100)},
		{"s", BalancedStrings(3)},
	}}
	require.Equal(t, "rows=65543 seed=7 [k:balanced(10) u:uniform(-5,5) f:small_floats(100) s:balanced_strings(3)]", tbl.String())
	cols := generate(t, mem, tbl)
	for _, c := range cols {
		require.Len(t, c, rows)
	}

	counts := map[any]int{}
	for _, v := range cols[0] {
		counts[v]++
	}
	require.Len(t, counts, 10)
	for k, n := range counts {
		require.InDelta(t, rows/10, n, 1, "balanced key %v", k)
	}
	sorted := true
	for i := 1; i < rows && sorted; i++ {
		sorted = cols[0][i].(int64) >= cols[0][i-1].(int64)
	}
	require.False(t, sorted, "balanced values come in random order")

	for i, v := range cols[1] {
		if u := v.(int64); u < -5 || u >= 5 {
			t.Fatalf("uniform value %d at row %d is outside [-5, 5)", u, i)
		}
	}
	for i, v := range cols[2] {
		if f := v.(float64); f != float64(int(f)) || f < 0 || f >= 100 {
			t.Fatalf("small float %v at row %d is not an integer in [0, 100)", f, i)
		}
	}
	strs := map[any]int{}
	for _, v := range cols[3] {
		strs[v]++
	}
	require.Len(t, strs, 3)
	require.Contains(t, strs, "key0000002")

	require.Equal(t, cols, generate(t, mem, tbl), "same table, same data")
	tbl.Columns = tbl.Columns[:2]
	require.Equal(t, cols[:2], generate(t, mem, tbl), "a column's values do not depend on the columns after it")
	tbl.Seed = 8
	require.NotEqual(t, cols[:2], generate(t, mem, tbl), "another seed, other data")
}

func TestTablePermutationAndEmpty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	perm := generate(t, mem, Table{Rows: 1000, Columns: []Column{{"k", Balanced(1000)}}})[0]
	seen := make([]bool, 1000)
	for _, v := range perm {
		if seen[v.(int64)] {
			t.Fatalf("value %d appears twice in a permutation", v)
		}
		seen[v.(int64)] = true
	}

	recs, err := Table{Columns: []Column{{"k", Balanced(4)}}}.Generate(mem)
	require.NoError(t, err)
	require.Len(t, recs, 1, "an empty table is one record with zero rows")
	require.Zero(t, recs[0].NumRows())
	require.True(t, arrow.TypeEqual(arrow.PrimitiveTypes.Int64, recs[0].Column(0).DataType()))
	recs[0].Release()

	_, err = Table{Rows: 3}.Generate(mem)
	require.ErrorContains(t, err, "needs columns")
	_, err = Table{Rows: -1, Columns: []Column{{"k", Balanced(4)}}}.Generate(mem)
	require.ErrorContains(t, err, "non-negative")
	_, err = Table{Rows: 1, Columns: []Column{{Name: "k"}}}.Generate(mem)
	require.ErrorContains(t, err, `column "k" has no generator`)
}
