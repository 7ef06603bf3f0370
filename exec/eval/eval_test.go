package eval

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
)

// tableRows are the rows of the table tests (genSchema columns; see
// rowWith).
func rowWith(vals map[string]any) reference.Row {
	row := make(reference.Row, genSchema.NumFields())
	for name, v := range vals {
		idx := genSchema.FieldIndices(name)[0]
		row[idx] = v
	}
	return row
}

// evalRows evaluates e over rows with the vectorized evaluator and returns
// the values, or the error.
func evalRows(t *testing.T, mem memory.Allocator, e expr.Expr, rows []reference.Row, sel []int32) ([]any, error) {
	t.Helper()
	rec, err := reference.RecordFromRows(mem, genSchema, rows)
	require.NoError(t, err)
	defer rec.Release()
	ev, err := Compile(e, genSchema)
	require.NoError(t, err)
	arr, err := ev.Eval(context.Background(), exec.Batch{Rec: rec, Sel: sel}, mem)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out := make([]any, arr.Len())
	for i := range out {
		out[i], err = reference.Value(arr, i)
		require.NoError(t, err)
	}
	return out, nil
}

func TestTrickySemantics(t *testing.T) {
	c, l := expr.Col, expr.Lit
	minRow := rowWith(map[string]any{"i64": int64(math.MinInt64), "j64": int64(-1), "i8": int8(-128),
		"u64": uint64(math.MaxUint64), "f64": math.NaN(), "g64": math.Copysign(0, -1), "s": "Ünï€", "d": arrow.Date32(-1),
		"tns": arrow.Timestamp(-1), "b": true})
	tests := []struct {
		name string
		e    expr.Expr
		row  reference.Row
		want any
		err  error
	}{
		{"min div -1", c("i64").Div(c("j64")), minRow, nil, expr.ErrOverflow},
		{"min mod -1", c("i64").Mod(c("j64")), minRow, int64(0), nil},
		{"int8 min div -1", c("i8").Div(l(int8(-1))), minRow, nil, expr.ErrOverflow},
		{"negate min", c("i64").Neg(), minRow, nil, expr.ErrOverflow},
		{"min times -1", c("i64").Mul(c("j64")), minRow, nil, expr.ErrOverflow},
		{"min minus 1", c("i64").Sub(l(1)), minRow, nil, expr.ErrOverflow},
		{"int8 sum overflows int8", c("i8").Add(c("i8")), minRow, nil, expr.ErrOverflow},
		{"uint64 max meets int64", c("u64").Add(l(0)), minRow, nil, expr.ErrOverflow},
		{"uint64 max with NULL", c("u64").Add(expr.Null(arrow.PrimitiveTypes.Int64)), minRow, nil, expr.ErrOverflow},
		{"divide by zero", c("j64").Div(l(0)), minRow, nil, expr.ErrDivideByZero},
		{"NULL divided by zero", c("i32").Div(l(int32(0))), minRow, nil, nil},
		{"float divide by zero", l(-1.0).Div(c("g64")), minRow, math.Inf(1), nil},
		{"nan equals nan", c("f64").Eq(l(math.NaN())), minRow, true, nil},
		{"nan above inf", c("f64").Gt(l(math.Inf(1))), minRow, true, nil},
		{"negative zero equals zero", c("g64").Eq(l(0.0)), minRow, true, nil},
		{"false and error", l(false).And(c("i64").Neg().Gt(l(0))), minRow, false, nil},
		{"true or error", c("b").Or(c("i64").Neg().Gt(l(0))), minRow, true, nil},
		{"null and error", expr.Null(arrow.FixedWidthTypes.Boolean).And(c("i64").Neg().Gt(l(0))), minRow, nil, expr.ErrOverflow},
		{"case skips branch", expr.When(c("b")).Then(l(1)).Otherwise(c("i64").Neg()), minRow, int64(1), nil},
		{"case null condition", expr.When(c("c")).Then(l(1)).Otherwise(l(2)), minRow, int64(2), nil},
		{"coalesce stops", expr.Coalesce(c("j64"), c("i64").Neg()), minRow, int64(-1), nil},
		{"in with null", c("j64").In(l(1), expr.Lit(nil)), minRow, nil, nil},
		{"not in found", c("j64").NotIn(l(-1), expr.Lit(nil)), minRow, false, nil},
		{"in evaluates every item", c("j64").In(l(-1), c("i64").Neg()), minRow, nil, expr.ErrOverflow},
		{"cast nan to int", c("f64").Cast(arrow.PrimitiveTypes.Int32), minRow, nil, expr.ErrOverflow},
		{"cast truncates", l(-2.99).Cast(arrow.PrimitiveTypes.Int8), minRow, int8(-2), nil},
		{"cast 2^63", l(9223372036854775808.0).Cast(arrow.PrimitiveTypes.Int64), minRow, nil, expr.ErrOverflow},
		{"cast uint64 max to float32", c("u64").Cast(arrow.PrimitiveTypes.Float32), minRow, float32(math.MaxUint64), nil},
		{"cast float to string", l(1e21).Cast(arrow.BinaryTypes.String), minRow, "1e+21", nil},
		{"cast nan to string", c("f64").Cast(arrow.BinaryTypes.String), minRow, "NaN", nil},
		{"cast ts to string", c("tns").Cast(arrow.BinaryTypes.String), minRow, "1969-12-31 23:59:59.999999999", nil},
		{"cast ts to date", c("tns").Cast(arrow.FixedWidthTypes.Date32), minRow, arrow.Date32(-1), nil},
		{"cast date to ts ns overflows", l(arrow.Date32(math.MaxInt32)).Cast(&arrow.TimestampType{Unit: arrow.Nanosecond}), minRow, nil, expr.ErrOverflow},
		{"cast string to int", l(" -12 ").Cast(arrow.PrimitiveTypes.Int8), minRow, int8(-12), nil},
		{"cast string out of range", l("300").Cast(arrow.PrimitiveTypes.Int8), minRow, nil, nil},
		{"cast string to date", l("2024-02-29").Cast(arrow.FixedWidthTypes.Date32), minRow, arrow.Date32(19782), nil},
		{"cast string to ts", l("1970-01-01T00:00:00.25").Cast(&arrow.TimestampType{Unit: arrow.Millisecond}), minRow, arrow.Timestamp(250), nil},
		{"lower", expr.Lower(c("s")), minRow, "ünï€", nil},
		{"upper", expr.Upper(l("straße")), minRow, "STRAßE", nil},
		{"length in runes", expr.Length(c("s")), minRow, int64(4), nil},
		{"substring unicode", expr.Substring(c("s"), l(2), l(2)), minRow, "nï", nil},
		{"substring from end", expr.Substring(c("s"), l(-1), l(5)), minRow, "€", nil},
		{"substring before start", expr.Substring(c("s"), l(-6), l(3)), minRow, "Ü", nil},
		{"substring huge length", expr.Substring(c("s"), l(2), l(uint64(math.MaxUint64))), minRow, "nï€", nil},
		{"like underscore rune", expr.Like(c("s"), l("Ü_ï_")), minRow, true, nil},
		{"like backtracks over runes", expr.Like(l("aü€b€c"), c("t")), rowWith(map[string]any{"t": "a%€c"}), true, nil},
		{"like escaped percent", expr.Like(l("50%"), l(`50\%`)), minRow, true, nil},
		{"like escaped percent mismatch", expr.Like(l("500"), l(`50\%`)), minRow, false, nil},
		{"concat null", expr.Concat(c("s"), c("t")), minRow, nil, nil},
		{"year of date", expr.Year(c("d")), minRow, int32(1969), nil},
		{"day of ts", expr.Day(c("tns")), minRow, int32(31), nil},
		{"date plus days", c("d").Add(l(uint64(1))), minRow, arrow.Date32(0), nil},
		{"date minus huge", c("d").Sub(c("u64")), minRow, nil, expr.ErrOverflow},
		{"date with null days", expr.Null(arrow.FixedWidthTypes.Date32).Add(c("u64")), minRow, nil, nil},
		{"is null", c("i32").IsNull(), minRow, true, nil},
		{"is not null", c("i64").IsNotNull(), minRow, true, nil},
		{"string order is bytewise", l("Z").Lt(l("a")), minRow, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			// The reference must agree with the expectation...
			ref, rerr := reference.EvalExpr(tt.e, genSchema, tt.row)
			// ...and the evaluator with both, alone and among other rows.
			rows := []reference.Row{rowWith(nil), tt.row, rowWith(nil)}
			got, err := evalRows(t, mem, tt.e, rows, []int32{1})
			if tt.err != nil {
				require.ErrorIs(t, rerr, tt.err)
				require.ErrorIs(t, err, tt.err)
				require.Contains(t, err.Error(), "evaluate ")
				return
			}
			require.NoError(t, rerr)
			require.NoError(t, err)
			require.True(t, sameValue(tt.want, ref), "reference: got %v (%T), want %v", ref, ref, tt.want)
			require.True(t, sameValue(tt.want, got[1]), "got %v (%T), want %v", got[1], got[1], tt.want)
		})
	}
}

// TestDeadRowsNeverFail puts values that would fail in rows outside the
// selection and in NULL slots.
func TestDeadRowsNeverFail(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	bad := rowWith(map[string]any{"i64": int64(math.MinInt64), "j64": int64(0), "f64": math.NaN()})
	good := rowWith(map[string]any{"i64": int64(6), "j64": int64(3), "f64": 2.5})
	nulls := rowWith(map[string]any{"i64": int64(math.MinInt64)}) // j64 NULL: garbage divisor
	rows := []reference.Row{bad, good, nulls, good, bad}
	for _, e := range []expr.Expr{
		expr.Col("i64").Div(expr.Col("j64")),
		expr.Col("i64").Mod(expr.Col("j64")),
		expr.Col("i64").Neg().Add(expr.Col("j64")),
		expr.Col("f64").Cast(arrow.PrimitiveTypes.Int64),
		expr.Col("i64").Mul(expr.Col("i64")),
	} {
		got, err := evalRows(t, mem, e, rows, []int32{1, 3})
		require.NoError(t, err, "%s", e)
		require.NotNil(t, got[1], "%s", e)
		require.Equal(t, got[1], got[3])
		_, err = evalRows(t, mem, e, rows, nil)
		require.Error(t, err, "%s must fail on the live bad rows", e)
	}
	got, err := evalRows(t, mem, expr.Col("i64").Div(expr.Col("j64")), rows, []int32{1, 2})
	require.NoError(t, err)
	require.Equal(t, int64(2), got[1])
	require.Nil(t, got[2])
}

func TestEvalTypeAndEmptySelection(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := []reference.Row{rowWith(map[string]any{"i64": int64(math.MinInt64)})}
	e := expr.Col("i64").Neg()
	got, err := evalRows(t, mem, e, rows, []int32{})
	require.NoError(t, err, "no live row, no error")
	require.Len(t, got, 1)
	ev, err := Compile(expr.Col("i8").Add(expr.Lit(float32(1.5))), genSchema)
	require.NoError(t, err)
	require.Equal(t, arrow.PrimitiveTypes.Float32, ev.Type())
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile(expr.Col("nope"), genSchema)
	require.ErrorIs(t, err, expr.ErrUnknownColumn)
	_, err = Compile(expr.Col("s").Add(expr.Lit(1)), genSchema)
	require.ErrorIs(t, err, expr.ErrType)
	_, err = Compile(expr.Sum(expr.Col("i64")), genSchema)
	require.ErrorIs(t, err, expr.ErrType)
	_, err = NewSelector(expr.Col("i64"), genSchema)
	require.ErrorIs(t, err, expr.ErrType)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ev, err := Compile(expr.Col("i64").Add(expr.Lit(1)), genSchema)
	require.NoError(t, err)
	other, err := reference.RecordFromRows(mem, arrow.NewSchema([]arrow.Field{{Name: "i64", Type: arrow.PrimitiveTypes.Int32}}, nil),
		[]reference.Row{{int32(1)}})
	require.NoError(t, err)
	defer other.Release()
	_, err = ev.Eval(context.Background(), exec.Batch{Rec: other}, mem)
	require.ErrorIs(t, err, expr.ErrType, "a batch of another schema is refused")
	list := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil)
	_, err = Compile(expr.Col("l").IsNull(), list)
	require.ErrorIs(t, err, expr.ErrType)
}

func TestMulRange(t *testing.T) {
	for _, s := range []int64{0, 1, -1, 2, -2, 3, -3, 7, math.MaxInt64, math.MinInt64, math.MinInt64 + 1, 1 << 32, -(1 << 32) - 1} {
		lo, hi := mulRange(s)
		for _, x := range []int64{lo - 1, lo, hi, hi + 1, 0, 1, -1, math.MinInt64, math.MaxInt64} {
			_, acc := mulInt64(x, s)
			fits := acc == 0
			inRange := x >= lo && x <= hi
			require.Equal(t, fits, inRange, "x=%d s=%d range [%d, %d]", x, s, lo, hi)
		}
	}
}
