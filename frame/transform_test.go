package frame_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

var (
	col = expr.Col
	lit = expr.Lit
)

func TestSelect(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).Select(col("name"), col("age").Add(lit(1)).As("next"), col("score").Mul(lit(2.0)))
	require.Equal(t, "name:utf8, next:int64?, score * 2.0:float64?", schemaString(t, df))
	require.Equal(t, []string{
		"ann|35|3", "bob|null|5", "cid|28|null", "dee|42|8", "eve|28|1",
	}, sortedRows(t, df))
}

func TestSelectWithAggregatesIsAGlobalAggregate(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).Select(expr.Sum(col("age")).As("total"), expr.CountStar().As("n"), expr.Count(col("age")).As("ages"))
	require.Equal(t, []string{"129|5|4"}, rows(t, df))
}

func TestFilterAndWhere(t *testing.T) {
	s, _ := newSession(t)
	df := people(s)
	// age > 30 is NULL for bob: the row is dropped, as SQL requires.
	want := []string{"ann|Oslo|34|1.5", "dee|null|41|4"}
	require.Equal(t, want, sortedRows(t, df.Filter(col("age").Gt(lit(30)))))
	require.Equal(t, want, sortedRows(t, df.Where(col("age").Gt(lit(30)))))
	require.Equal(t, []string{"ann", "cid"},
		sortedRows(t, df.Filter(col("city").Eq(lit("Oslo"))).Select(col("name"))))
}

func TestWithColumnReplacesInPlaceOrAppends(t *testing.T) {
	s, _ := newSession(t)
	base := people(s).Select(col("name"), col("age"))
	replaced := base.WithColumn("age", col("age").Mul(lit(2)))
	appended := base.WithColumn("old", col("age").Gt(lit(30)))
	require.Equal(t, []string{"name", "age"}, replaced.Columns())
	require.Equal(t, []string{"name", "age", "old"}, appended.Columns())
	require.Equal(t, []string{"name", "age"}, base.Columns(), "the receiver must not change")
	require.Equal(t, []string{"ann|68", "bob|null", "cid|54", "dee|82", "eve|54"}, sortedRows(t, replaced))
	require.Equal(t, []string{"ann|34|true", "bob|null|null", "cid|27|false", "dee|41|true", "eve|27|false"},
		sortedRows(t, appended))
}

func TestWithColumnsSeesTheInputColumns(t *testing.T) {
	s, _ := newSession(t)
	df := s.FromColumns(frame.Int64s("a", []int64{1, 2})).
		WithColumns(col("a").Add(lit(10)).As("a"), col("a").Mul(lit(2)).As("b"))
	require.Equal(t, []string{"11|2", "12|4"}, sortedRows(t, df))

	dup := s.FromColumns(frame.Int64s("a", []int64{1})).WithColumns(lit(1).As("x"), lit(2).As("x"))
	require.ErrorIs(t, dup.Err(), frame.ErrInvalidInput)
}

func TestDropAndRename(t *testing.T) {
	s, _ := newSession(t)
	df := people(s)
	dropped := df.Drop("city", "score")
	require.Equal(t, []string{"name", "age"}, dropped.Columns())
	require.Equal(t, []string{"ann|34", "bob|null", "cid|27", "dee|41", "eve|27"}, sortedRows(t, dropped))

	renamed := df.Rename("age", "years").Drop("df1.city")
	require.Equal(t, []string{"name", "years", "score"}, renamed.Columns())

	_, err := df.Drop("cty").Collect(context.Background())
	require.ErrorIs(t, err, expr.ErrUnknownColumn)
	require.ErrorContains(t, err, `frame: Drop(cty): unknown column "cty"; did you mean "city"?`)
	require.ErrorIs(t, df.Rename("nope", "x").Err(), expr.ErrUnknownColumn)
}

func TestLimitAndOffset(t *testing.T) {
	s, _ := newSession(t)
	sorted := people(s).Sort(frame.Asc(col("name"))).Select(col("name"))
	require.Equal(t, []string{"ann", "bob"}, rows(t, sorted.Limit(2)))
	require.Equal(t, []string{"cid", "dee", "eve"}, rows(t, sorted.Offset(2)))
	require.Equal(t, []string{"bob", "cid"}, rows(t, sorted.Offset(1).Limit(2)))
	require.Equal(t, []string{"cid"}, rows(t, sorted.Limit(3).Offset(2)))
	require.Empty(t, rows(t, sorted.Limit(0)))

	n, err := people(s).Limit(3).Count(context.Background())
	require.NoError(t, err)
	require.EqualValues(t, 3, n)

	require.ErrorIs(t, sorted.Limit(-1).Err(), frame.ErrInvalidInput)
	require.ErrorIs(t, sorted.Offset(-1).Err(), frame.ErrInvalidInput)
}

func TestDistinctAndUnion(t *testing.T) {
	s, _ := newSession(t)
	cities := people(s).Select(col("city"))
	require.Equal(t, []string{"Lima", "Oslo", "null"}, sortedRows(t, cities.Distinct()))

	u := cities.Union(cities)
	n, err := u.Count(context.Background())
	require.NoError(t, err)
	require.EqualValues(t, 10, n)
	require.Equal(t, []string{"Lima", "Oslo", "null"}, sortedRows(t, cities.UnionDistinct(cities)))

	// Columns match by position and take the common type.
	small := s.FromColumns(frame.Col("x", []int32{1, 2}))
	big := s.FromColumns(frame.Col("y", []int64{3}))
	mixed := small.Union(big)
	require.Equal(t, "x:int64", schemaString(t, mixed))
	require.Equal(t, []string{"1", "2", "3"}, sortedRows(t, mixed))

	_, err = small.Union(people(s)).Collect(context.Background())
	require.ErrorContains(t, err, "frame: Union(): ")
}

func TestSortNullPlacement(t *testing.T) {
	s, _ := newSession(t)
	df := people(s)
	names := func(keys ...frame.SortKey) []string {
		return rows(t, df.Sort(keys...).Select(col("name")))
	}
	// Spark's defaults: ASC NULLS FIRST, DESC NULLS LAST.
	require.Equal(t, []string{"bob", "cid", "eve", "ann", "dee"}, names(frame.Asc(col("age")), frame.Asc(col("name"))))
	require.Equal(t, []string{"dee", "ann", "cid", "eve", "bob"}, names(frame.Desc(col("age")), frame.Asc(col("name"))))
	require.Equal(t, []string{"cid", "eve", "ann", "dee", "bob"}, names(frame.Asc(col("age")).NullsLast(), frame.Asc(col("name"))))
	require.Equal(t, []string{"bob", "dee", "ann", "eve", "cid"}, names(frame.Desc(col("age")).NullsFirst(), frame.Desc(col("name"))))
	// A computed key.
	require.Equal(t, []string{"dee", "bob", "ann", "eve", "cid"}, names(frame.Asc(col("score").Neg()).NullsLast()))
	require.ErrorIs(t, df.Sort().Err(), frame.ErrInvalidInput)
}

func TestGroupByAgg(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).GroupBy(col("city")).Agg(
		expr.CountStar().As("n"),
		expr.Sum(col("age")).As("ages"),
		expr.Min(col("name")).As("first"),
		expr.Max(col("score")).As("best"),
		expr.Avg(col("age")).As("mean"),
	)
	require.Equal(t, "city:utf8?, n:int64, ages:int64?, first:utf8?, best:float64?, mean:float64?", schemaString(t, df))
	require.Equal(t, []string{
		"Lima|2|27|bob|2.5|27",
		"Oslo|2|61|ann|1.5|30.5",
		"null|1|41|dee|4|41",
	}, sortedRows(t, df))

	counts := people(s).GroupBy(col("age")).Count()
	require.Equal(t, []string{"27|2", "34|1", "41|1", "null|1"}, sortedRows(t, counts))
}

func TestAggOverAggregateExpressions(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).GroupBy(col("city")).Agg(
		expr.Sum(col("age")).Div(expr.Count(col("age"))).As("mean"),
		expr.Max(col("age")).Sub(expr.Min(col("age"))),
	)
	require.Equal(t, []string{"city", "mean", "max(age) - min(age)"}, df.Columns())
	require.Equal(t, []string{"Lima|27|0", "Oslo|30|7", "null|41|0"}, sortedRows(t, df))

	// A global aggregate with an expression over aggregates.
	g := people(s).GroupBy().Agg(expr.Sum(col("age")).Add(lit(1)).As("x"))
	require.Equal(t, []string{"130"}, rows(t, g))
}

func TestCountAndCollectTable(t *testing.T) {
	s, _ := newSession(t)
	ctx := context.Background()
	df := people(s).Filter(col("score").IsNotNull())
	n, err := df.Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 4, n)

	tbl, err := df.CollectTable(ctx)
	require.NoError(t, err)
	defer tbl.Release()
	require.EqualValues(t, 4, tbl.NumRows())
	require.EqualValues(t, 4, tbl.NumCols())
	require.Equal(t, "score", tbl.Schema().Field(3).Name)
	require.Empty(t, tbl.Schema().Field(0).Metadata.Keys(), "results carry no qualifier metadata")
}

func TestSchemaAndExplainRunNothing(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).
		Filter(col("age").Gt(lit(20))).
		GroupBy(col("city")).Agg(expr.Sum(col("score")).As("total")).
		Sort(frame.Desc(col("total"))).
		Limit(2)
	sch, err := df.Schema()
	require.NoError(t, err)
	require.Equal(t, arrow.FLOAT64, sch.Field(1).Type.ID())
	text, err := df.Explain()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(text, `== Logical plan ==
Limit: 2  (rows≈1)
  Sort: total DESC NULLS LAST  (rows≈1)
    Aggregate: group=[city] aggs=[sum(score) AS total]  (rows≈1)
      Filter: age > 20  (rows≈1)
        Scan: df1  (rows≈5)
`), text)
	require.Contains(t, text, "== Optimized plan ==")
	require.Contains(t, text, "Scan: df1 projection=[city, score] filters=[age > 20]", "the filter and the projection reach the scan")
	require.Contains(t, text, "== Physical plan ==\nStage ")
	require.Contains(t, text, "TopK 2 Sort: total DESC NULLS LAST")
	p, err := df.LogicalPlan()
	require.NoError(t, err)
	require.Equal(t, sch.NumFields(), p.Schema().NumFields())
}

func TestTransformationsDoNotChangeTheReceiver(t *testing.T) {
	s, _ := newSession(t)
	df := people(s)
	before, err := df.Explain()
	require.NoError(t, err)
	_ = df.Filter(col("age").Gt(lit(1))).Select(col("name")).Limit(1)
	_ = df.WithColumn("x", lit(1)).Drop("name").Rename("age", "a").Distinct()
	_ = df.Join(df.Alias("o"), frame.Using("name"), frame.Left).Alias("z")
	after, err := df.Explain()
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.Equal(t, []string{"name", "city", "age", "score"}, df.Columns())
}
