package reference

import (
	"fmt"
	"math"
	"math/big"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// arith evaluates + - * / % on non-NULL values already converted to the
// promoted type t.
func arith(op expr.BinaryOp, l, r any, t arrow.DataType) (any, error) {
	switch t.ID() {
	case arrow.FLOAT64:
		return floatArith(op, l.(float64), r.(float64)), nil
	case arrow.FLOAT32:
		return float32Arith(op, l.(float32), r.(float32)), nil
	}
	x, _ := bigOf(l)
	y, _ := bigOf(r)
	z := new(big.Int)
	switch op {
	case expr.OpAdd:
		z.Add(x, y)
	case expr.OpSub:
		z.Sub(x, y)
	case expr.OpMul:
		z.Mul(x, y)
	case expr.OpDiv, expr.OpMod:
		if y.Sign() == 0 {
			return nil, expr.ErrDivideByZero
		}
		if op == expr.OpDiv {
			z.Quo(x, y) // truncates toward zero
		} else {
			z.Rem(x, y) // sign of the dividend
		}
	}
	return fromBig(z, t)
}

func floatArith(op expr.BinaryOp, a, b float64) float64 {
	switch op {
	case expr.OpAdd:
		return a + b
	case expr.OpSub:
		return a - b
	case expr.OpMul:
		return a * b
	case expr.OpDiv:
		return a / b
	}
	return math.Mod(a, b)
}

func float32Arith(op expr.BinaryOp, a, b float32) float32 {
	switch op {
	case expr.OpAdd:
		return a + b
	case expr.OpSub:
		return a - b
	case expr.OpMul:
		return a * b
	case expr.OpDiv:
		return a / b
	}
	return float32(math.Mod(float64(a), float64(b)))
}

// dateArith evaluates date ± days and days + date.
func dateArith(op expr.BinaryOp, l, r any) (any, error) {
	if l == nil || r == nil {
		return nil, nil
	}
	var d arrow.Date32
	var days *big.Int
	if x, ok := l.(arrow.Date32); ok {
		d = x
		days, _ = bigOf(r)
	} else {
		d = r.(arrow.Date32)
		days, _ = bigOf(l)
	}
	if op == expr.OpSub {
		days.Neg(days)
	}
	z := new(big.Int).Add(big.NewInt(int64(d)), days)
	v, err := fromBig(z, arrow.PrimitiveTypes.Int32)
	if err != nil {
		return nil, fmt.Errorf("%w: date out of range", expr.ErrOverflow)
	}
	return arrow.Date32(v.(int32)), nil
}

// negate computes -v in type t.
func negate(v any, t arrow.DataType) (any, error) {
	switch x := v.(type) {
	case float64:
		return -x, nil
	case float32:
		return -x, nil
	}
	b, ok := bigOf(v)
	if !ok {
		return nil, fmt.Errorf("internal error: negate %T", v)
	}
	return fromBig(b.Neg(b), t)
}
