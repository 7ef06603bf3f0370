package reference

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ErrUnsupported reports a column type the reference does not handle.
var ErrUnsupported = errors.New("unsupported type")

// Row is one row: a Go value per column with the conventions of
// expr.Literal (nil is NULL; see the package documentation).
type Row []any

// RowsFromRecord converts every row of rec (ignoring any selection) to Rows.
func RowsFromRecord(rec arrow.Record) ([]Row, error) {
	n := int(rec.NumRows())
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = make(Row, rec.NumCols())
	}
	for c, col := range rec.Columns() {
		for i := 0; i < n; i++ {
			v, err := Value(col, i)
			if err != nil {
				return nil, fmt.Errorf("column %q: %w", rec.ColumnName(c), err)
			}
			rows[i][c] = v
		}
	}
	return rows, nil
}

// Value returns the Go value at row i of arr (nil when NULL).
func Value(arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Null:
		return nil, nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int8:
		return a.Value(i), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Uint8:
		return a.Value(i), nil
	case *array.Uint16:
		return a.Value(i), nil
	case *array.Uint32:
		return a.Value(i), nil
	case *array.Uint64:
		return a.Value(i), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Binary:
		return append([]byte{}, a.Value(i)...), nil
	case *array.LargeBinary:
		return append([]byte{}, a.Value(i)...), nil
	case *array.Date32:
		return a.Value(i), nil
	case *array.Timestamp:
		return a.Value(i), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupported, arr.DataType())
}

// RecordFromRows builds a record of schema from rows. Each value must have
// the Go type of its column (see the package documentation); integer
// literals of another integer type are not converted.
func RecordFromRows(mem memory.Allocator, schema *arrow.Schema, rows []Row) (arrow.Record, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for r, row := range rows {
		if len(row) != schema.NumFields() {
			return nil, fmt.Errorf("row %d has %d values, want %d", r, len(row), schema.NumFields())
		}
		for c, v := range row {
			if err := appendValue(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("row %d column %q: %w", r, schema.Field(c).Name, err)
			}
		}
	}
	return b.NewRecord(), nil
}

// appendValue appends one Go value to a builder of the matching type.
func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	ok := true
	switch bb := b.(type) {
	case *array.NullBuilder:
		ok = false
	case *array.BooleanBuilder:
		x, k := v.(bool)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Int8Builder:
		x, k := v.(int8)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Int16Builder:
		x, k := v.(int16)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Int32Builder:
		x, k := v.(int32)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Int64Builder:
		x, k := v.(int64)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Uint8Builder:
		x, k := v.(uint8)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Uint16Builder:
		x, k := v.(uint16)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Uint32Builder:
		x, k := v.(uint32)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Uint64Builder:
		x, k := v.(uint64)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Float32Builder:
		x, k := v.(float32)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Float64Builder:
		x, k := v.(float64)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.StringBuilder:
		x, k := v.(string)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.LargeStringBuilder:
		x, k := v.(string)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.BinaryBuilder:
		x, k := v.([]byte)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.Date32Builder:
		x, k := v.(arrow.Date32)
		ok = k && appendOK(func() { bb.Append(x) })
	case *array.TimestampBuilder:
		x, k := v.(arrow.Timestamp)
		ok = k && appendOK(func() { bb.Append(x) })
	default:
		return fmt.Errorf("%w: %s", ErrUnsupported, b.Type())
	}
	if !ok {
		return fmt.Errorf("value %v of Go type %T does not fit %s", v, v, b.Type())
	}
	return nil
}

func appendOK(f func()) bool { f(); return true }
