package plan

import (
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
)

// must unwraps a pb in tests that expect success.
func must(t *testing.T, b pb) Node {
	t.Helper()
	require.NoError(t, b.err)
	return b.n
}

func TestConstructorErrors(t *testing.T) {
	cases := []struct {
		name string
		b    pb
		is   error  // sentinel the error must wrap
		msg  string // exact error text
	}{
		{"scan nil source", func() pb { s, err := NewScan(nil, "x"); return pb{s, err} }(),
			ErrInvalidPlan, "scan: invalid plan: source is nil"},
		{"scan duplicate column", scan(factTable, "").pushdown([]int{1, 1}),
			ErrInvalidPlan, `scan: invalid plan: column "grp" projected twice`},
		{"scan negative column", scan(factTable, "").pushdown([]int{-1}),
			ErrInvalidPlan, "scan: invalid plan: column index -1 out of range [0, 5)"},
		{"scan filter unknown column", scan(factTable, "f").pushdown(nil, col("nope").IsNull()),
			expr.ErrUnknownColumn, `scan: unknown column "nope"; available: entity, grp, metric, qty, day`},
		{"scan filter not boolean", scan(factTable, "").pushdown(nil, col("qty")),
			expr.ErrType, `scan: type mismatch in "qty": pushed filter must be boolean, got int32`},
		{"project aggregate", scan(factTable, "").project(expr.CountStar()),
			ErrInvalidPlan, "project: invalid plan: expression 1 count(*) contains an aggregate; aggregates belong in an Aggregate node"},
		{"project unknown", scan(factTable, "").project(col("entiti")),
			expr.ErrUnknownColumn, `project: unknown column "entiti"; did you mean "entity"?`},
		{"project nil expr", scan(factTable, "").project(nil),
			ErrInvalidPlan, "project: invalid plan: expression 1 is nil"},
		{"filter unknown", scan(factTable, "").filter(col("metrc").Gt(lit(3))),
			expr.ErrUnknownColumn, `filter: unknown column "metrc"; did you mean "metric"?`},
		{"filter string predicate", scan(factTable, "").filter(col("entity")),
			expr.ErrType, `filter: type mismatch in "entity": predicate must be boolean, got utf8`},
		{"filter aggregate", scan(factTable, "").filter(expr.Count(col("qty")).Gt(lit(1))),
			ErrInvalidPlan, "filter: invalid plan: predicate count(qty) > 1 contains an aggregate; aggregates belong in an Aggregate node"},
		{"filter bad literal", scan(factTable, "").filter(col("qty").Eq(lit(struct{}{}))),
			expr.ErrType, "filter: type mismatch: unsupported literal of Go type struct {}"},
		{"aggregate empty", scan(factTable, "").agg(nil),
			ErrInvalidPlan, "aggregate: invalid plan: needs at least one group-by or aggregate expression"},
		{"aggregate plain column", scan(factTable, "").agg(nil, col("qty")),
			ErrInvalidPlan, "aggregate: invalid plan: aggregate item 1 (qty) is not an aggregate function call such as sum(x), optionally aliased"},
		{"aggregate expression over agg", scan(factTable, "").agg(nil, expr.Sum(col("qty")).Add(lit(1))),
			ErrInvalidPlan, "aggregate: invalid plan: aggregate item 1 (sum(qty) + 1) is not an aggregate function call such as sum(x), optionally aliased"},
		{"aggregate group by aggregate", scan(factTable, "").agg(es(expr.Sum(col("qty"))), expr.CountStar()),
			ErrInvalidPlan, "aggregate: invalid plan: group-by item 1 sum(qty) contains an aggregate; aggregates belong in an Aggregate node"},
		{"aggregate nested", scan(factTable, "").agg(nil, expr.Max(expr.Min(col("qty")).Add(lit(1)))),
			ErrInvalidPlan, "aggregate: invalid plan: argument of max min(qty) + 1 contains an aggregate; aggregates belong in an Aggregate node"},
		{"aggregate sum(*)", scan(factTable, "").agg(nil, &expr.Agg{Func: expr.AggSum}),
			ErrInvalidPlan, "aggregate: invalid plan: aggregate item 1 (sum(*)) needs an argument"},
		{"aggregate avg string", scan(factTable, "").agg(nil, expr.Avg(col("entity"))),
			expr.ErrType, `aggregate: type mismatch in "avg(entity)": cannot average utf8`},
		{"aggregate unknown group", scan(factTable, "").agg(es(col("grup")), expr.CountStar()),
			expr.ErrUnknownColumn, `aggregate: unknown column "grup"; did you mean "grp"?`},
		{"join unknown type", scan(factTable, "f").join(scan(dimTable, "d"), JoinType(42), nil),
			ErrInvalidPlan, "join: invalid plan: unknown join type 42"},
		{"join cross keys", scan(factTable, "f").join(scan(dimTable, "d"), JoinCross, nil, key(col("grp"), col("grp"))),
			ErrInvalidPlan, "join: invalid plan: a cross join takes no keys, got 1"},
		{"join key types", scan(factTable, "f").join(scan(dimTable, "d"), JoinLeft, nil, key(col("day"), col("grp"))),
			expr.ErrType, `join: type mismatch in "day = grp": key day is date32 and key grp is int32, with no common type`},
		{"join right key on left column", scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(col("grp"), col("qty"))),
			expr.ErrUnknownColumn, `join: right key 1: unknown column "qty"; available: grp, dim_key, weight`},
		{"join key aggregate", scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(expr.Sum(col("grp")), col("grp"))),
			ErrInvalidPlan, "join: left key 1: invalid plan: key sum(grp) contains an aggregate; aggregates belong in an Aggregate node"},
		{"join residual ambiguous", scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, col("grp").Eq(lit(1))),
			expr.ErrAmbiguousColumn, `join: ambiguous column "grp": it exists in f and d; qualify it as "f.grp" or "d.grp"`},
		{"join residual not boolean", scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, col("weight")),
			expr.ErrType, `join: type mismatch in "weight": filter must be boolean, got float64`},
		{"ambiguous after join", joinOf(JoinFull).filter(col("grp").Gt(lit(1))),
			expr.ErrAmbiguousColumn, `filter: ambiguous column "grp": it exists in f and d; qualify it as "f.grp" or "d.grp"`},
		{"unknown qualified after join", joinOf(JoinInner).project(qcol("d", "entity")),
			expr.ErrUnknownColumn, `project: unknown column "d.entity"; did you mean "f.entity"?`},
		{"semi join hides right columns", joinOf(JoinSemi).project(col("weight")),
			expr.ErrUnknownColumn, `project: unknown column "weight"; available: entity, grp, metric, qty, day`},
		{"sort no keys", scan(factTable, "").sort(),
			ErrInvalidPlan, "sort: invalid plan: needs at least one key"},
		{"sort unknown", scan(factTable, "").sort(Desc(col("metrik"))),
			expr.ErrUnknownColumn, `sort: unknown column "metrik"; did you mean "metric"?`},
		{"sort aggregate", scan(factTable, "").sort(Asc(expr.Max(col("qty")))),
			ErrInvalidPlan, "sort: invalid plan: key 1 max(qty) contains an aggregate; aggregates belong in an Aggregate node"},
		{"limit negative offset", scan(factTable, "").limit(-3, NoLimit),
			ErrInvalidPlan, "limit: invalid plan: negative offset -3"},
		{"limit negative count", scan(factTable, "").limit(0, -2),
			ErrInvalidPlan, "limit: invalid plan: negative count -2"},
		{"union none", union(),
			ErrInvalidPlan, "union: invalid plan: needs at least one input"},
		{"union column count", union(scan(factTable, ""), scan(factTable, "").project(col("grp"))),
			ErrInvalidPlan, "union: invalid plan: input 2 has 1 columns, input 1 has 5"},
		{"union types", union(scan(factTable, "").project(col("day")), scan(factTable, "").project(col("qty"))),
			expr.ErrType, `union: type mismatch in "day": column 1 is date32 in input 1 and int32 in input 2, with no common type`},
		{"nil input", pb{}.filter(lit(true)),
			ErrInvalidPlan, "filter: invalid plan: child 0 is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Error(t, c.b.err)
			require.ErrorIs(t, c.b.err, c.is)
			require.Equal(t, c.msg, c.b.err.Error())
		})
	}
}

func TestErrorDetailsReachableWithAs(t *testing.T) {
	_, err := NewFilter(must(t, scan(factTable, "")), col("metrc").Gt(lit(3)))
	var ce *expr.ColumnError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"metric"}, ce.Suggestions)

	_, err = NewFilter(must(t, joinOf(JoinInner)), col("grp").Gt(lit(3)))
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, expr.ErrAmbiguousColumn)
	require.Equal(t, []string{"f", "d"}, ce.Qualifiers)

	b := scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(col("entity"), col("weight")))
	var te *expr.TypeError
	require.ErrorAs(t, b.err, &te)
	require.Equal(t, "entity = weight", te.Expr)
	require.False(t, errors.Is(b.err, ErrInvalidPlan))
}

func TestWrongArity(t *testing.T) {
	s := must(t, scan(factTable, "f"))
	d := must(t, scan(dimTable, "d"))
	nodes := []Node{
		s,
		must(t, scan(factTable, "").project(col("grp"))),
		must(t, scan(factTable, "").filter(lit(true))),
		must(t, scan(factTable, "").agg(nil, expr.CountStar())),
		must(t, joinOf(JoinInner)),
		must(t, scan(factTable, "").sort(Asc(col("grp")))),
		must(t, scan(factTable, "").limit(0, 1)),
		must(t, scan(factTable, "").distinct()),
		must(t, union(scan(factTable, ""), scan(factTable, ""))),
	}
	for _, n := range nodes {
		t.Run(n.String(), func(t *testing.T) {
			bad := append(append([]Node{}, n.Children()...), d)
			_, err := n.WithChildren(bad)
			require.ErrorIs(t, err, ErrInvalidPlan)
			require.Contains(t, err.Error(), "children")

			same, err := n.WithChildren(n.Children())
			require.NoError(t, err)
			require.Equal(t, n.String(), same.String())
			require.True(t, n.Schema().Equal(same.Schema()))
		})
	}
}

func TestWithChildrenRevalidates(t *testing.T) {
	f := must(t, scan(factTable, "").filter(col("metric").Gt(lit(1.0))))
	// The dim table has no metric column: re-analysis must notice.
	_, err := f.WithChildren([]Node{must(t, scan(dimTable, ""))})
	require.ErrorIs(t, err, expr.ErrUnknownColumn)

	// A project over a narrower input gets the new field types.
	p := must(t, scan(factTable, "").project(col("grp")))
	p2, err := p.WithChildren([]Node{must(t, scan(dimTable, ""))})
	require.NoError(t, err)
	require.Equal(t, arrow.PrimitiveTypes.Int32, p2.Schema().Field(0).Type)
	require.Equal(t, arrow.PrimitiveTypes.Int64, p.Schema().Field(0).Type, "receiver unchanged")

	// Join keys resolve on the new sides and keep the hint.
	j, err := must(t, joinOf(JoinLeft)).(*Join).WithHint(JoinHint{Broadcast: BroadcastRight})
	require.NoError(t, err)
	j2, err := j.WithChildren([]Node{must(t, scan(dimTable, "x")), must(t, scan(dimTable, "y"))})
	require.NoError(t, err)
	require.Equal(t, "Join: left on [grp = grp] broadcast=right", j2.String())
	require.Equal(t, arrow.PrimitiveTypes.Int32, j2.(*Join).KeyType(0))
}

func TestScanPushdown(t *testing.T) {
	s := must(t, scan(factTable, "f")).(*Scan)
	p, err := s.WithPushdown([]int{2, 0}, []expr.Expr{qcol("f", "qty").Gt(lit(1)), col("f.day").IsNotNull()})
	require.NoError(t, err)
	require.Equal(t, []string{"metric", "entity"}, fieldNames(p.Schema()))
	require.Equal(t, "f", expr.FieldQualifier(p.Schema().Field(0)))
	// Filters were rewritten to bare source names, usable in a ScanRequest.
	require.Equal(t, "qty > 1", p.Filters[0].String())
	require.Equal(t, "day IS NOT NULL", p.Filters[1].String())
	for _, f := range p.Filters {
		_, err := f.Type(factTable.Schema())
		require.NoError(t, err)
	}
	require.Equal(t, p.Filters, p.Exprs())
	// The receiver is unchanged and the full schema stays available.
	require.Nil(t, s.Columns)
	require.Equal(t, 5, p.FullSchema().NumFields())
	require.Equal(t, "f", p.Name())
	require.Equal(t, "fact", must(t, scan(factTable, "")).(*Scan).Name())

	// Filtering on a column the projection drops is allowed.
	_, err = s.WithPushdown([]int{0}, []expr.Expr{col("metric").Gt(lit(0.0))})
	require.NoError(t, err)
}

func TestProjectSchema(t *testing.T) {
	p := must(t, joinOf(JoinLeft).project(qcol("d", "grp"), col("f.grp"), qcol("d", "weight").As("w"),
		lit(int32(1)).As("one")))
	s := p.Schema()
	require.Equal(t, []string{"grp", "grp", "w", "one"}, fieldNames(s))
	require.Equal(t, "d", expr.FieldQualifier(s.Field(0)))
	require.Equal(t, "f", expr.FieldQualifier(s.Field(1)))
	require.Equal(t, "", expr.FieldQualifier(s.Field(2)), "a renamed column loses its qualifier")
	require.True(t, s.Field(0).Nullable, "right side of a left join is nullable")
	require.False(t, s.Field(1).Nullable)
	require.True(t, s.Field(3).Nullable, "computed columns are nullable")
	require.Equal(t, arrow.PrimitiveTypes.Int32, s.Field(3).Type)
	// Both grp columns stay addressable by qualifier above the projection.
	_, err := NewFilter(p, qcol("d", "grp").Eq(qcol("f", "grp")))
	require.NoError(t, err)
	_, err = NewFilter(p, col("grp").IsNull())
	require.ErrorIs(t, err, expr.ErrAmbiguousColumn)
}

func TestAggregateSchemaAndExprs(t *testing.T) {
	a := must(t, scan(factTable, "f").agg(es(col("entity"), col("qty").Add(lit(1))),
		expr.Sum(col("qty")).As("s"), expr.CountStar(), expr.Sum(col("metric")))).(*Aggregate)
	s := a.Schema()
	require.Equal(t, []string{"entity", "qty + 1", "s", "count(*)", "sum(metric)"}, fieldNames(s))
	require.Equal(t, arrow.PrimitiveTypes.Int64, s.Field(2).Type)
	require.Equal(t, arrow.PrimitiveTypes.Int64, s.Field(3).Type)
	require.False(t, s.Field(3).Nullable)
	require.True(t, s.Field(4).Nullable)
	require.Len(t, a.Exprs(), 5)
	agg, ok := AggOf(a.Aggs[0])
	require.True(t, ok)
	require.Equal(t, expr.AggSum, agg.Func)
	_, ok = AggOf(a.GroupBy[0])
	require.False(t, ok)
	// Stored expressions are unwrapped nodes, ready for type switches.
	_, isAlias := a.Aggs[0].(*expr.Alias)
	require.True(t, isAlias)
}

func TestJoinSchemas(t *testing.T) {
	for _, c := range []struct {
		typ        JoinType
		n          int
		lNull      bool
		rNull      bool
		strategies bool
	}{
		{JoinInner, 8, false, false, true},
		{JoinLeft, 8, false, true, true},
		{JoinRight, 8, true, false, true},
		{JoinFull, 8, true, true, true},
		{JoinSemi, 5, false, false, true},
		{JoinAnti, 5, false, false, true},
		{JoinCross, 8, false, false, false},
	} {
		t.Run(c.typ.String(), func(t *testing.T) {
			var keys []JoinKey
			if c.typ != JoinCross {
				keys = []JoinKey{key(col("grp"), col("grp"))}
			}
			j := must(t, scan(factTable, "f").join(scan(dimTable, "d"), c.typ, nil, keys...)).(*Join)
			s := j.Schema()
			require.Equal(t, c.n, s.NumFields())
			require.Equal(t, c.lNull, s.Field(0).Nullable, "left entity")
			if c.n > 5 {
				require.Equal(t, c.rNull, s.Field(6).Nullable, "right dim_key")
			}
			require.Equal(t, 8, j.CombinedSchema().NumFields())
			_, err := j.WithHint(JoinHint{Strategy: StrategyShuffleHash})
			if c.strategies {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalidPlan)
			}
		})
	}
}

func TestJoinKeysAndHints(t *testing.T) {
	b := scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, qcol("f", "metric").Lt(col("weight")),
		key(col("grp"), col("grp")), key(col("entity"), col("dim_key")))
	j := must(t, b).(*Join)
	require.Equal(t, arrow.PrimitiveTypes.Int64, j.KeyType(0), "int64 = int32 compares as int64")
	require.Equal(t, arrow.BinaryTypes.String, j.KeyType(1))
	require.Equal(t, []string{"grp", "grp", "entity", "dim_key", "f.metric < weight"}, exprStrings(j.Exprs()))

	ne := j.WithNullsEqual(true)
	require.True(t, ne.NullsEqual)
	require.False(t, j.NullsEqual, "receiver unchanged")

	for _, h := range []JoinHint{
		{Broadcast: BroadcastLeft}, {Broadcast: BroadcastRight, Strategy: StrategyBroadcast},
		{Strategy: StrategyBroadcast}, {Strategy: StrategySortMerge},
	} {
		got, err := j.WithHint(h)
		require.NoError(t, err)
		require.Equal(t, h, got.Hint)
	}
	for _, h := range []JoinHint{
		{Broadcast: BroadcastLeft, Strategy: StrategySortMerge}, {Broadcast: 9}, {Strategy: 9},
	} {
		_, err := j.WithHint(h)
		require.ErrorIs(t, err, ErrInvalidPlan, "%+v", h)
	}
	// Keyless non-cross joins (theta joins) are valid but cannot be hashed.
	theta := must(t, scan(factTable, "f").join(scan(dimTable, "d"), JoinLeft, qcol("f", "grp").Lt(qcol("d", "grp")))).(*Join)
	_, err := theta.WithHint(JoinHint{Strategy: StrategyShuffleHash})
	require.ErrorIs(t, err, ErrInvalidPlan)
}

func TestUnionCasts(t *testing.T) {
	u := must(t, union(
		scan(factTable, "f").project(col("grp"), col("qty"), col("metric")),
		scan(otherTable, "o").project(col("g"), col("q"), col("m")),
		scan(factTable, "g").project(col("grp"), col("qty"), lit(nil).As("n")),
	)).(*Union)
	require.Equal(t, []string{"grp", "qty", "metric"}, fieldNames(u.Schema()))
	require.Equal(t, "f", expr.FieldQualifier(u.Schema().Field(0)))
	require.Equal(t, arrow.PrimitiveTypes.Int64, u.Schema().Field(1).Type)
	require.Equal(t, arrow.PrimitiveTypes.Float64, u.Schema().Field(2).Type)
	require.False(t, u.Schema().Field(0).Nullable)
	require.True(t, u.Schema().Field(1).Nullable)
	require.Equal(t, []int{1}, u.CastColumns(0))
	require.Equal(t, []int{0, 2}, u.CastColumns(1))
	require.Equal(t, []int{1, 2}, u.CastColumns(2))
	require.Len(t, u.Children(), 3)
}

func TestLimitAndSortAccessors(t *testing.T) {
	l := must(t, scan(factTable, "").limit(0, 0)).(*Limit)
	require.Equal(t, "Limit: 0", l.String())
	require.Nil(t, l.Exprs())
	s := must(t, scan(factTable, "").sort(Asc(col("qty").Neg()), SortKey{Expr: col("entity")})).(*Sort)
	require.Equal(t, []string{"-qty", "entity"}, exprStrings(s.Exprs()))
	require.Equal(t, "Sort: -qty ASC NULLS FIRST, entity ASC NULLS LAST", s.String())
}

func TestEnumStrings(t *testing.T) {
	require.Equal(t, "anti", JoinAnti.String())
	require.Equal(t, "join_type(42)", JoinType(42).String())
	require.Equal(t, "shuffle_hash", StrategyShuffleHash.String())
	require.Equal(t, "right", BroadcastRight.String())
	require.Equal(t, "", JoinHint{}.String())
	require.True(t, JoinFull.PadsLeft() && JoinFull.PadsRight())
	require.True(t, JoinSemi.LeftOnly() && !JoinInner.LeftOnly())
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

func exprStrings(es []expr.Expr) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.String()
	}
	return out
}
