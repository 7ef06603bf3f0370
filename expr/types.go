package expr

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// IsSignedInt reports whether t is int8, int16, int32 or int64.
func IsSignedInt(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

// IsUnsignedInt reports whether t is uint8, uint16, uint32 or uint64.
func IsUnsignedInt(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// IsInteger reports whether t is a signed or unsigned integer type.
func IsInteger(t arrow.DataType) bool { return IsSignedInt(t) || IsUnsignedInt(t) }

// IsFloat reports whether t is float32 or float64.
func IsFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

// IsNumeric reports whether t is an integer or floating-point type.
func IsNumeric(t arrow.DataType) bool { return IsInteger(t) || IsFloat(t) }

// IsNull reports whether t is the type of an untyped NULL literal.
func IsNullType(t arrow.DataType) bool { return t.ID() == arrow.NULL }

// IsString reports whether t is a UTF-8 string type.
func IsString(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

// IsTemporal reports whether t is date32 or a timestamp.
func IsTemporal(t arrow.DataType) bool {
	return t.ID() == arrow.DATE32 || t.ID() == arrow.TIMESTAMP
}

// IsOrderable reports whether values of t can be compared with < and sorted.
func IsOrderable(t arrow.DataType) bool {
	switch {
	case IsNumeric(t), IsString(t), IsTemporal(t), IsNullType(t):
		return true
	}
	switch t.ID() {
	case arrow.BOOL, arrow.BINARY:
		return true
	}
	return false
}

// intWidth returns the byte width of an integer type.
func intWidth(t arrow.DataType) int {
	return t.(arrow.FixedWidthDataType).BitWidth() / 8
}

func signedOfWidth(w int) arrow.DataType {
	switch w {
	case 1:
		return arrow.PrimitiveTypes.Int8
	case 2:
		return arrow.PrimitiveTypes.Int16
	case 4:
		return arrow.PrimitiveTypes.Int32
	default:
		return arrow.PrimitiveTypes.Int64
	}
}

func unsignedOfWidth(w int) arrow.DataType {
	switch w {
	case 1:
		return arrow.PrimitiveTypes.Uint8
	case 2:
		return arrow.PrimitiveTypes.Uint16
	case 4:
		return arrow.PrimitiveTypes.Uint32
	default:
		return arrow.PrimitiveTypes.Uint64
	}
}

// CommonNumeric returns the type two numeric operands are promoted to:
//   - any float64, or a float32 with an integer wider than 16 bits: float64;
//     float32 with float32 or a narrow integer: float32;
//   - two signed (or two unsigned) integers: the wider of the two;
//   - a signed with an unsigned integer: the signed type wide enough for
//     both (at most int64; values outside it raise ErrOverflow at run time).
//
// A NULL type operand takes the other operand's type. ok is false when either
// type is not numeric.
func CommonNumeric(a, b arrow.DataType) (arrow.DataType, bool) {
	if IsNullType(a) && (IsNumeric(b) || IsNullType(b)) {
		return b, true
	}
	if IsNullType(b) && IsNumeric(a) {
		return a, true
	}
	if !IsNumeric(a) || !IsNumeric(b) {
		return nil, false
	}
	if IsFloat(a) || IsFloat(b) {
		if a.ID() == arrow.FLOAT64 || b.ID() == arrow.FLOAT64 {
			return arrow.PrimitiveTypes.Float64, true
		}
		other := a
		if IsFloat(a) {
			other = b
		}
		if IsFloat(other) || intWidth(other) <= 2 {
			return arrow.PrimitiveTypes.Float32, true
		}
		return arrow.PrimitiveTypes.Float64, true
	}
	wa, wb := intWidth(a), intWidth(b)
	switch {
	case IsSignedInt(a) && IsSignedInt(b):
		return signedOfWidth(max(wa, wb)), true
	case IsUnsignedInt(a) && IsUnsignedInt(b):
		return unsignedOfWidth(max(wa, wb)), true
	case IsSignedInt(a):
		return signedOfWidth(max(wa, 2*wb)), true
	default:
		return signedOfWidth(max(wb, 2*wa)), true
	}
}

// CommonType returns the type two values are coerced to when they meet in a
// comparison, IN list, CASE branch or COALESCE: numeric promotion for
// numbers, the type itself when both are equal, the other type for NULL.
func CommonType(a, b arrow.DataType) (arrow.DataType, bool) {
	if t, ok := CommonNumeric(a, b); ok {
		return t, true
	}
	switch {
	case IsNullType(a):
		return b, true
	case IsNullType(b):
		return a, true
	case IsString(a) && IsString(b):
		if a.ID() == arrow.LARGE_STRING || b.ID() == arrow.LARGE_STRING {
			return arrow.BinaryTypes.LargeString, true
		}
		return arrow.BinaryTypes.String, true
	case arrow.TypeEqual(a, b):
		return a, true
	}
	return nil, false
}
