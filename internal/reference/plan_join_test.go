package reference

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// joinRow is one output row of fact f ⋈ dim d as (f.id, d.label); nil
// stands for the NULL-padded side.
type joinRow struct {
	id    any
	label any
}

// joinPairs projects join output to (f.id, d.label) pairs. Semi and anti
// joins output the left columns only: label is then always nil.
func joinPairs(n plan.Node, rows []Row) []joinRow {
	out := make([]joinRow, len(rows))
	labelCol := 6 // f has 5 columns, then d.grp, d.label
	for i, r := range rows {
		out[i].id = r[0]
		if n.Schema().NumFields() > labelCol {
			out[i].label = r[labelCol]
		}
	}
	return out
}

func jr(id any, label any) joinRow {
	if i, ok := id.(int); ok {
		id = int64(i)
	}
	return joinRow{id, label}
}

func TestEvalJoinTypes(t *testing.T) {
	f := newFixture(t)
	fact, dim := f.scan(f.fact, "f"), f.scan(f.dim, "d")
	// fact.grp (int32) = dim.grp (int64): compared as int64. fact has NULL
	// keys (ids 4, 5) and a key without match (id 6, grp 3); dim has a
	// duplicated key (1), a NULL key and a key without match (4).
	on := []plan.JoinKey{{Left: col("grp"), Right: col("grp")}}
	inner := []joinRow{jr(1, "one"), jr(1, "uno"), jr(2, "one"), jr(2, "uno"), jr(3, "two")}
	cases := []struct {
		typ  plan.JoinType
		want []joinRow
	}{
		{plan.JoinInner, inner},
		{plan.JoinLeft, append(append([]joinRow{}, inner...), jr(4, nil), jr(5, nil), jr(6, nil))},
		{plan.JoinRight, append(append([]joinRow{}, inner...), jr(nil, "null"), jr(nil, "four"))},
		{plan.JoinFull, append(append([]joinRow{}, inner...),
			jr(4, nil), jr(5, nil), jr(6, nil), jr(nil, "null"), jr(nil, "four"))},
		{plan.JoinSemi, []joinRow{jr(1, nil), jr(2, nil), jr(3, nil)}},
		{plan.JoinAnti, []joinRow{jr(4, nil), jr(5, nil), jr(6, nil)}},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			j := f.ok(plan.NewJoin(fact, dim, c.typ, on, nil))
			rows := f.eval(j)
			require.Equal(t, c.want, joinPairs(j, rows))
		})
	}
	t.Run("padded values are NULL in every column", func(t *testing.T) {
		j := f.ok(plan.NewJoin(fact, dim, plan.JoinFull, on, nil))
		rows := f.eval(j)
		require.Equal(t, Row{int64(6), int32(3), nil, "b", nil, nil, nil, nil}, rows[7])
		require.Equal(t, Row{nil, nil, nil, nil, nil, int64(4), "four", 40.0}, rows[9])
	})
	t.Run("cross", func(t *testing.T) {
		j := f.ok(plan.NewJoin(fact, dim, plan.JoinCross, nil, nil))
		rows := f.eval(j)
		require.Len(t, rows, 30)
		require.Equal(t, jr(1, "one"), joinPairs(j, rows)[0])
		require.Equal(t, jr(1, "uno"), joinPairs(j, rows)[1])
		require.Equal(t, jr(6, "four"), joinPairs(j, rows)[29])
	})
}

func TestEvalJoinNullsEqual(t *testing.T) {
	f := newFixture(t)
	on := []plan.JoinKey{{Left: col("grp"), Right: col("grp")}}
	j := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), plan.JoinInner, on, nil)).(*plan.Join)
	rows := f.eval(j.WithNullsEqual(true))
	require.Equal(t, []joinRow{jr(1, "one"), jr(1, "uno"), jr(2, "one"), jr(2, "uno"), jr(3, "two"),
		jr(4, "null"), jr(5, "null")}, joinPairs(j, rows))

	anti := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), plan.JoinAnti, on, nil)).(*plan.Join)
	require.Equal(t, []joinRow{jr(6, nil)}, joinPairs(anti, f.eval(anti.WithNullsEqual(true))))
}

func TestEvalJoinResidual(t *testing.T) {
	f := newFixture(t)
	on := []plan.JoinKey{{Left: col("grp"), Right: col("grp")}}
	heavy := qcol("d", "weight").Gt(lit(50.0))
	cases := []struct {
		typ  plan.JoinType
		want []joinRow
	}{
		{plan.JoinInner, []joinRow{jr(1, "uno"), jr(2, "uno")}},
		// The residual is part of the match: it never drops preserved rows.
		{plan.JoinLeft, []joinRow{jr(1, "uno"), jr(2, "uno"), jr(3, nil), jr(4, nil), jr(5, nil), jr(6, nil)}},
		{plan.JoinRight, []joinRow{jr(1, "uno"), jr(2, "uno"), jr(nil, "one"), jr(nil, "two"), jr(nil, "null"), jr(nil, "four")}},
		{plan.JoinSemi, []joinRow{jr(1, nil), jr(2, nil)}},
		{plan.JoinAnti, []joinRow{jr(3, nil), jr(4, nil), jr(5, nil), jr(6, nil)}},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			j := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), c.typ, on, heavy))
			require.Equal(t, c.want, joinPairs(j, f.eval(j)))
		})
	}
	t.Run("keyless theta join", func(t *testing.T) {
		// A NULL residual (metric is NULL for id 6) is no match.
		theta := qcol("f", "metric").Mul(lit(10.0)).GtEq(qcol("d", "weight")).And(qcol("d", "weight").Gt(lit(0.0)))
		j := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), plan.JoinLeft, nil, theta))
		require.Equal(t, []joinRow{jr(1, "one"), jr(2, "one"), jr(2, "two"),
			jr(3, "one"), jr(3, "uno"), jr(3, "two"), jr(3, "four"), jr(4, nil), jr(5, nil), jr(6, nil)},
			joinPairs(j, f.eval(j)))
	})
}

func TestEvalJoinEmptySides(t *testing.T) {
	f := newFixture(t)
	on := []plan.JoinKey{{Left: col("grp"), Right: col("grp")}}
	fact, dim := f.scan(f.fact, "f"), f.scan(f.dim, "d")
	noDim := f.ok(plan.NewFilter(dim, lit(false)))
	noFact := f.ok(plan.NewFilter(fact, lit(false)))
	count := func(l, r plan.Node, typ plan.JoinType) int {
		var keys []plan.JoinKey
		if typ != plan.JoinCross {
			keys = on
		}
		return len(f.eval(f.ok(plan.NewJoin(l, r, typ, keys, nil))))
	}
	for _, c := range []struct {
		typ                   plan.JoinType
		emptyRight, emptyLeft int
	}{
		{plan.JoinInner, 0, 0},
		{plan.JoinLeft, 6, 0},
		{plan.JoinRight, 0, 5},
		{plan.JoinFull, 6, 5},
		{plan.JoinSemi, 0, 0},
		{plan.JoinAnti, 6, 0},
		{plan.JoinCross, 0, 0},
	} {
		require.Equal(t, c.emptyRight, count(fact, noDim, c.typ), "%s with empty right", c.typ)
		require.Equal(t, c.emptyLeft, count(noFact, dim, c.typ), "%s with empty left", c.typ)
	}
	require.Zero(t, count(noFact, noDim, plan.JoinFull))
}

func TestEvalJoinKeyOverflow(t *testing.T) {
	f := newFixture(t)
	// u (uint32) joins int64 keys in int64; a computed key can overflow.
	on := []plan.JoinKey{{Left: col("id").Mul(lit(int64(1) << 62)), Right: col("grp")}}
	j := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), plan.JoinInner, on, nil))
	_, _, err := EvalPlan(context.Background(), j)
	require.ErrorIs(t, err, expr.ErrOverflow)
	require.False(t, errors.Is(err, expr.ErrDivideByZero))
}

func TestEvalEverything(t *testing.T) {
	f := newFixture(t)
	// Total weight per label over a filtered join, top two by total.
	j := f.ok(plan.NewJoin(f.scan(f.fact, "f"), f.scan(f.dim, "d"), plan.JoinInner,
		[]plan.JoinKey{{Left: col("grp"), Right: col("grp")}}, nil))
	flt := f.ok(plan.NewFilter(j, qcol("f", "id").NotEq(lit(3))))
	agg := f.ok(plan.NewAggregate(flt, []expr.Expr{col("label")},
		[]expr.Expr{expr.Sum(col("metric").Mul(col("weight"))).As("total"), expr.CountStar().As("n")}))
	top := f.ok(plan.NewLimit(f.ok(plan.NewSort(agg, []plan.SortKey{plan.Desc(col("total"))})), 0, 2))
	requireRows(t, []Row{{"uno", 400.0, int64(2)}, {"one", 40.0, int64(2)}}, f.eval(top))
}
