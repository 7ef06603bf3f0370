package expr

import (
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	{Name: "metric", Type: arrow.PrimitiveTypes.Float64},
}, nil)

func TestTypeDerivation(t *testing.T) {
	cases := []struct {
		e    Expr
		want arrow.DataType
	}{
		{Col("i8").Add(Col("i32")), arrow.PrimitiveTypes.Int32},
		{Col("i32").Mul(Lit(2)), arrow.PrimitiveTypes.Int64},
		{Col("u32").Add(Col("i32")), arrow.PrimitiveTypes.Int64},
		{Col("u32").Add(Col("u64")), arrow.PrimitiveTypes.Uint64},
		{Col("f32").Add(Col("i8")), arrow.PrimitiveTypes.Float32},
		{Col("f32").Add(Col("i64")), arrow.PrimitiveTypes.Float64},
		{Col("i64").Div(Col("i64")), arrow.PrimitiveTypes.Int64},
		{Col("d").Add(Lit(3)), arrow.FixedWidthTypes.Date32},
		{DateSub(Col("d"), Lit(int32(1))), arrow.FixedWidthTypes.Date32},
		{Col("i64").Gt(Col("f64")), arrow.FixedWidthTypes.Boolean},
		{Col("s").Eq(Lit("x")).And(Col("b")), arrow.FixedWidthTypes.Boolean},
		{Col("s").IsNull(), arrow.FixedWidthTypes.Boolean},
		{Col("i32").In(Lit(1), Lit(2.5), Lit(nil)), arrow.FixedWidthTypes.Boolean},
		{Col("i32").Between(Lit(1), Lit(3)), arrow.FixedWidthTypes.Boolean},
		{When(Col("b")).Then(Col("i32")).Otherwise(Col("f64")), arrow.PrimitiveTypes.Float64},
		{When(Col("b")).Then(Lit("x")).End(), arrow.BinaryTypes.String},
		{Col("i64").Cast(arrow.BinaryTypes.String), arrow.BinaryTypes.String},
		{Coalesce(Col("i32"), Lit(0)), arrow.PrimitiveTypes.Int64},
		{Length(Lower(Col("s"))), arrow.PrimitiveTypes.Int64},
		{Substring(Col("s"), Lit(1), Lit(2)), arrow.BinaryTypes.String},
		{Like(Col("s"), Lit("a%")), arrow.FixedWidthTypes.Boolean},
		{Year(Col("d")), arrow.PrimitiveTypes.Int32},
		{Sum(Col("i32")), arrow.PrimitiveTypes.Int64},
		{Sum(Col("u32")), arrow.PrimitiveTypes.Uint64},
		{Avg(Col("i32")), arrow.PrimitiveTypes.Float64},
		{Min(Col("s")), arrow.BinaryTypes.String},
		{CountStar(), arrow.PrimitiveTypes.Int64},
		{CountDistinct(Col("s")).As("n"), arrow.PrimitiveTypes.Int64},
		{Col("i64").Neg(), arrow.PrimitiveTypes.Int64},
	}
	for _, c := range cases {
		t.Run(c.e.String(), func(t *testing.T) {
			got, err := c.e.Type(testSchema)
			require.NoError(t, err)
			require.True(t, arrow.TypeEqual(c.want, got), "want %s, got %s", c.want, got)
		})
	}
}

func TestTypeErrors(t *testing.T) {
	cases := []struct {
		e       Expr
		message string
	}{
		{Col("s").Add(Lit(1)), `type mismatch in "s + 1": cannot apply + to utf8 and int64`},
		{Col("s").Gt(Lit(1)), `cannot compare utf8 with int64`},
		{Col("i32").And(Col("b")), `AND needs boolean operands`},
		{Not(Col("i32")), `NOT needs a boolean`},
		{Sum(Col("s")), `cannot sum utf8`},
		{Col("b").Cast(arrow.FixedWidthTypes.Date32), `cannot cast bool to date32`},
		{Lower(Col("i32")), `argument 1 of lower has unsupported type int32`},
		{When(Col("b")).Then(Lit(1)).Otherwise(Lit("x")), `incompatible types`},
		{Lit(struct{}{}), `unsupported literal`},
	}
	for _, c := range cases {
		t.Run(c.e.String(), func(t *testing.T) {
			_, err := c.e.Type(testSchema)
			require.ErrorIs(t, err, ErrType)
			require.ErrorContains(t, err, c.message)
		})
	}
}

func TestUnknownColumnSuggests(t *testing.T) {
	_, err := Col("metrc").Type(testSchema)
	require.ErrorIs(t, err, ErrUnknownColumn)
	var ce *ColumnError
	require.True(t, errors.As(err, &ce))
	require.Equal(t, []string{"metric"}, ce.Suggestions)
	require.EqualError(t, err, `unknown column "metrc"; did you mean "metric"?`)

	_, err = Col("zzzzzz").Type(testSchema)
	require.ErrorIs(t, err, ErrUnknownColumn)
	require.ErrorContains(t, err, "available: i8, i32")
}

func TestAmbiguousAndQualifiedColumns(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		WithQualifier(arrow.Field{Name: "grp", Type: arrow.PrimitiveTypes.Int64}, "f"),
		WithQualifier(arrow.Field{Name: "metric", Type: arrow.PrimitiveTypes.Float64}, "f"),
		WithQualifier(arrow.Field{Name: "grp", Type: arrow.PrimitiveTypes.Int32}, "d"),
	}, nil)
	_, err := Col("grp").Type(s)
	require.ErrorIs(t, err, ErrAmbiguousColumn)
	require.EqualError(t, err, `ambiguous column "grp": it exists in f and d; qualify it as "f.grp" or "d.grp"`)

	typ, err := Col("d.grp").Type(s)
	require.NoError(t, err)
	require.Equal(t, arrow.PrimitiveTypes.Int32, typ)
	typ, err = QualifiedCol("f", "grp").Type(s)
	require.NoError(t, err)
	require.Equal(t, arrow.PrimitiveTypes.Int64, typ)
	i, err := Resolve(s, &Column{Name: "metric"})
	require.NoError(t, err)
	require.Equal(t, 1, i)
	_, err = QualifiedCol("x", "grp").Type(s)
	require.ErrorIs(t, err, ErrUnknownColumn)
}

func TestCanonicalText(t *testing.T) {
	cases := map[string]Expr{
		"(a + b) * 2":                   Col("a").Add(Col("b")).Mul(Lit(2)),
		"(a > 3) AND (s = 'it''s')":     Col("a").Gt(Lit(3)).And(Col("s").Eq(Lit("it's"))),
		"sum(metric * weight) AS total": Sum(Col("metric").Mul(Col("weight"))).As("total"),
		"count(*)":                      CountStar(),
		"count(DISTINCT u)":             CountDistinct(Col("u")),
		"x IN (1, 2.5, NULL)":           Col("x").In(Lit(1), Lit(2.5), Lit(nil)),
		"CASE WHEN b THEN 1 ELSE 0 END": When(Col("b")).Then(Lit(1)).Otherwise(Lit(0)),
		"CAST(a AS float64)":            Col("a").Cast(arrow.PrimitiveTypes.Float64),
		"(d + 1) >= DATE '2024-03-01'":  Col("d").Add(Lit(1)).GtEq(Date(2024, 3, 1)),
		"NOT (a IS NULL)":               Col("a").IsNull().Not(),
		"coalesce(a, 2.0)":              Coalesce(Col("a"), Lit(2.0)),
		"f.metric":                      QualifiedCol("f", "metric"),
	}
	for want, e := range cases {
		require.Equal(t, want, e.String())
	}
}

func TestTransformAndWithChildren(t *testing.T) {
	e := Col("a").Add(Lit(1)).Gt(Col("b"))
	renamed, err := Transform(e, func(n Expr) (Expr, error) {
		if c, ok := n.(*Column); ok && c.Name == "a" {
			return Col("z"), nil
		}
		return n, nil
	})
	require.NoError(t, err)
	require.Equal(t, "(z + 1) > b", renamed.String())
	require.Equal(t, "(a + 1) > b", e.String(), "the original is unchanged")
	require.Len(t, Columns(e), 2)
	require.True(t, ContainsAgg(Sum(Col("a")).Add(Lit(1))))
	require.False(t, ContainsAgg(e))
	require.Panics(t, func() { Unwrap(e).WithChildren(nil) })
}

func TestAmbiguousWithoutQualifiers(t *testing.T) {
	s := arrow.NewSchema([]arrow.Field{
		{Name: "grp", Type: arrow.PrimitiveTypes.Int64},
		{Name: "grp", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	_, err := Col("grp").Type(s)
	require.ErrorIs(t, err, ErrAmbiguousColumn)
	require.EqualError(t, err, `ambiguous column "grp": 2 input columns have that name; alias the inputs and qualify the reference`)
}
