package frame

import (
	"fmt"
	"reflect"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FromStructs builds a DataFrame with one row per element of rows and one
// column per exported field of T, in field order. T is a struct type or a
// pointer to one (a nil element is an error).
//
// A field's column is named by its `grain:"name"` tag, or by the field name;
// `grain:"-"` skips the field, as do unexported fields. Supported field
// types are the integer, float, bool and string kinds (named types such as
// `type Cents int64` included), []byte, time.Time (timestamp[us, UTC]),
// arrow.Date32 and arrow.Timestamp; a pointer to any of them makes a nullable
// column in which nil is NULL. Any other field type, embedded structs
// included, makes the DataFrame fail with a *FieldTypeError wrapping
// ErrUnsupportedType, even when rows is empty.
//
// The values are copied into Arrow memory from the session's allocator.
func FromStructs[T any](s *Session, rows []T) *DataFrame {
	rt := reflect.TypeFor[T]()
	step := "FromStructs[" + rt.String() + "]"
	cols, err := structColumns(rt)
	if err != nil {
		return failed(s, step, err)
	}
	vals := make([]reflect.Value, len(rows))
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return failed(s, step, invalidInput("row %d is a nil pointer", i))
			}
			v = v.Elem()
		}
		vals[i] = v
	}
	series := make([]Series, len(cols))
	for i, c := range cols {
		series[i] = c.series(vals)
	}
	return s.fromSeries(step, series)
}

// structColumn describes how one struct field becomes a column.
type structColumn struct {
	name     string
	index    []int        // field index path
	canon    reflect.Type // the Value type the field converts to
	nullable bool         // the field is a pointer
}

// structColumns lists the columns of struct type rt (or pointer to struct).
func structColumns(rt reflect.Type) ([]structColumn, error) {
	if rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: FromStructs needs a struct type, got %s", ErrUnsupportedType, rt)
	}
	var cols []structColumn
	seen := map[string]bool{}
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag := f.Tag.Get("grain")
		if tag == "-" {
			continue
		}
		if f.Anonymous {
			return nil, &FieldTypeError{Field: f.Name, Type: f.Type}
		}
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag != "" {
			name = tag
		}
		if seen[name] {
			return nil, invalidInput("two fields map to column %q", name)
		}
		seen[name] = true
		ft, nullable := f.Type, false
		if ft.Kind() == reflect.Pointer {
			ft, nullable = ft.Elem(), true
		}
		canon, ok := canonicalType(ft)
		if !ok {
			return nil, &FieldTypeError{Field: f.Name, Type: f.Type}
		}
		cols = append(cols, structColumn{name: name, index: f.Index, canon: canon, nullable: nullable})
	}
	return cols, nil
}

// kindTypes maps the basic kinds to the Value type they convert to.
var kindTypes = map[reflect.Kind]reflect.Type{
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](),
	reflect.Int16: reflect.TypeFor[int16](), reflect.Int32: reflect.TypeFor[int32](),
	reflect.Int64: reflect.TypeFor[int64](), reflect.Uint: reflect.TypeFor[uint](),
	reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: reflect.TypeFor[string](),
}

// canonicalType returns the Value type a field of type t converts to.
// time.Time, arrow.Date32, arrow.Timestamp and []byte keep their meaning;
// other named types convert by kind.
func canonicalType(t reflect.Type) (reflect.Type, bool) {
	switch t {
	case reflect.TypeFor[time.Time](), reflect.TypeFor[arrow.Date32](),
		reflect.TypeFor[arrow.Timestamp](), reflect.TypeFor[[]byte]():
		return t, true
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return reflect.TypeFor[[]byte](), true
	}
	c, ok := kindTypes[t.Kind()]
	return c, ok
}

// series copies the field out of every row into a Series.
func (c structColumn) series(rows []reflect.Value) Series {
	return Series{
		name: c.name, typ: arrowTypes[c.canon], n: len(rows), nullable: c.nullable,
		build: func(mem memory.Allocator) arrow.Array {
			vals := reflect.MakeSlice(reflect.SliceOf(c.canon), len(rows), len(rows))
			var valid []bool
			if c.nullable {
				valid = make([]bool, len(rows))
			}
			for i, r := range rows {
				f := r.FieldByIndex(c.index)
				if c.nullable {
					if f.IsNil() {
						continue
					}
					valid[i] = true
					f = f.Elem()
				}
				if f.Type() != c.canon {
					f = f.Convert(c.canon)
				}
				vals.Index(i).Set(f)
			}
			return buildArray(mem, vals.Interface(), valid)
		},
	}
}
