package optimize

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
)

var exprSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "g", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

// exprGen builds random expressions biased towards literals, so that
// folding has work to do, with the values where semantics are delicate:
// zero divisors, integer extremes, NaN, -0, NULL.
type exprGen struct{ rng *rand.Rand }

func (g exprGen) literal() expr.Expr {
	vals := []any{nil, 0, 1, -1, 7, math.MaxInt64, math.MinInt64, int32(0), int32(math.MaxInt32), int8(100),
		int8(-128), uint64(math.MaxUint64), uint8(3), 0.0, math.Copysign(0, -1), math.NaN(), math.Inf(1), 2.5,
		float32(1.5), true, false, "a", "", "b", arrow.Date32(19000)}
	return expr.Unwrap(expr.Lit(vals[g.rng.IntN(len(vals))]))
}

func (g exprGen) leaf() expr.Expr {
	if g.rng.IntN(3) == 0 {
		return expr.Unwrap(expr.Col(exprSchema.Field(g.rng.IntN(exprSchema.NumFields())).Name))
	}
	return g.literal()
}

func (g exprGen) gen(depth int) expr.Expr {
	if depth == 0 {
		return g.leaf()
	}
	a := func() expr.E { return expr.E{Expr: g.gen(depth - 1)} }
	switch g.rng.IntN(12) {
	case 0, 1:
		ops := []expr.BinaryOp{expr.OpAdd, expr.OpSub, expr.OpMul, expr.OpDiv, expr.OpMod}
		return expr.Unwrap(expr.NewBinary(ops[g.rng.IntN(len(ops))], a(), a()))
	case 2, 3:
		ops := []expr.BinaryOp{expr.OpEq, expr.OpNotEq, expr.OpLt, expr.OpLtEq, expr.OpGt, expr.OpGtEq}
		return expr.Unwrap(expr.NewBinary(ops[g.rng.IntN(len(ops))], a(), a()))
	case 4:
		return expr.Unwrap(a().And(a()))
	case 5:
		return expr.Unwrap(a().Or(a()))
	case 6:
		return expr.Unwrap(a().Not())
	case 7:
		switch g.rng.IntN(3) {
		case 0:
			return expr.Unwrap(a().IsNull())
		case 1:
			return expr.Unwrap(a().IsNotNull())
		}
		return expr.Unwrap(a().Neg())
	case 8:
		ts := []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64,
			arrow.PrimitiveTypes.Float32, arrow.BinaryTypes.String, arrow.PrimitiveTypes.Uint8}
		return expr.Unwrap(a().Cast(ts[g.rng.IntN(len(ts))]))
	case 9:
		return expr.Unwrap(a().In(g.gen(depth-1), g.literal()))
	case 10:
		return expr.Unwrap(expr.When(g.gen(depth - 1)).Then(a()).When(g.gen(depth - 1)).Then(a()).Otherwise(a()))
	}
	return expr.Unwrap(expr.Coalesce(a(), a(), a()))
}

func (g exprGen) row() reference.Row {
	r := make(reference.Row, exprSchema.NumFields())
	pick := func(vs ...any) any { return vs[g.rng.IntN(len(vs))] }
	r[0] = pick(nil, int64(0), int64(3), int64(-1), int64(math.MaxInt64))
	r[1] = pick(nil, int32(0), int32(2), int32(-5))
	r[2] = pick(nil, uint64(0), uint64(9), uint64(math.MaxUint64))
	r[3] = pick(nil, 0.0, -2.5, math.NaN(), math.Copysign(0, -1))
	r[4] = pick(nil, float32(0), float32(1.25))
	r[5] = pick(nil, "a", "", "zz")
	r[6] = pick(nil, true, false)
	r[7] = pick(nil, arrow.Date32(0), arrow.Date32(19000))
	return r
}

// TestSimplifyMatchesOracle checks simplification against the reference
// evaluator on random expressions: same type, same value on every row,
// and the same error (simplification must neither drop nor add one).
func TestSimplifyMatchesOracle(t *testing.T) {
	g := exprGen{rng: rand.New(rand.NewPCG(5, 6))}
	rows := make([]reference.Row, 12)
	for i := range rows {
		rows[i] = g.row()
	}
	tried, changed := 0, 0
	for tried < 4000 {
		e := g.gen(1 + g.rng.IntN(3))
		t1, err := e.Type(exprSchema)
		if err != nil {
			continue
		}
		tried++
		s, ch := simplify(e, exprSchema)
		if !ch {
			require.Same(t, e, s)
			continue
		}
		changed++
		t2, err := s.Type(exprSchema)
		require.NoError(t, err, "%s → %s", e, s)
		require.True(t, arrow.TypeEqual(t1, t2), "%s (%s) → %s (%s)", e, t1, s, t2)
		for _, r := range rows {
			v1, err1 := reference.EvalExpr(e, exprSchema, r)
			v2, err2 := reference.EvalExpr(s, exprSchema, r)
			if err1 != nil {
				require.Error(t, err2, "%s → %s on %v: lost %v", e, s, r, err1)
				for _, sentinel := range []error{expr.ErrOverflow, expr.ErrDivideByZero} {
					require.Equal(t, errors.Is(err1, sentinel), errors.Is(err2, sentinel), "%s → %s: %v vs %v", e, s, err1, err2)
				}
				continue
			}
			require.NoError(t, err2, "%s → %s on %v", e, s, r)
			require.True(t, reference.ValueEqual(v1, v2), "%s → %s on %v: %v vs %v", e, s, r, v1, v2)
		}
	}
	t.Logf("tried %d changed %d", tried, changed)
	require.Greater(t, changed, tried/5, "too few expressions were simplified to test anything")
}

func TestSimplifyExamples(t *testing.T) {
	i, f, b := expr.Col("i"), expr.Col("f"), expr.Col("b")
	cases := []struct {
		in   expr.Expr
		want string
	}{
		{expr.Lit(1).Add(expr.Lit(2)).Mul(i), "3 * i"},
		{expr.Lit(int32(2)).Mul(expr.Lit(int32(3))), "6"},
		{expr.Lit(7).Div(expr.Lit(0)), "7 / 0"},                               // the error stays
		{expr.Lit(math.MaxInt64).Add(expr.Lit(1)), "9223372036854775807 + 1"}, // overflow stays
		{expr.Lit(7.0).Div(expr.Lit(0.0)), "Infinity"},                        // IEEE
		{i.Gt(expr.Lit(1)).And(expr.Lit(false)), "false"},                     // i > 1 cannot fail
		{expr.Lit(10).Div(i).Gt(expr.Lit(1)).And(expr.Lit(false)), "((10 / i) > 1) AND false"},
		{expr.Lit(false).And(expr.Lit(10).Div(i).Gt(expr.Lit(1))), "false"}, // AND skips the right
		{b.Or(expr.Lit(true)), "true"},
		{b.And(expr.Lit(true)), "b"},
		{expr.Lit(nil).And(expr.Lit(true)), "CAST(NULL AS bool)"},
		{expr.Not(expr.Not(b)), "b"},
		{expr.Not(f.Lt(expr.Lit(2.0))), "f >= 2.0"},
		{expr.Not(i.IsNull()), "i IS NOT NULL"},
		{i.Add(expr.Lit(nil)), "CAST(NULL AS int64)"},
		{expr.Col("u").Add(expr.Lit(nil)), "CAST(NULL AS uint64)"},
		{expr.Col("u").Eq(expr.Lit(nil).Cast(arrow.PrimitiveTypes.Int64)), "u = CAST(NULL AS int64)"}, // u → int64 may overflow
		{expr.Lit(1).Cast(arrow.PrimitiveTypes.Int8), "1"},
		{expr.Lit(300).Cast(arrow.PrimitiveTypes.Int8), "CAST(300 AS int8)"},
		{f.Cast(arrow.PrimitiveTypes.Float64), "f"},
		{expr.When(expr.Lit(false)).Then(i).When(b).Then(expr.Lit(2)).Otherwise(expr.Lit(3)), "CASE WHEN b THEN 2 ELSE 3 END"},
		{expr.When(expr.Lit(true)).Then(expr.Lit(int32(1))).Otherwise(i), "1"},
		{expr.Coalesce(expr.Lit(nil), i, expr.Lit(nil)), "i"},
		{expr.Lit(2).In(expr.Lit(1), expr.Lit(nil)), "CAST(NULL AS bool)"},
		{expr.Lit(2).In(expr.Lit(1), expr.Lit(2)), "true"},
		{expr.Lit(math.NaN()).Eq(expr.Lit(math.NaN())), "true"}, // NaN = NaN in Grain
		{expr.Lit(math.Copysign(0, -1)).Lt(expr.Lit(0.0)), "false"},
	}
	for _, tc := range cases {
		got, _ := simplify(expr.Unwrap(tc.in), exprSchema)
		require.Equal(t, tc.want, got.String(), "%s", tc.in)
		t1, err := tc.in.Type(exprSchema)
		require.NoError(t, err)
		t2, err := got.Type(exprSchema)
		require.NoError(t, err)
		require.True(t, arrow.TypeEqual(t1, t2), "%s: %s vs %s", tc.in, t1, t2)
	}
}

func TestMayFail(t *testing.T) {
	i, n, u, f, s := expr.Col("i"), expr.Col("n"), expr.Col("u"), expr.Col("f"), expr.Col("s")
	cases := []struct {
		e    expr.Expr
		want bool
	}{
		{i.Gt(expr.Lit(1)), false},
		{i.Add(expr.Lit(1)), true},
		{f.Add(expr.Lit(1)), false},
		{f.Div(expr.Lit(0.0)), false},
		{i.Div(expr.Lit(2)), true},
		{i.Neg(), true},
		{f.Neg(), false},
		{n.Cast(arrow.PrimitiveTypes.Int64), false},
		{i.Cast(arrow.PrimitiveTypes.Int32), true},
		{f.Cast(arrow.PrimitiveTypes.Int64), true},
		{s.Cast(arrow.PrimitiveTypes.Int32), false}, // unparsable → NULL
		{u.Eq(i), true},                             // uint64 → int64 may overflow
		{n.Eq(i), false},
		{expr.Like(s, expr.Lit("a%")), false},
		{expr.Coalesce(n, i), false},
		{expr.Coalesce(u, i), true},
		{expr.Year(expr.Col("d")), false},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, mayFail(expr.Unwrap(tc.e), exprSchema), "%s", tc.e)
	}
}
