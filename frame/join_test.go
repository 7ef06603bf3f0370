package frame_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

// sides returns two DataFrames with a nullable int64 key "id":
//
//	left:  id 1 2 3 null, lv a b c d
//	right: id 2 3 3 4 null, rv x y z w v
func sides(s *frame.Session) (*frame.DataFrame, *frame.DataFrame) {
	p := frame.Ptr[int64]
	left := s.FromColumns(
		frame.NullableCol("id", []*int64{p(1), p(2), p(3), nil}),
		frame.Strings("lv", []string{"a", "b", "c", "d"}),
	)
	right := s.FromColumns(
		frame.NullableCol("id", []*int64{p(2), p(3), p(3), p(4), nil}),
		frame.Strings("rv", []string{"x", "y", "z", "w", "v"}),
	)
	return left, right
}

func TestJoinUsing(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	for _, tc := range []struct {
		how    frame.JoinType
		schema string
		want   []string
	}{
		{frame.Inner, "id:int64?, lv:utf8, rv:utf8", []string{"2|b|x", "3|c|y", "3|c|z"}},
		{frame.Left, "id:int64?, lv:utf8, rv:utf8?", []string{"1|a|null", "2|b|x", "3|c|y", "3|c|z", "null|d|null"}},
		{frame.Right, "id:int64?, lv:utf8?, rv:utf8", []string{"2|b|x", "3|c|y", "3|c|z", "4|null|w", "null|null|v"}},
		{frame.Full, "id:int64?, lv:utf8?, rv:utf8?", []string{
			"1|a|null", "2|b|x", "3|c|y", "3|c|z", "4|null|w", "null|d|null", "null|null|v"}},
		{frame.Semi, "id:int64?, lv:utf8", []string{"2|b", "3|c"}},
		{frame.Anti, "id:int64?, lv:utf8", []string{"1|a", "null|d"}},
	} {
		t.Run(tc.how.String(), func(t *testing.T) {
			df := left.Join(right, frame.Using("id"), tc.how)
			require.Equal(t, tc.schema, schemaString(t, df))
			require.Equal(t, tc.want, sortedRows(t, df))
		})
	}
}

func TestJoinUsingKeepsQualifiers(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	inner := left.Join(right, frame.Using("id"), frame.Inner)
	// The key comes from the left side (df1) and keeps its qualifier.
	require.Equal(t, []string{"2|x", "3|y", "3|z"}, sortedRows(t, inner.Select(col("df1.id"), col("df2.rv"))))
	require.ErrorIs(t, inner.Select(col("df2.id")).Err(), expr.ErrUnknownColumn)

	full := left.Join(right, frame.Using("id"), frame.Full)
	p, err := full.LogicalPlan()
	require.NoError(t, err)
	require.Empty(t, expr.FieldQualifier(p.Schema().Field(0)), "a coalesced key belongs to neither side")
}

func TestJoinUsingComputedKeys(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	// The left key is computed, so it has no qualifier to tell it apart
	// from the right's id: the right keys are renamed under the join.
	l2 := left.Select(col("id").Add(lit(0)).As("id"), col("lv"))
	inner := l2.Join(right, frame.Using("id"), frame.Inner)
	require.Equal(t, "id:int64?, lv:utf8, rv:utf8", schemaString(t, inner))
	require.Equal(t, []string{"2|b|x", "3|c|y", "3|c|z"}, sortedRows(t, inner))
	full := l2.Join(right, frame.Using("id"), frame.Full)
	require.Equal(t, []string{"1|a|null", "2|b|x", "3|c|y", "3|c|z", "4|null|w", "null|d|null", "null|null|v"},
		sortedRows(t, full))
	text, err := logicalText(inner)
	require.NoError(t, err)
	require.Equal(t, `Project: id, lv, rv
  Join: inner on [id = __right_id]
    Project: id + 0 AS id, lv
      Scan: df1
    Project: id AS __right_id, rv
      Scan: df2
`, text)

	// For a Right join the right key is kept, so the left keys are renamed.
	r2 := right.Select(col("id").Mul(lit(1)).As("id"), col("rv"))
	rj := left.Join(r2, frame.Using("id"), frame.Right)
	require.Equal(t, []string{"2|b|x", "3|c|y", "3|c|z", "4|null|w", "null|null|v"}, sortedRows(t, rj))
	// Plans that need no renaming stay as written.
	plain, err := logicalText(left.Join(right, frame.Using("id"), frame.Inner))
	require.NoError(t, err)
	require.NotContains(t, plain, "__right")
}

func TestJoinOnExpression(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	l, r := left.Alias("l"), right.Alias("r")
	cond := col("l.id").Eq(col("r.id")).And(col("r.rv").NotEq(lit("y")))

	inner := l.Join(r, frame.On(cond), frame.Inner)
	require.Equal(t, []string{"id", "lv", "id", "rv"}, inner.Columns())
	require.Equal(t, []string{"2|b|2|x", "3|c|3|z"}, sortedRows(t, inner))
	text, err := logicalText(inner)
	require.NoError(t, err)
	require.Equal(t, `Join: inner on [l.id = r.id] filter=[r.rv != 'y']
  Scan: df1 AS l
  Scan: df2 AS r
`, text, "the equality becomes a key, the rest a residual filter")

	// The residual is part of the match condition: it never drops preserved rows.
	outer := l.Join(r, frame.On(cond), frame.Left)
	require.Equal(t, []string{"1|a|null|null", "2|b|2|x", "3|c|3|z", "null|d|null|null"}, sortedRows(t, outer))

	// Sides are recognized whichever way the equality is written.
	swapped := l.Join(r, frame.On(col("r.id").Eq(col("l.id"))), frame.Inner)
	require.Equal(t, []string{"2|b|2|x", "3|c|3|y", "3|c|3|z"}, sortedRows(t, swapped))

	// Without an equality, an inner join is a filtered cross join.
	less := l.Join(r, frame.On(col("l.id").Gt(col("r.id"))), frame.Inner).Select(col("lv"), col("rv"))
	require.Equal(t, []string{"c|x"}, sortedRows(t, less))
}

func TestJoinCross(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	ctx := context.Background()
	n, err := left.Join(right, frame.JoinOn{}, frame.Cross).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 20, n)
	n, err = left.Join(right, frame.JoinOn{}, frame.Inner).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 20, n, "an inner join without a condition is a cross join")

	require.ErrorIs(t, left.Join(right, frame.Using("id"), frame.Cross).Err(), frame.ErrInvalidInput)
	require.ErrorIs(t, left.Join(right, frame.JoinOn{}, frame.Left).Err(), frame.ErrInvalidInput)
	require.ErrorIs(t, left.Join(right, frame.Using(), frame.Inner).Err(), frame.ErrInvalidInput)
	require.ErrorIs(t, left.Join(right, frame.Using("lv"), frame.Inner).Err(), expr.ErrUnknownColumn)
}

func TestSelfJoin(t *testing.T) {
	s, _ := newSession(t)
	p := frame.Ptr[int64]
	emp := s.FromColumns(
		frame.Int64s("id", []int64{1, 2, 3}),
		frame.NullableCol("boss", []*int64{nil, p(1), p(1)}),
		frame.Strings("name", []string{"ann", "bob", "cid"}),
	)
	e, m := emp.Alias("e"), emp.Alias("m")
	bosses := e.Join(m, frame.On(col("e.boss").Eq(col("m.id"))), frame.Left).
		Select(col("e.name"), col("m.name").As("boss"))
	require.Equal(t, []string{"ann|null", "bob|ann", "cid|ann"}, sortedRows(t, bosses))

	pairs := e.Join(m, frame.Using("id"), frame.Inner)
	require.Equal(t, []string{"id", "boss", "name", "boss", "name"}, pairs.Columns())
	require.Equal(t, []string{"1|null|ann|null|ann", "2|1|bob|1|bob", "3|1|cid|1|cid"}, sortedRows(t, pairs))

	// Without aliases both sides are "df1": the error says what to do.
	err := emp.Join(emp, frame.Using("id"), frame.Inner).Err()
	require.ErrorIs(t, err, expr.ErrAmbiguousColumn)
	require.EqualError(t, err, `frame: Join(using [id], inner): ambiguous column "df1.boss": both sides of the join are named "df1"; `+
		`give them distinct names with Alias, e.g. df.Alias("a").Join(df.Alias("b"), ...)`)
	err = emp.Join(emp, frame.On(col("id").Eq(col("id"))), frame.Inner).Err()
	require.ErrorIs(t, err, expr.ErrAmbiguousColumn)
	require.ErrorContains(t, err, `both sides of the join are named "df1"`)
	// Distinct names that merely share a column name keep the usual message.
	err = e.Join(m, frame.On(col("id").Eq(col("id"))), frame.Inner).Err()
	require.ErrorContains(t, err, `ambiguous column "id": it exists in e and m; qualify it as "e.id" or "m.id"`)
}

func TestJoinAcrossSessionsFails(t *testing.T) {
	s1, _ := newSession(t)
	s2, _ := newSession(t)
	a, _ := sides(s1)
	b, _ := sides(s2)
	require.ErrorIs(t, a.Join(b, frame.Using("id"), frame.Inner).Err(), frame.ErrInvalidInput)
}

func TestAliasOfAJoinIsUnsupported(t *testing.T) {
	s, _ := newSession(t)
	left, right := sides(s)
	j := left.Join(right, frame.Using("id"), frame.Inner).Alias("j")
	require.ErrorIs(t, j.Err(), frame.ErrUnsupported)
	require.ErrorIs(t, left.Alias("").Err(), frame.ErrInvalidInput)
	// Aliasing renames references the DataFrame's own steps made.
	f := left.Filter(col("df1.id").Gt(lit(1))).Alias("f").Select(col("f.lv"))
	require.Equal(t, []string{"b", "c"}, sortedRows(t, f))
}

func TestAliasRebuildsEveryStep(t *testing.T) {
	s, _ := newSession(t)
	chain := people(s).
		Filter(col("df1.age").Gt(lit(20))).
		WithColumn("decade", col("df1.age").Div(lit(10))).
		Sort(frame.Asc(col("df1.name"))).
		Limit(4).
		Distinct().
		GroupBy(col("df1.city")).
		Agg(expr.Max(col("df1.name")).As("top"))
	p := chain.Alias("p")
	text, err := logicalText(p)
	require.NoError(t, err)
	require.Equal(t, `Aggregate: group=[p.city] aggs=[max(p.name) AS top]
  Distinct
    Limit: 4
      Sort: p.name ASC NULLS FIRST
        Project: name, city, age, score, p.age / 10 AS decade
          Filter: p.age > 20
            Scan: df1 AS p
`, text)
	require.Equal(t, []string{"Lima|eve", "Oslo|cid", "null|dee"}, sortedRows(t, p.Select(col("p.city"), col("top"))))
	// The receiver keeps its name.
	require.Equal(t, []string{"Lima", "Oslo", "null"}, sortedRows(t, chain.Select(col("df1.city"))))
}
