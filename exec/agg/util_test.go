package agg_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/exec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sourceOp is an operator that yields given batches. It owns one reference
// to each batch's record and releases the ones it never handed out in
// Close.
type sourceOp struct {
	schema  *arrow.Schema
	batches []exec.Batch
	next    int
	opened  int
	closed  int
	err     error // returned instead of the batch at index errAt
	errAt   int
}

var _ exec.Operator = (*sourceOp)(nil)

func newSource(schema *arrow.Schema, batches ...exec.Batch) *sourceOp {
	return &sourceOp{schema: schema, batches: batches, errAt: -1}
}

func (s *sourceOp) Schema() *arrow.Schema { return s.schema }

func (s *sourceOp) Open(context.Context) error { s.opened++; return nil }

func (s *sourceOp) Next(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	if s.next == s.errAt {
		return exec.Batch{}, s.err
	}
	if s.next >= len(s.batches) {
		return exec.Batch{}, io.EOF
	}
	b := s.batches[s.next]
	s.batches[s.next] = exec.Batch{}
	s.next++
	return b, nil
}

func (s *sourceOp) Close() error {
	s.closed++
	for i := s.next; i < len(s.batches); i++ {
		s.batches[i].Release()
	}
	s.next = len(s.batches)
	return nil
}

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
// checks that every batch is non-empty, has op's schema and holds at most
// maxRows rows (when maxRows > 0).
func drain(t *testing.T, op exec.Operator, maxRows int) ([][]any, error) {
	t.Helper()
	ctx := context.Background()
	defer func() { require.NoError(t, op.Close()) }()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	var rows [][]any
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		require.Positive(t, b.Len(), "empty batch")
		require.True(t, b.Rec.Schema().Equal(op.Schema()), "batch schema %s, want %s", b.Rec.Schema(), op.Schema())
		if maxRows > 0 {
			require.LessOrEqual(t, b.Len(), maxRows)
		}
		rows = append(rows, liveRows(b)...)
		b.Release()
	}
}

// newEnv returns an env with a checked allocator that the test asserts is
// empty at the end.
func newEnv(t *testing.T, batchSize int) (*exec.Env, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return exec.NewEnv(mem, nil, batchSize), mem
}
