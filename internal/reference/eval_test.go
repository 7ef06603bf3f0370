package reference

import (
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
}, nil)

func TestEvalExpr(t *testing.T) {
	row := Row{int64(7), int8(100), uint64(math.MaxUint64), math.NaN(), "Ünïcode", nil, arrow.Date32(-1), arrow.Timestamp(-1)}
	c := expr.Col
	l := expr.Lit
	nan := math.NaN()
	tests := []struct {
		name string
		e    expr.Expr
		want any
		err  error
	}{
		{"int add", c("i64").Add(l(1)), int64(8), nil},
		{"int8 overflow in promoted type", c("i8").Add(c("i8")), nil, expr.ErrOverflow},
		{"int8 widened by int64 literal", c("i8").Add(l(int64(100))), int64(200), nil},
		{"min int negation", l(int64(math.MinInt64)).Neg(), nil, expr.ErrOverflow},
		{"min int div -1", l(int64(math.MinInt64)).Div(l(int64(-1))), nil, expr.ErrOverflow},
		{"min int mod -1", l(int64(math.MinInt64)).Mod(l(int64(-1))), int64(0), nil},
		{"div truncates", l(-7).Div(l(2)), int64(-3), nil},
		{"mod sign of dividend", l(-7).Mod(l(2)), int64(-1), nil},
		{"div by zero", l(1).Div(l(0)), nil, expr.ErrDivideByZero},
		{"mod by zero", l(1).Mod(l(0)), nil, expr.ErrDivideByZero},
		{"null div by zero is null", expr.Null(arrow.PrimitiveTypes.Int64).Div(l(0)), nil, nil},
		{"float div zero", l(1.0).Div(l(0.0)), math.Inf(1), nil},
		{"uint64 big with int64 overflows", c("u64").Add(l(1)), nil, expr.ErrOverflow},
		{"uint64 big with null still overflows", c("u64").Add(expr.Null(arrow.PrimitiveTypes.Int64)), nil, expr.ErrOverflow},
		{"unsigned underflow", l(uint8(1)).Sub(l(uint8(2))), nil, expr.ErrOverflow},
		{"nan equals nan", c("f64").Eq(l(nan)), true, nil},
		{"nan greatest", c("f64").Gt(l(math.Inf(1))), true, nil},
		{"neg zero", l(-0.0).Eq(l(0.0)), true, nil},
		{"null compare", c("b").Eq(l(true)), nil, nil},
		{"false and null", l(false).And(c("b")), false, nil},
		{"true and null", l(true).And(c("b")), nil, nil},
		{"true or null", c("b").Or(l(true)), true, nil},
		{"and short circuit", l(false).And(l(1).Div(l(0)).Eq(l(1))), false, nil},
		{"or short circuit", l(true).Or(l(1).Div(l(0)).Eq(l(1))), true, nil},
		{"not null", expr.Not(c("b")), nil, nil},
		{"in found", c("i64").In(l(1), l(7)), true, nil},
		{"in null", c("i64").In(l(1), expr.Lit(nil)), nil, nil},
		{"not in null", c("i64").NotIn(l(1), expr.Lit(nil)), nil, nil},
		{"not in", c("i64").NotIn(l(1), l(2)), true, nil},
		{"case null cond", expr.When(c("b")).Then(l(1)).Otherwise(l(2)), int64(2), nil},
		{"case lazy", expr.When(l(false)).Then(l(1).Div(l(0))).End(), nil, nil},
		{"case promotes", expr.When(l(true)).Then(l(int8(1))).Otherwise(l(2.5)), float64(1), nil},
		{"coalesce", expr.Coalesce(c("b"), l(false)), false, nil},
		{"cast float to int", l(-2.9).Cast(arrow.PrimitiveTypes.Int32), int32(-2), nil},
		{"cast nan to int", c("f64").Cast(arrow.PrimitiveTypes.Int64), nil, expr.ErrOverflow},
		{"cast out of range", l(300).Cast(arrow.PrimitiveTypes.Int8), nil, expr.ErrOverflow},
		{"cast 2^63 float", l(9223372036854775808.0).Cast(arrow.PrimitiveTypes.Int64), nil, expr.ErrOverflow},
		{"cast float to string", l(1e6).Cast(arrow.BinaryTypes.String), "1e+06", nil},
		{"cast nan to string", c("f64").Cast(arrow.BinaryTypes.String), "NaN", nil},
		{"cast date to string", c("d").Cast(arrow.BinaryTypes.String), "1969-12-31", nil},
		{"cast ts to string", c("ts").Cast(arrow.BinaryTypes.String), "1969-12-31 23:59:59.999999999", nil},
		{"cast ts to date", c("ts").Cast(arrow.FixedWidthTypes.Date32), arrow.Date32(-1), nil},
		{"cast string to int", l(" 42 ").Cast(arrow.PrimitiveTypes.Int16), int16(42), nil},
		{"cast bad string", l("4x").Cast(arrow.PrimitiveTypes.Int16), nil, nil},
		{"cast string out of range", l("40000").Cast(arrow.PrimitiveTypes.Int16), nil, nil},
		{"cast string to bool", l("Yes").Cast(arrow.FixedWidthTypes.Boolean), true, nil},
		{"cast string to date", l("2024-02-29").Cast(arrow.FixedWidthTypes.Date32), arrow.Date32(19782), nil},
		{"cast bad date", l("2023-02-29").Cast(arrow.FixedWidthTypes.Date32), nil, nil},
		{"cast string to ts", l("1970-01-01 00:00:01.5").Cast(expr.TimestampType), arrow.Timestamp(1500000), nil},
		{"cast nan to bool", c("f64").Cast(arrow.FixedWidthTypes.Boolean), true, nil},
		{"lower unicode", expr.Lower(c("s")), "ünïcode", nil},
		{"upper unicode", expr.Upper(c("s")), "ÜNÏCODE", nil},
		{"length runes", expr.Length(c("s")), int64(7), nil},
		{"substring", expr.Substring(c("s"), l(2), l(3)), "nïc", nil},
		{"substring zero start", expr.Substring(l("abc"), l(0), l(2)), "ab", nil},
		{"substring negative start", expr.Substring(l("abcdef"), l(-3), l(2)), "de", nil},
		{"substring before start", expr.Substring(l("abc"), l(-5), l(3)), "a", nil},
		{"substring negative length", expr.Substring(l("abc"), l(1), l(-1)), "", nil},
		{"concat null", expr.Concat(l("a"), expr.Null(arrow.BinaryTypes.String)), nil, nil},
		{"concat", expr.Concat(l("a"), c("s")), "aÜnïcode", nil},
		{"like", expr.Like(c("s"), l("Ü_ï%")), true, nil},
		{"like escape", expr.Like(l("a%b"), l(`a\%b`)), true, nil},
		{"like escape no match", expr.Like(l("axb"), l(`a\%b`)), false, nil},
		{"like underscore", expr.Like(l("ab"), l("a__")), false, nil},
		{"contains", expr.Contains(c("s"), l("nïc")), true, nil},
		{"starts", expr.StartsWith(c("s"), l("Ün")), true, nil},
		{"ends", expr.EndsWith(c("s"), l("x")), false, nil},
		{"year of date", expr.Year(c("d")), int32(1969), nil},
		{"day of ts", expr.Day(c("ts")), int32(31), nil},
		{"month", expr.Month(expr.Date(2024, 2, 29)), int32(2), nil},
		{"date add", c("d").Add(l(2)), arrow.Date32(1), nil},
		{"date sub to min", c("d").Sub(l(int64(math.MaxInt32))), arrow.Date32(math.MinInt32), nil},
		{"date sub overflow", c("d").Sub(l(int64(math.MaxInt32) + 1)), nil, expr.ErrOverflow},
		{"is null", c("b").IsNull(), true, nil},
		{"is not null", c("i64").IsNotNull(), true, nil},
		{"string compare bytewise", l("B").Lt(l("a")), true, nil},
		{"aggregate", expr.Sum(c("i64")), nil, expr.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EvalExpr(tt.e, testSchema, row)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.True(t, ValueEqual(tt.want, got), "got %v (%T), want %v (%T)", got, got, tt.want, tt.want)
		})
	}
}

func TestCompare(t *testing.T) {
	require.Equal(t, -1, Compare(nil, int64(1)))
	require.Equal(t, 1, Compare(math.NaN(), math.Inf(1)))
	require.Equal(t, 0, Compare(math.NaN(), math.NaN()))
	require.Equal(t, 0, Compare(math.Copysign(0, -1), 0.0))
	require.Equal(t, 1, Compare(uint64(math.MaxUint64), int64(math.MaxInt64)))
	require.Equal(t, -1, Compare("B", "a"))
	require.Equal(t, -1, Compare(false, true))
}

func TestDiffMultiset(t *testing.T) {
	a := []Row{{int64(1), 1.0}, {int64(2), math.NaN()}, {nil, 3.0}}
	b := []Row{{nil, 3.0 * (1 + 1e-12)}, {int64(2), math.NaN()}, {int64(1), 1.0}}
	require.Empty(t, DiffMultiset(a, b))
	c := []Row{{nil, 3.1}, {int64(2), math.NaN()}, {int64(1), 1.0}}
	require.NotEmpty(t, DiffMultiset(a, c))
	require.NotEmpty(t, DiffMultiset(a, a[:2]))
	require.Equal(t, Key(Row{math.Copysign(0, -1)}), Key(Row{0.0}))
}

func TestRowsRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := []Row{
		{int64(1), int8(-1), uint64(3), 1.5, "x", true, arrow.Date32(3), arrow.Timestamp(4)},
		{nil, nil, nil, nil, nil, nil, nil, nil},
	}
	rec, err := RecordFromRows(mem, testSchema, rows)
	require.NoError(t, err)
	defer rec.Release()
	got, err := RowsFromRecord(rec)
	require.NoError(t, err)
	require.Empty(t, DiffMultiset(rows, got))

	_, err = RecordFromRows(mem, testSchema, []Row{{int32(1), nil, nil, nil, nil, nil, nil, nil}})
	require.Error(t, err)
}

func TestErrorsAreSentinels(t *testing.T) {
	_, err := EvalExpr(expr.Col("nope"), testSchema, make(Row, testSchema.NumFields()))
	require.True(t, errors.Is(err, expr.ErrUnknownColumn))
}
