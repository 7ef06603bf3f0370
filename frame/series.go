package frame

import (
	"reflect"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
)

// Value is the set of Go types a Series can hold, and the Arrow type each
// becomes:
//
//	int, int64            int64         uint, uint64   uint64
//	int8 … int32          int8 … int32  uint8 … uint32 uint8 … uint32
//	float32, float64      float32, float64
//	bool                  bool          string         utf8
//	[]byte                binary        arrow.Date32   date32
//	time.Time             timestamp[us, UTC]
//	arrow.Timestamp       timestamp[us, UTC] (microseconds since the epoch)
type Value interface {
	int | int8 | int16 | int32 | int64 |
		uint | uint8 | uint16 | uint32 | uint64 |
		float32 | float64 | bool | string | []byte |
		time.Time | arrow.Date32 | arrow.Timestamp
}

// Series is a named column of Go values, the input of Session.FromColumns.
// Build one with Col, NullableCol or the typed shorthands (Int64s, Strings…).
type Series struct {
	name     string
	typ      arrow.DataType
	n        int
	nullable bool
	build    func(mem memory.Allocator) arrow.Array
}

// Name is the column name.
func (s Series) Name() string { return s.name }

// Len is the number of values.
func (s Series) Len() int { return s.n }

// Type is the Arrow type of the column.
func (s Series) Type() arrow.DataType { return s.typ }

// Col makes a column without NULLs from Go values (see Value for the
// types). The values are copied when the DataFrame is built.
func Col[T Value](name string, vals []T) Series {
	return Series{
		name: name, typ: arrowTypeOf[T](), n: len(vals),
		build: func(mem memory.Allocator) arrow.Array { return buildArray(mem, vals, nil) },
	}
}

// NullableCol makes a nullable column: a nil pointer is NULL.
func NullableCol[T Value](name string, vals []*T) Series {
	return Series{
		name: name, typ: arrowTypeOf[T](), n: len(vals), nullable: true,
		build: func(mem memory.Allocator) arrow.Array {
			v := make([]T, len(vals))
			valid := make([]bool, len(vals))
			for i, p := range vals {
				if p != nil {
					v[i], valid[i] = *p, true
				}
			}
			return buildArray(mem, v, valid)
		},
	}
}

// Int64s makes an int64 column.
func Int64s(name string, vals []int64) Series { return Col(name, vals) }

// Float64s makes a float64 column.
func Float64s(name string, vals []float64) Series { return Col(name, vals) }

// Strings makes a utf8 column.
func Strings(name string, vals []string) Series { return Col(name, vals) }

// Bools makes a boolean column.
func Bools(name string, vals []bool) Series { return Col(name, vals) }

// Ptr returns a pointer to v, for writing NullableCol literals:
// frame.NullableCol("a", []*int64{frame.Ptr[int64](1), nil}).
func Ptr[T any](v T) *T { return &v }

// arrowTypes maps each Value type to its Arrow type.
var arrowTypes = map[reflect.Type]arrow.DataType{
	reflect.TypeFor[int]():             arrow.PrimitiveTypes.Int64,
	reflect.TypeFor[int8]():            arrow.PrimitiveTypes.Int8,
	reflect.TypeFor[int16]():           arrow.PrimitiveTypes.Int16,
	reflect.TypeFor[int32]():           arrow.PrimitiveTypes.Int32,
	reflect.TypeFor[int64]():           arrow.PrimitiveTypes.Int64,
	reflect.TypeFor[uint]():            arrow.PrimitiveTypes.Uint64,
	reflect.TypeFor[uint8]():           arrow.PrimitiveTypes.Uint8,
	reflect.TypeFor[uint16]():          arrow.PrimitiveTypes.Uint16,
	reflect.TypeFor[uint32]():          arrow.PrimitiveTypes.Uint32,
	reflect.TypeFor[uint64]():          arrow.PrimitiveTypes.Uint64,
	reflect.TypeFor[float32]():         arrow.PrimitiveTypes.Float32,
	reflect.TypeFor[float64]():         arrow.PrimitiveTypes.Float64,
	reflect.TypeFor[bool]():            arrow.FixedWidthTypes.Boolean,
	reflect.TypeFor[string]():          arrow.BinaryTypes.String,
	reflect.TypeFor[[]byte]():          arrow.BinaryTypes.Binary,
	reflect.TypeFor[arrow.Date32]():    arrow.FixedWidthTypes.Date32,
	reflect.TypeFor[arrow.Timestamp](): expr.TimestampType,
	reflect.TypeFor[time.Time]():       expr.TimestampType,
}

// arrowTypeOf returns the Arrow type a Series of T holds.
func arrowTypeOf[T Value]() arrow.DataType { return arrowTypes[reflect.TypeFor[T]()] }

// appender is the part of a typed Arrow builder buildArray uses.
type appender[E any] interface {
	AppendValues(v []E, valid []bool)
	NewArray() arrow.Array
	Release()
}

// fill appends v (valid: nil for all valid) to b and returns the array.
func fill[E any, B appender[E]](b B, v []E, valid []bool) arrow.Array {
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}

// buildArray copies vals, a slice of a Value type, into a new Arrow array
// allocated from mem. valid marks the non-NULL values (nil: all). The caller
// releases the array.
func buildArray(mem memory.Allocator, vals any, valid []bool) arrow.Array {
	switch v := vals.(type) {
	case []int:
		return fill(array.NewInt64Builder(mem), convert[int, int64](v), valid)
	case []int8:
		return fill(array.NewInt8Builder(mem), v, valid)
	case []int16:
		return fill(array.NewInt16Builder(mem), v, valid)
	case []int32:
		return fill(array.NewInt32Builder(mem), v, valid)
	case []int64:
		return fill(array.NewInt64Builder(mem), v, valid)
	case []uint:
		return fill(array.NewUint64Builder(mem), convert[uint, uint64](v), valid)
	case []uint8:
		return fill(array.NewUint8Builder(mem), v, valid)
	case []uint16:
		return fill(array.NewUint16Builder(mem), v, valid)
	case []uint32:
		return fill(array.NewUint32Builder(mem), v, valid)
	case []uint64:
		return fill(array.NewUint64Builder(mem), v, valid)
	case []float32:
		return fill(array.NewFloat32Builder(mem), v, valid)
	case []float64:
		return fill(array.NewFloat64Builder(mem), v, valid)
	case []bool:
		return fill(array.NewBooleanBuilder(mem), v, valid)
	case []string:
		return fill(array.NewStringBuilder(mem), v, valid)
	case [][]byte:
		return fill(array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary), v, valid)
	case []arrow.Date32:
		return fill(array.NewDate32Builder(mem), v, valid)
	case []arrow.Timestamp:
		return fill(newTimestampBuilder(mem), v, valid)
	case []time.Time:
		ts := make([]arrow.Timestamp, len(v))
		for i, t := range v {
			ts[i] = arrow.Timestamp(t.UnixMicro())
		}
		return fill(newTimestampBuilder(mem), ts, valid)
	}
	panic("internal error: frame: buildArray: Value type without a builder")
}

func newTimestampBuilder(mem memory.Allocator) *array.TimestampBuilder {
	return array.NewTimestampBuilder(mem, expr.TimestampType.(*arrow.TimestampType))
}

// convert copies a slice element by element into another integer type.
func convert[From, To int | int64 | uint | uint64](v []From) []To {
	out := make([]To, len(v))
	for i, x := range v {
		out[i] = To(x)
	}
	return out
}
