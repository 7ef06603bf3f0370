package agg_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/exectest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// column builds an array of type dt from Go values (nil is NULL): int64 for
// signed integers, date32 and timestamps, uint64 for unsigned integers,
// float64 for floats, bool, and string for strings and binaries.
func column(mem memory.Allocator, dt arrow.DataType, vals []any) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch b := b.(type) {
		case *array.Int8Builder:
			b.Append(int8(v.(int64)))
		case *array.Int16Builder:
			b.Append(int16(v.(int64)))
		case *array.Int32Builder:
			b.Append(int32(v.(int64)))
		case *array.Int64Builder:
			b.Append(v.(int64))
		case *array.Uint8Builder:
			b.Append(uint8(v.(uint64)))
		case *array.Uint16Builder:
			b.Append(uint16(v.(uint64)))
		case *array.Uint32Builder:
			b.Append(uint32(v.(uint64)))
		case *array.Uint64Builder:
			b.Append(v.(uint64))
		case *array.Float32Builder:
			b.Append(float32(v.(float64)))
		case *array.Float64Builder:
			b.Append(v.(float64))
		case *array.BooleanBuilder:
			b.Append(v.(bool))
		case *array.StringBuilder:
			b.Append(v.(string))
		case *array.LargeStringBuilder:
			b.Append(v.(string))
		case *array.BinaryBuilder:
			b.Append([]byte(v.(string)))
		case *array.Date32Builder:
			b.Append(arrow.Date32(v.(int64)))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(v.(int64)))
		default:
			panic(fmt.Sprintf("column: unsupported builder %T", b))
		}
	}
	return b.NewArray()
}

// record builds a record from columns of Go values, one per field.
func record(mem memory.Allocator, schema *arrow.Schema, cols ...[]any) arrow.Record {
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		arrs[i] = column(mem, schema.Field(i).Type, c)
		defer arrs[i].Release()
		n = len(c)
	}
	return array.NewRecord(schema, arrs, int64(n))
}

// valueAt returns row i of arr as a Go value (see column), nil for NULL.
func valueAt(arr arrow.Array, i int) any {
	if arr.DataType().ID() == arrow.NULL || arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return uint64(a.Value(i))
	case *array.Uint16:
		return uint64(a.Value(i))
	case *array.Uint32:
		return uint64(a.Value(i))
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	}
	panic(fmt.Sprintf("valueAt: unsupported array %T", arr))
}

// liveRows returns the live rows of b as Go values.
func liveRows(b exec.Batch) [][]any {
	out := make([][]any, b.Len())
	for i := range out {
		r := b.Row(i)
		row := make([]any, b.Rec.NumCols())
		for c := range row {
			row[c] = valueAt(b.Column(c), r)
		}
		out[i] = row
	}
	return out
}

// drain opens op, reads every batch, closes it and returns the rows. It
// checks every batch against the Operator.Next contract (see
// exectest.CheckBatch), with at most maxRows rows when maxRows > 0.
func drain(t *testing.T, op exec.Operator, maxRows int) ([][]any, error) {
	t.Helper()
	ctx := context.Background()
	defer func() { require.NoError(t, op.Close()) }()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	var rows [][]any
	err := exectest.ReadAll(ctx, op, maxRows, func(b exec.Batch) error {
		rows = append(rows, liveRows(b)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// newEnv returns an env with a checked allocator that the test asserts is
// empty at the end.
func newEnv(t *testing.T, batchSize int) (*exec.Env, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return exec.NewEnv(mem, nil, batchSize), mem
}
