package reference

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/memtable"
	"github.com/grainql/grain/plan"
)

var (
	nan    = math.NaN()
	negZ   = math.Copysign(0, -1)
	col    = expr.Col
	qcol   = expr.QualifiedCol
	lit    = expr.Lit
	factSc = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "grp", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "metric", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	}, nil)
	factRows = []Row{
		{int64(1), int32(1), 1.5, "a", uint32(10)},
		{int64(2), int32(1), 2.5, "b", uint32(20)},
		{int64(3), int32(2), nan, "a", nil},
		{int64(4), nil, negZ, nil, uint32(5)},
		{int64(5), nil, 0.0, "c", uint32(7)},
		{int64(6), int32(3), nil, "b", nil},
	}
	dimSc = arrow.NewSchema([]arrow.Field{
		{Name: "grp", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "label", Type: arrow.BinaryTypes.String},
		{Name: "weight", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	dimRows = []Row{
		{int64(1), "one", 10.0},
		{int64(1), "uno", 100.0},
		{int64(2), "two", 20.0},
		{nil, "null", 0.0},
		{int64(4), "four", 40.0},
	}
)

// fixture holds the test tables over a checked allocator.
type fixture struct {
	t    *testing.T
	mem  *memory.CheckedAllocator
	fact *memtable.Table
	dim  *memtable.Table
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	// fact arrives in two records, so the scan reads several.
	f.fact = f.table("fact", factSc, factRows[:4], factRows[4:])
	f.dim = f.table("dim", dimSc, dimRows)
	t.Cleanup(func() {
		f.fact.Release()
		f.dim.Release()
		f.mem.AssertSize(t, 0)
	})
	return f
}

// table builds a memtable with one record per batch of rows.
func (f *fixture) table(name string, s *arrow.Schema, batches ...[]Row) *memtable.Table {
	var recs []arrow.Record
	for _, rows := range batches {
		rec, err := RecordFromRows(f.mem, s, rows)
		require.NoError(f.t, err)
		defer rec.Release()
		recs = append(recs, rec)
	}
	tb, err := memtable.New(name, s, recs)
	require.NoError(f.t, err)
	return tb
}

func (f *fixture) scan(tb *memtable.Table, alias string) plan.Node {
	s, err := plan.NewScan(tb, alias)
	require.NoError(f.t, err)
	return s
}

// ok unwraps a constructor result.
func (f *fixture) ok(n plan.Node, err error) plan.Node {
	f.t.Helper()
	require.NoError(f.t, err)
	return n
}

// eval runs EvalPlan and checks the schema and that the rows fit it (every
// value has its column's Go type).
func (f *fixture) eval(n plan.Node) []Row {
	f.t.Helper()
	s, rows, err := EvalPlan(context.Background(), n)
	require.NoError(f.t, err)
	require.True(f.t, s.Equal(n.Schema()))
	rec, err := RecordFromRows(f.mem, s, rows)
	require.NoError(f.t, err, "result rows do not fit the plan schema")
	rec.Release()
	return rows
}

// requireRows compares rows in order.
func requireRows(t *testing.T, want, got []Row) {
	t.Helper()
	require.Equal(t, len(want), len(got), "got %v", got)
	for i := range want {
		require.True(t, RowsEqual(want[i], got[i]), "row %d: got %v, want %v", i, got[i], want[i])
	}
}

// ids extracts the first column of int64 rows.
func ids(rows []Row) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r[0].(int64)
	}
	return out
}

func TestEvalScanPushdown(t *testing.T) {
	f := newFixture(t)
	all := f.eval(f.scan(f.fact, "f"))
	requireRows(t, factRows, all)

	s, err := f.scan(f.fact, "f").(*plan.Scan).WithPushdown([]int{3, 0},
		[]expr.Expr{qcol("f", "metric").Gt(lit(1.0)), col("id").NotEq(lit(2))})
	require.NoError(t, err)
	requireRows(t, []Row{{"a", int64(1)}, {"a", int64(3)}}, f.eval(s))

	none, err := f.scan(f.fact, "").(*plan.Scan).WithPushdown([]int{}, []expr.Expr{col("u").IsNull()})
	require.NoError(t, err)
	requireRows(t, []Row{{}, {}}, f.eval(none))
}

func TestEvalProjectFilter(t *testing.T) {
	f := newFixture(t)
	// NaN > 1 is true (NaN is the greatest value); NULL is dropped.
	flt := f.ok(plan.NewFilter(f.scan(f.fact, ""), col("metric").Gt(lit(1))))
	require.Equal(t, []int64{1, 2, 3}, ids(f.eval(flt)))

	p := f.ok(plan.NewProject(flt, []expr.Expr{col("id"), col("id").Mul(lit(int32(10))).As("x"),
		expr.Coalesce(col("name"), lit("?")), col("u").Add(lit(1))}))
	requireRows(t, []Row{
		{int64(1), int64(10), "a", int64(11)},
		{int64(2), int64(20), "b", int64(21)},
		{int64(3), int64(30), "a", nil},
	}, f.eval(p))

	bad := f.ok(plan.NewProject(f.scan(f.fact, ""), []expr.Expr{col("id").Div(col("id").Sub(lit(4)))}))
	_, _, err := EvalPlan(context.Background(), bad)
	require.ErrorIs(t, err, expr.ErrDivideByZero)
}

func TestEvalAggregateGroups(t *testing.T) {
	f := newFixture(t)
	a := f.ok(plan.NewAggregate(f.scan(f.fact, ""), []expr.Expr{col("grp")}, []expr.Expr{
		expr.CountStar(), expr.Count(col("metric")), expr.Sum(col("id")), expr.Sum(col("u")),
		expr.Sum(col("metric")), expr.Avg(col("id")), expr.Min(col("name")), expr.Max(col("metric")),
		expr.CountDistinct(col("name")),
	}))
	// Groups in order of first appearance; the two NULL keys form one group.
	requireRows(t, []Row{
		{int32(1), int64(2), int64(2), int64(3), uint64(30), 4.0, 1.5, "a", 2.5, int64(2)},
		{int32(2), int64(1), int64(1), int64(3), nil, nan, 3.0, "a", nan, int64(1)},
		{nil, int64(2), int64(2), int64(9), uint64(12), 0.0, 4.5, "c", negZ, int64(1)},
		{int32(3), int64(1), int64(0), int64(6), nil, nil, 6.0, "b", nil, int64(1)},
	}, f.eval(a))
}

func TestEvalAggregateFloatKeys(t *testing.T) {
	f := newFixture(t)
	s := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	tb := f.table("floats", s, []Row{{nan}, {1.0}, {negZ}, {nan}, {0.0}, {nil}, {nil}, {1.0}, {math.Inf(1)}})
	defer tb.Release()
	in := f.scan(tb, "")

	// NaN is one group, -0 and +0 one group, NULL one group.
	a := f.ok(plan.NewAggregate(in, []expr.Expr{col("k")}, []expr.Expr{expr.CountStar()}))
	requireRows(t, []Row{{nan, int64(2)}, {1.0, int64(2)}, {negZ, int64(2)}, {nil, int64(2)},
		{math.Inf(1), int64(1)}}, f.eval(a))

	d := f.ok(plan.NewDistinct(in))
	requireRows(t, []Row{{nan}, {1.0}, {negZ}, {nil}, {math.Inf(1)}}, f.eval(d))

	g := f.ok(plan.NewAggregate(in, nil, []expr.Expr{expr.CountDistinct(col("k")),
		&expr.Agg{Func: expr.AggSum, Arg: col("k").Expr, Distinct: true}, expr.Min(col("k")), expr.Max(col("k"))}))
	requireRows(t, []Row{{int64(4), nan, negZ, nan}}, f.eval(g))
}

func TestEvalAggregateEmptyInput(t *testing.T) {
	f := newFixture(t)
	empty := f.ok(plan.NewFilter(f.scan(f.fact, ""), lit(false)))
	aggs := []expr.Expr{expr.CountStar(), expr.Count(col("id")), expr.Sum(col("id")), expr.Avg(col("metric")),
		expr.Min(col("name")), expr.CountDistinct(col("grp"))}

	global := f.ok(plan.NewAggregate(empty, nil, aggs))
	requireRows(t, []Row{{int64(0), int64(0), nil, nil, nil, int64(0)}}, f.eval(global))

	grouped := f.ok(plan.NewAggregate(empty, []expr.Expr{col("grp")}, aggs))
	require.Empty(t, f.eval(grouped))

	// All-NULL input: the same as no input, for every aggregate but COUNT(*).
	nulls := f.ok(plan.NewFilter(f.scan(f.fact, ""), col("u").IsNull()))
	g2 := f.ok(plan.NewAggregate(nulls, nil, []expr.Expr{expr.CountStar(), expr.Sum(col("u")), expr.Max(col("u"))}))
	requireRows(t, []Row{{int64(2), nil, nil}}, f.eval(g2))
}

func TestEvalSumOverflow(t *testing.T) {
	f := newFixture(t)
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "g", Type: arrow.PrimitiveTypes.Int8},
	}, nil)
	tb := f.table("big", s, []Row{
		{int64(math.MaxInt64), uint64(math.MaxUint64), int8(1)},
		{int64(1), uint64(1), int8(2)},
		{int64(-1), uint64(0), int8(1)},
	})
	defer tb.Release()
	in := f.scan(tb, "")
	run := func(group []expr.Expr, aggs ...expr.Expr) ([]Row, error) {
		_, rows, err := EvalPlan(context.Background(), f.ok(plan.NewAggregate(in, group, aggs)))
		return rows, err
	}
	// The exact total fits even though a running sum overflowed on the way.
	rows, err := run(nil, expr.Sum(col("i")), expr.Avg(col("i")))
	require.NoError(t, err)
	requireRows(t, []Row{{int64(math.MaxInt64), float64(math.MaxInt64) / 3}}, rows)

	_, err = run(nil, expr.Sum(col("u")))
	require.ErrorIs(t, err, expr.ErrOverflow)

	_, err = run([]expr.Expr{col("g")}, expr.Sum(col("i")))
	require.NoError(t, err, "per group: MaxInt64-1 and 1")
	_, err = run(nil, expr.Sum(col("i").Add(col("i"))))
	require.ErrorIs(t, err, expr.ErrOverflow, "the argument itself overflows")

	sumInt8 := f.ok(plan.NewAggregate(in, nil, []expr.Expr{expr.Sum(col("g")), expr.Max(col("g"))}))
	requireRows(t, []Row{{int64(4), int8(2)}}, f.eval(sumInt8))
}

func TestEvalSort(t *testing.T) {
	f := newFixture(t)
	in := f.scan(f.fact, "")
	sorted := func(keys ...plan.SortKey) []int64 {
		return ids(f.eval(f.ok(plan.NewSort(in, keys))))
	}
	// NULLS LAST on grp; within grp 1 metric descending; the NULL grp rows
	// have equal metrics (-0 = +0) and keep their input order.
	require.Equal(t, []int64{2, 1, 3, 6, 4, 5}, sorted(
		plan.SortKey{Expr: col("grp")}, plan.SortKey{Expr: col("metric"), Desc: true, NullsFirst: true}))
	// NaN is the greatest value; NULLs last by default when descending.
	require.Equal(t, []int64{3, 2, 1, 4, 5, 6}, sorted(plan.Desc(col("metric"))))
	require.Equal(t, []int64{6, 3, 2, 1, 4, 5}, sorted(plan.SortKey{Expr: col("metric"), Desc: true, NullsFirst: true}))
	require.Equal(t, []int64{4, 1, 3, 2, 6, 5}, sorted(plan.Asc(col("name"))))
	require.Equal(t, []int64{1, 3, 2, 6, 5, 4}, sorted(plan.SortKey{Expr: col("name")}))
	require.Equal(t, []int64{6, 5, 4, 3, 2, 1}, sorted(plan.Desc(col("id").Neg().Neg())))
}

func TestEvalLimit(t *testing.T) {
	f := newFixture(t)
	in := f.scan(f.fact, "")
	lim := func(off, n int64) []int64 { return ids(f.eval(f.ok(plan.NewLimit(in, off, n)))) }
	require.Equal(t, []int64{3, 4, 5}, lim(2, 3))
	require.Equal(t, []int64{1, 2}, lim(0, 2))
	require.Equal(t, []int64{5, 6}, lim(4, plan.NoLimit))
	require.Equal(t, []int64{6}, lim(5, 10))
	require.Empty(t, lim(6, 1))
	require.Empty(t, lim(0, 0))
}

func TestEvalDistinctAndUnion(t *testing.T) {
	f := newFixture(t)
	names := f.ok(plan.NewProject(f.scan(f.fact, ""), []expr.Expr{col("name"), col("grp")}))
	d := f.ok(plan.NewDistinct(f.ok(plan.NewProject(f.scan(f.fact, ""), []expr.Expr{col("name")}))))
	requireRows(t, []Row{{"a"}, {"b"}, {nil}, {"c"}}, f.eval(d))

	// grp is int32 in fact and int64 in dim: the union casts fact's values.
	labels := f.ok(plan.NewProject(f.scan(f.dim, ""), []expr.Expr{col("label"), col("grp")}))
	u := f.ok(plan.NewUnion(names, labels))
	require.Equal(t, arrow.PrimitiveTypes.Int64, u.Schema().Field(1).Type)
	got := f.eval(u)
	require.Len(t, got, 11)
	requireRows(t, []Row{{"a", int64(1)}, {"b", int64(1)}}, got[:2])
	requireRows(t, []Row{{"null", nil}, {"four", int64(4)}}, got[9:])

	du := f.ok(plan.NewDistinct(f.ok(plan.NewUnion(names, names))))
	require.Len(t, f.eval(du), 6)
}

func TestEvalCancelled(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := EvalPlan(ctx, f.scan(f.fact, ""))
	require.ErrorIs(t, err, context.Canceled)
}
