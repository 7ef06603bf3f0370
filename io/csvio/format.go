package csvio

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// formatter appends the text of row i of one column to dst; valid is false
// for NULL.
type formatter func(dst []byte, i int) (out []byte, valid bool)

// checkWritable reports whether Write can print values of type dt.
func checkWritable(dt arrow.DataType) error {
	switch dt := dt.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.BooleanType,
		*arrow.StringType, *arrow.LargeStringType,
		*arrow.Date32Type, *arrow.Date64Type, *arrow.TimestampType,
		*arrow.Decimal128Type, *arrow.Decimal256Type:
		return nil
	case *arrow.DictionaryType:
		return checkWritable(dt.ValueType)
	}
	return fmt.Errorf("%w: csv cannot write %s", ErrUnsupportedType, dt)
}

// newFormatter returns the formatter of a column whose type passed
// checkWritable.
func newFormatter(arr arrow.Array) formatter {
	switch a := arr.(type) {
	case *array.Int8:
		return intFormatter(a, a.Int8Values())
	case *array.Int16:
		return intFormatter(a, a.Int16Values())
	case *array.Int32:
		return intFormatter(a, a.Int32Values())
	case *array.Int64:
		return intFormatter(a, a.Int64Values())
	case *array.Uint8:
		return uintFormatter(a, a.Uint8Values())
	case *array.Uint16:
		return uintFormatter(a, a.Uint16Values())
	case *array.Uint32:
		return uintFormatter(a, a.Uint32Values())
	case *array.Uint64:
		return uintFormatter(a, a.Uint64Values())
	case *array.Float32:
		vals := a.Float32Values()
		return valid(a, func(dst []byte, i int) []byte { return appendFloat(dst, float64(vals[i]), 32) })
	case *array.Float64:
		vals := a.Float64Values()
		return valid(a, func(dst []byte, i int) []byte { return appendFloat(dst, vals[i], 64) })
	case *array.Boolean:
		return valid(a, func(dst []byte, i int) []byte { return strconv.AppendBool(dst, a.Value(i)) })
	case *array.String:
		return valid(a, func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) })
	case *array.LargeString:
		return valid(a, func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) })
	case *array.Date32:
		vals := a.Date32Values()
		return valid(a, func(dst []byte, i int) []byte { return appendDate(dst, int64(vals[i])) })
	case *array.Date64:
		vals := a.Date64Values()
		return valid(a, func(dst []byte, i int) []byte { return appendDate(dst, floorDiv(int64(vals[i]), 86_400_000)) })
	case *array.Timestamp:
		vals := a.TimestampValues()
		unit := a.DataType().(*arrow.TimestampType).Unit
		return valid(a, func(dst []byte, i int) []byte { return appendTimestamp(dst, int64(vals[i]), unit) })
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return valid(a, func(dst []byte, i int) []byte { return append(dst, a.Value(i).ToString(scale)...) })
	case *array.Decimal256:
		scale := a.DataType().(*arrow.Decimal256Type).Scale
		return valid(a, func(dst []byte, i int) []byte { return append(dst, a.Value(i).ToString(scale)...) })
	case *array.Dictionary:
		inner := newFormatter(a.Dictionary())
		return func(dst []byte, i int) ([]byte, bool) {
			if a.IsNull(i) {
				return dst, false
			}
			return inner(dst, a.GetValueIndex(i))
		}
	}
	panic(fmt.Sprintf("internal error: csv formatter for %s", arr.DataType()))
}

// valid wraps f with the array's null check.
func valid(a arrow.Array, f func(dst []byte, i int) []byte) formatter {
	if a.NullN() == 0 {
		return func(dst []byte, i int) ([]byte, bool) { return f(dst, i), true }
	}
	return func(dst []byte, i int) ([]byte, bool) {
		if a.IsNull(i) {
			return dst, false
		}
		return f(dst, i), true
	}
}

func intFormatter[T int8 | int16 | int32 | int64](a arrow.Array, vals []T) formatter {
	return valid(a, func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(vals[i]), 10) })
}

func uintFormatter[T uint8 | uint16 | uint32 | uint64](a arrow.Array, vals []T) formatter {
	return valid(a, func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(vals[i]), 10) })
}

// appendFloat prints the shortest text that reads back as the same value,
// with ".0" on integral values so that inference keeps them floats.
func appendFloat(dst []byte, v float64, bits int) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, v, 'g', -1, bits)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return dst
	}
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// appendDate prints days since the epoch as YYYY-MM-DD.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int64(m), 2)
	dst = append(dst, '-')
	return appendPadded(dst, int64(d), 2)
}

// appendTimestamp prints a timestamp in UTC as YYYY-MM-DD HH:MM:SS with a
// fraction (trailing zeros removed) when it is not a whole second.
func appendTimestamp(dst []byte, v int64, unit arrow.TimeUnit) []byte {
	unitNanos := int64(unit.Multiplier())
	perSec := int64(time.Second) / unitNanos
	secs := floorDiv(v, perSec)
	sub := v - secs*perSec
	days := floorDiv(secs, 86400)
	tod := secs - days*86400
	dst = appendDate(dst, days)
	dst = append(dst, ' ')
	dst = appendPadded(dst, tod/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, tod/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, tod%60, 2)
	if sub == 0 {
		return dst
	}
	digits := 0
	for p := perSec; p > 1; p /= 10 {
		digits++
	}
	dst = append(dst, '.')
	dst = appendPadded(dst, sub, digits)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendPadded prints a non-negative v with at least width digits.
func appendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
