package optimize

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/io/memtable"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// estTables: e has 100 rows: k = i % 10, n NULL for 20 rows else one of 40
// values, s unique, b alternating; dim has 50 rows, 5 per k.
type estTables struct {
	e, dim *memtable.Table
}

func newEstTables(t *testing.T, mem memory.Allocator) *estTables {
	es := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	rows := make([]reference.Row, 100)
	for i := range rows {
		var n any
		if i >= 20 {
			n = int32(i % 40)
		}
		rows[i] = reference.Row{int64(i % 10), n, fmt.Sprintf("s%d", i), i%2 == 0}
	}
	ds := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "w", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	drows := make([]reference.Row, 50)
	for i := range drows {
		drows[i] = reference.Row{int64(i % 10), float64(i)}
	}
	return &estTables{e: tableOf(t, mem, "e", es, rows), dim: tableOf(t, mem, "dim", ds, drows)}
}

// mystery is a source that knows nothing about its data.
type mystery struct{}

func (mystery) Name() string { return "mystery" }
func (mystery) Schema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
}
func (mystery) Stats() source.Stats { return source.UnknownStats() }
func (mystery) Splits(context.Context, source.ScanRequest) ([]source.Split, error) {
	return nil, nil
}

func TestEstimates(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := newEstTables(t, mem)
	defer ts.e.Release()
	defer ts.dim.Release()
	e := func() pb { return scan(ts.e, "") }
	rows := func(b pb) float64 {
		require.NoError(t, b.err)
		return Estimate(b.n).Of(b.n).Rows
	}
	k, n := C("k"), C("n")

	// Scans: exact statistics.
	est := Estimate(e().n)
	s := e().n
	se := est.Of(s)
	require.Equal(t, 100.0, se.Rows)
	require.Equal(t, 10.0, se.Columns[0].Distinct)
	require.InDelta(t, 0.2, se.Columns[1].NullFrac, 1e-12)
	require.Equal(t, 40.0, se.Columns[1].Distinct)
	require.True(t, se.isUnique([]int{2}), "s is a key")
	require.False(t, se.isUnique([]int{0, 1}))
	require.Same(t, se, est.Of(s), "memoised")

	// Filters.
	require.InDelta(t, 10, rows(e().filter(k.Eq(L(3)))), 1e-9)                  // 1/NDV
	require.InDelta(t, 90, rows(e().filter(k.NotEq(L(3)))), 1e-9)               //
	require.InDelta(t, 100.0/3, rows(e().filter(k.Lt(L(3)))), 1e-9)             // range
	require.InDelta(t, 20, rows(e().filter(n.IsNull())), 1e-9)                  // null count
	require.InDelta(t, 2, rows(e().filter(n.Eq(L(5)))), 1e-9)                   // non-NULL / NDV
	require.InDelta(t, 2, rows(e().filter(k.Eq(L(3)).And(n.IsNull()))), 1e-9)   // product
	require.InDelta(t, 19, rows(e().filter(k.Eq(L(3)).Or(k.Eq(L(4))))), 1e-9)   // inclusion-exclusion
	require.InDelta(t, 30, rows(e().filter(k.In(L(1), L(2), L(3)))), 1e-9)      // IN
	require.InDelta(t, 0, rows(e().filter(k.Eq(L(nil)))), 1e-9)                 // = NULL
	require.InDelta(t, 25, rows(e().filter(expr.Like(C("s"), L("s1%")))), 1e-9) // default
	f := e().filter(k.Eq(L(3)))
	require.Equal(t, 1.0, Estimate(f.n).Of(f.n).Columns[0].Distinct, "k = 3 leaves one value")

	// Aggregates: min(rows, product of groups).
	require.Equal(t, 10.0, rows(e().agg(es(k), expr.CountStar())))
	require.Equal(t, 20.0, rows(e().agg(es(k, C("b")), expr.CountStar())))
	require.Equal(t, 100.0, rows(e().agg(es(k, n), expr.CountStar()))) // 10·41 capped
	require.Equal(t, 100.0, rows(e().agg(es(C("s")), expr.CountStar())))
	require.Equal(t, 1.0, rows(e().agg(nil, expr.CountStar())))
	a := e().agg(es(k), expr.Sum(n))
	require.True(t, Estimate(a.n).Of(a.n).isUnique([]int{0}), "grouping keys are unique after grouping")

	// Joins: |L|·|R| / max(NDV).
	j := e().join(scan(ts.dim, ""), plan.JoinInner, nil, key(k, k))
	require.Equal(t, 500.0, rows(j))
	require.InDelta(t, 5, Estimate(j.n).FanOut(j.n.(*plan.Join)), 1e-9)
	require.Contains(t, FormatWithEstimates(j.n), "Join: inner on [k = k]  (rows≈500, fan-out ×5)\n")
	require.Equal(t, 100.0, rows(e().join(scan(ts.dim, "").filter(k.Eq(L(99))), plan.JoinLeft, nil, key(k, k))))
	require.Equal(t, 5000.0, rows(e().join(scan(ts.dim, ""), plan.JoinCross, nil)))
	require.Equal(t, 100.0, rows(e().join(scan(ts.dim, ""), plan.JoinSemi, nil, key(k, k))))

	// The rest.
	require.Equal(t, 5.0, rows(e().limit(0, 5)))
	require.Equal(t, 95.0, rows(e().limit(5, plan.NoLimit)))
	require.Equal(t, 200.0, rows(union(e(), e())))
	require.Equal(t, 10.0, rows(e().project(k).distinct()))
	require.Equal(t, 100.0, rows(e().sort(plan.Asc(k))))

	// Unknown statistics fall back to the defaults.
	m, err := plan.NewScan(mystery{}, "")
	require.NoError(t, err)
	me := Estimate(m).Of(m)
	require.Equal(t, float64(DefaultRows), me.Rows)
	require.Equal(t, DefaultRows*DefaultDistinctFraction, me.Columns[0].Distinct)
}

func TestFormatNumbers(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 0.2: "<1", 1: "1", 999.6: "1,000", 1234567: "1,234,567", 2e6: "2,000,000"} {
		require.Equal(t, want, FormatCount(in), "%v", in)
	}
	for in, want := range map[float64]string{1: "1", 2.5: "2.5", 6.66: "6.7", 20: "20", 1500: "1,500"} {
		require.Equal(t, want, FormatRatio(in), "%v", in)
	}
}
