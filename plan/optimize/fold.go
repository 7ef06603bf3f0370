package optimize

import (
	"bytes"
	"cmp"
	"math"
	"math/big"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Folding computes with literal values exactly as the executor does
// (expr's semantics: integers exact with range checks, floats IEEE in the
// promoted width). Every helper returns ok == false when the operation
// would raise an error at run time (overflow, division by zero) or is not
// covered; the expression is then left for run time, so its error is kept.

// bigOf returns the exact value of an integer Go value.
func bigOf(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case int8:
		return big.NewInt(int64(x)), true
	case int16:
		return big.NewInt(int64(x)), true
	case int32:
		return big.NewInt(int64(x)), true
	case int64:
		return big.NewInt(x), true
	case uint8:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint16:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint32:
		return new(big.Int).SetUint64(uint64(x)), true
	case uint64:
		return new(big.Int).SetUint64(x), true
	}
	return nil, false
}

// fromBig converts an exact integer to the Go value of integer type t; ok
// is false when it does not fit.
func fromBig(b *big.Int, t arrow.DataType) (any, bool) {
	if !expr.IsInteger(t) {
		return nil, false
	}
	bits := uint(t.(arrow.FixedWidthDataType).BitWidth())
	one := big.NewInt(1)
	var lo, hi *big.Int
	if expr.IsSignedInt(t) {
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, bits-1), one)
		lo = new(big.Int).Neg(new(big.Int).Lsh(one, bits-1))
	} else {
		lo, hi = big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, bits), one)
	}
	if b.Cmp(lo) < 0 || b.Cmp(hi) > 0 {
		return nil, false
	}
	switch t.ID() {
	case arrow.INT8:
		return int8(b.Int64()), true
	case arrow.INT16:
		return int16(b.Int64()), true
	case arrow.INT32:
		return int32(b.Int64()), true
	case arrow.INT64:
		return b.Int64(), true
	case arrow.UINT8:
		return uint8(b.Uint64()), true
	case arrow.UINT16:
		return uint16(b.Uint64()), true
	case arrow.UINT32:
		return uint32(b.Uint64()), true
	}
	return b.Uint64(), true
}

// convertNumber converts a non-NULL numeric Go value to numeric type to,
// as CAST and implicit promotion do: integers range-checked, integers to
// floats with one rounding, float64 to float32 rounding. Float to integer
// is not folded.
func convertNumber(v any, to arrow.DataType) (any, bool) {
	switch to.ID() {
	case arrow.FLOAT64:
		switch x := v.(type) {
		case float64:
			return x, true
		case float32:
			return float64(x), true
		}
		if b, ok := bigOf(v); ok {
			if b.IsInt64() {
				return float64(b.Int64()), true
			}
			return float64(b.Uint64()), true
		}
	case arrow.FLOAT32:
		switch x := v.(type) {
		case float32:
			return x, true
		case float64:
			return float32(x), true
		}
		if b, ok := bigOf(v); ok {
			if b.IsInt64() {
				return float32(b.Int64()), true
			}
			return float32(b.Uint64()), true
		}
	default:
		if b, ok := bigOf(v); ok {
			return fromBig(b, to)
		}
	}
	return nil, false
}

// foldArith computes l op r for non-NULL numeric literals in the promoted
// type t.
func foldArith(op expr.BinaryOp, l, r any, t arrow.DataType) (any, bool) {
	x, ok1 := convertNumber(l, t)
	y, ok2 := convertNumber(r, t)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch a := x.(type) {
	case float64:
		b := y.(float64)
		switch op {
		case expr.OpAdd:
			return a + b, true
		case expr.OpSub:
			return a - b, true
		case expr.OpMul:
			return a * b, true
		case expr.OpDiv:
			return a / b, true
		}
		return math.Mod(a, b), true
	case float32:
		b := y.(float32)
		switch op {
		case expr.OpAdd:
			return a + b, true
		case expr.OpSub:
			return a - b, true
		case expr.OpMul:
			return a * b, true
		case expr.OpDiv:
			return a / b, true
		}
		return float32(math.Mod(float64(a), float64(b))), true
	}
	bx, _ := bigOf(x)
	by, _ := bigOf(y)
	z := new(big.Int)
	switch op {
	case expr.OpAdd:
		z.Add(bx, by)
	case expr.OpSub:
		z.Sub(bx, by)
	case expr.OpMul:
		z.Mul(bx, by)
	default:
		if by.Sign() == 0 {
			return nil, false // ErrDivideByZero stays a run-time error
		}
		if op == expr.OpDiv {
			z.Quo(bx, by)
		} else {
			z.Rem(bx, by)
		}
	}
	return fromBig(z, t)
}

// foldNeg computes -v in type t.
func foldNeg(v any, t arrow.DataType) (any, bool) {
	switch x := v.(type) {
	case float64:
		return -x, true
	case float32:
		return -x, true
	}
	b, ok := bigOf(v)
	if !ok {
		return nil, false
	}
	return fromBig(b.Neg(b), t)
}

// foldCompare compares two non-NULL literals of types lt and rt in their
// common type, with the engine's order: NaN above every number and equal to
// itself, -0 equal to +0, strings and binaries bytewise, false before true.
func foldCompare(l, r any, lt, rt arrow.DataType) (int, bool) {
	ct, ok := expr.CommonType(lt, rt)
	if !ok {
		return 0, false
	}
	if expr.IsNumeric(ct) {
		x, ok1 := convertNumber(l, ct)
		y, ok2 := convertNumber(r, ct)
		if !ok1 || !ok2 {
			return 0, false
		}
		return compareNumbers(x, y)
	}
	switch x := l.(type) {
	case string:
		y, ok := r.(string)
		return cmp.Compare(x, y), ok
	case []byte:
		y, ok := r.([]byte)
		return bytes.Compare(x, y), ok
	case bool:
		y, ok := r.(bool)
		return cmpBool(x, y), ok
	case arrow.Date32:
		y, ok := r.(arrow.Date32)
		return cmp.Compare(x, y), ok
	case arrow.Timestamp:
		y, ok := r.(arrow.Timestamp)
		return cmp.Compare(x, y), ok && arrow.TypeEqual(lt, rt)
	}
	return 0, false
}

func compareNumbers(x, y any) (int, bool) {
	switch a := x.(type) {
	case float64:
		return cmpFloat(a, y.(float64)), true
	case float32:
		return cmpFloat(float64(a), float64(y.(float32))), true
	}
	bx, ok1 := bigOf(x)
	by, ok2 := bigOf(y)
	if !ok1 || !ok2 {
		return 0, false
	}
	return bx.Cmp(by), true
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// cmpFloat orders NaN above everything (equal to itself); -0 equals +0.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareResult turns a three-way comparison into op's truth value.
func compareResult(op expr.BinaryOp, c int) bool {
	switch op {
	case expr.OpEq:
		return c == 0
	case expr.OpNotEq:
		return c != 0
	case expr.OpLt:
		return c < 0
	case expr.OpLtEq:
		return c <= 0
	case expr.OpGt:
		return c > 0
	}
	return c >= 0
}

// negated is the comparison that is true exactly when op is false (on
// non-NULL operands, in the engine's total order).
var negated = map[expr.BinaryOp]expr.BinaryOp{
	expr.OpEq: expr.OpNotEq, expr.OpNotEq: expr.OpEq,
	expr.OpLt: expr.OpGtEq, expr.OpGtEq: expr.OpLt,
	expr.OpGt: expr.OpLtEq, expr.OpLtEq: expr.OpGt,
}

// lit makes a literal of exactly type t (v must be t's Go value, nil for
// NULL).
func lit(v any, t arrow.DataType) *expr.Literal { return &expr.Literal{Value: v, DataType: t} }
