package expr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
)

// Literal is a constant of a given Arrow type. Value holds the Go value:
// int8…int64, uint8…uint64, float32, float64, bool, string, arrow.Date32 or
// arrow.Timestamp (microseconds); it is nil for NULL. A literal built from an
// unsupported Go value keeps the problem in Err and reports it from Type.
type Literal struct {
	Value    any
	DataType arrow.DataType
	Err      error
}

// Lit makes a literal from a Go value: int (as int64), the sized integer and
// float types, bool, string, time.Time (as timestamp[us, UTC]),
// arrow.Date32, arrow.Timestamp (as microseconds) or nil (an untyped NULL).
func Lit(v any) E {
	switch x := v.(type) {
	case nil:
		return wrap(&Literal{DataType: arrow.Null})
	case int:
		return wrap(&Literal{Value: int64(x), DataType: arrow.PrimitiveTypes.Int64})
	case int8:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Int8})
	case int16:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Int16})
	case int32:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Int32})
	case int64:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Int64})
	case uint:
		return wrap(&Literal{Value: uint64(x), DataType: arrow.PrimitiveTypes.Uint64})
	case uint8:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Uint8})
	case uint16:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Uint16})
	case uint32:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Uint32})
	case uint64:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Uint64})
	case float32:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Float32})
	case float64:
		return wrap(&Literal{Value: x, DataType: arrow.PrimitiveTypes.Float64})
	case bool:
		return wrap(&Literal{Value: x, DataType: arrow.FixedWidthTypes.Boolean})
	case string:
		return wrap(&Literal{Value: x, DataType: arrow.BinaryTypes.String})
	case arrow.Date32:
		return wrap(&Literal{Value: x, DataType: arrow.FixedWidthTypes.Date32})
	case arrow.Timestamp:
		return wrap(&Literal{Value: x, DataType: TimestampType})
	case time.Time:
		return wrap(&Literal{Value: arrow.Timestamp(x.UnixMicro()), DataType: TimestampType})
	default:
		return wrap(&Literal{DataType: arrow.Null, Err: fmt.Errorf("%w: unsupported literal of Go type %T", ErrType, v)})
	}
}

// TimestampType is the timestamp type of literals: microseconds, UTC.
var TimestampType arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// Date makes a date32 literal for the given calendar day.
func Date(year int, month time.Month, day int) E {
	return Lit(arrow.Date32FromTime(time.Date(year, month, day, 0, 0, 0, 0, time.UTC)))
}

// Null makes a typed NULL literal.
func Null(t arrow.DataType) E { return wrap(&Literal{DataType: t}) }

// IsNull reports whether the literal is NULL.
func (l *Literal) IsNull() bool { return l.Value == nil }

// Type returns the literal's type, or the construction error.
func (l *Literal) Type(*arrow.Schema) (arrow.DataType, error) {
	if l.Err != nil {
		return nil, l.Err
	}
	return l.DataType, nil
}

func (l *Literal) Children() []Expr         { return nil }
func (l *Literal) WithChildren([]Expr) Expr { return l }
func (*Literal) isExpr()                    {}

func (l *Literal) String() string {
	if l.Err != nil {
		return "<invalid literal>"
	}
	switch v := l.Value.(type) {
	case nil:
		if IsNullType(l.DataType) {
			return "NULL"
		}
		return "CAST(NULL AS " + l.DataType.String() + ")"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case float32:
		return FormatFloat(float64(v), 32)
	case float64:
		return FormatFloat(v, 64)
	case arrow.Date32:
		return "DATE '" + v.FormattedString() + "'"
	case arrow.Timestamp:
		return "TIMESTAMP '" + v.ToTime(arrow.Microsecond).Format("2006-01-02 15:04:05.999999") + "'"
	case bool:
		if v {
			return "true"
		}
		return "false"
	default:
		return fmt.Sprint(v)
	}
}

// FormatFloat prints f as Grain prints floats everywhere (EXPLAIN, Show,
// casts to string): the shortest form that reads back to the same value,
// with ".0" added to integral values so they never look like integers, and
// NaN, Infinity and -Infinity spelled out.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
