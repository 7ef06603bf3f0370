package reference

import (
	"fmt"
	"math"
	"math/big"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

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

// intRange returns the inclusive bounds of integer type t.
func intRange(t arrow.DataType) (lo, hi *big.Int) {
	bits := uint(t.(arrow.FixedWidthDataType).BitWidth())
	one := big.NewInt(1)
	if expr.IsSignedInt(t) {
		hi = new(big.Int).Sub(new(big.Int).Lsh(one, bits-1), one)
		lo = new(big.Int).Neg(new(big.Int).Lsh(one, bits-1))
		return lo, hi
	}
	return big.NewInt(0), new(big.Int).Sub(new(big.Int).Lsh(one, bits), one)
}

// fromBig converts an exact integer to the Go value of integer type t, or
// fails with ErrOverflow.
func fromBig(b *big.Int, t arrow.DataType) (any, error) {
	lo, hi := intRange(t)
	if b.Cmp(lo) < 0 || b.Cmp(hi) > 0 {
		return nil, fmt.Errorf("%w: %s does not fit %s", expr.ErrOverflow, b, t)
	}
	switch t.ID() {
	case arrow.INT8:
		return int8(b.Int64()), nil
	case arrow.INT16:
		return int16(b.Int64()), nil
	case arrow.INT32:
		return int32(b.Int64()), nil
	case arrow.INT64:
		return b.Int64(), nil
	case arrow.UINT8:
		return uint8(b.Uint64()), nil
	case arrow.UINT16:
		return uint16(b.Uint64()), nil
	case arrow.UINT32:
		return uint32(b.Uint64()), nil
	default:
		return b.Uint64(), nil
	}
}

// toFloat64 converts a numeric or boolean Go value with Go's conversion
// (round to nearest).
func toFloat64(v any) float64 {
	switch x := v.(type) {
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return float64(x)
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	}
	panic(fmt.Sprintf("internal error: toFloat64 of %T", v))
}

// toFloat32 converts directly to float32 (one rounding, not via float64,
// except for float64 sources).
func toFloat32(v any) float32 {
	switch x := v.(type) {
	case int8:
		return float32(x)
	case int16:
		return float32(x)
	case int32:
		return float32(x)
	case int64:
		return float32(x)
	case uint8:
		return float32(x)
	case uint16:
		return float32(x)
	case uint32:
		return float32(x)
	case uint64:
		return float32(x)
	case float32:
		return x
	case float64:
		return float32(x)
	case bool:
		if x {
			return 1
		}
		return 0
	}
	panic(fmt.Sprintf("internal error: toFloat32 of %T", v))
}

// convertNumeric converts a numeric or boolean value to numeric or boolean
// type to, with the CAST rules (also used for implicit promotion).
func convertNumeric(v any, to arrow.DataType) (any, error) {
	switch {
	case to.ID() == arrow.BOOL:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return toFloat64(v) != 0 || isNaN(v), nil
	case to.ID() == arrow.FLOAT64:
		return toFloat64(v), nil
	case to.ID() == arrow.FLOAT32:
		return toFloat32(v), nil
	}
	// integer target
	if b, ok := v.(bool); ok {
		if b {
			return fromBig(big.NewInt(1), to)
		}
		return fromBig(big.NewInt(0), to)
	}
	if x, ok := bigOf(v); ok {
		return fromBig(x, to)
	}
	f := toFloat64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w: %v does not fit %s", expr.ErrOverflow, f, to)
	}
	x, _ := big.NewFloat(math.Trunc(f)).Int(nil)
	return fromBig(x, to)
}

func isNaN(v any) bool {
	switch x := v.(type) {
	case float32:
		return x != x
	case float64:
		return x != x
	}
	return false
}
