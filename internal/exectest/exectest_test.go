package exectest_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/exectest"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// record builds a record of n rows: a = first+i (NULL when i is 2), s = "x".
func record(mem memory.Allocator, first int64, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range n {
		if i == 2 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(first + int64(i))
		}
		b.Field(1).(*array.StringBuilder).Append("x")
	}
	return b.NewRecord()
}

func newMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func TestSourceHandsOutBatchesAndReleasesTheRest(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	sel := []int32{0, 3}
	src := exectest.NewSource(schema,
		exec.Batch{Rec: record(mem, 0, 4), Sel: sel},
		exec.Batch{Rec: record(mem, 10, 3)},
		exec.Batch{Rec: record(mem, 20, 3)})
	require.Equal(t, 3, src.Len())
	require.Len(t, src.Pending(), 3)
	require.NoError(t, src.Open(ctx))
	require.Equal(t, 1, src.Opens())

	b, err := src.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, sel, b.Sel)
	b.Sel[0] = 1 // the consumer may narrow its copy
	require.Equal(t, int32(0), sel[0], "each batch carries its own selection")
	b.Release()
	require.Equal(t, 1, src.Pulls())
	require.Len(t, src.Pending(), 2)

	require.NoError(t, src.Close())
	require.NoError(t, src.Close())
	require.Equal(t, 2, src.Closes())
	require.Equal(t, 1, src.Pulls(), "Close does not count as pulls")
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, io.EOF, "a closed source is exhausted")
}

func TestSourceFailAtAndCancel(t *testing.T) {
	mem := newMem(t)
	boom := errors.New("boom")
	src := exectest.NewSource(schema, exec.Batch{Rec: record(mem, 0, 1)}, exec.Batch{Rec: record(mem, 1, 1)})
	src.FailAt(1, boom)
	ctx, cancel := context.WithCancel(context.Background())
	b, err := src.Next(ctx)
	require.NoError(t, err)
	b.Release()
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, boom)
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, boom, "the failure repeats")
	src.FailAt(-1, nil)
	cancel()
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, src.Close())
}

func TestCheckBatch(t *testing.T) {
	mem := newMem(t)
	rec := record(mem, 0, 4)
	defer rec.Release()
	other := arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for _, c := range []struct {
		b       exec.Batch
		schema  *arrow.Schema
		maxRows int
		want    string
	}{
		{exec.Batch{Rec: rec}, schema, 0, ""},
		{exec.Batch{Rec: rec, Sel: []int32{1, 3}}, schema, 2, ""},
		{exec.Batch{}, schema, 0, "without a record"},
		{exec.Batch{Rec: rec, Sel: []int32{}}, schema, 0, "empty batch"},
		{exec.Batch{Rec: rec}, schema, 3, "batch of 4 rows"},
		{exec.Batch{Rec: rec}, other, 0, "batch schema"},
		{exec.Batch{Rec: rec, Sel: []int32{2, 2}}, schema, 0, "not increasing"},
		{exec.Batch{Rec: rec, Sel: []int32{3, 1}}, schema, 0, "not increasing"},
		{exec.Batch{Rec: rec, Sel: []int32{4}}, schema, 0, "not increasing"},
		{exec.Batch{Rec: rec, Sel: []int32{-1}}, schema, 0, "not increasing"},
	} {
		err := exectest.CheckBatch(c.b, c.schema, c.maxRows)
		if c.want == "" {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, c.want)
		}
	}
}

func TestDrainStrings(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	src := exectest.NewSource(schema,
		exec.Batch{Rec: record(mem, 0, 4), Sel: []int32{1, 2}},
		exec.Batch{Rec: record(mem, 10, 1)})
	rows, err := exectest.DrainStrings(ctx, src, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"1|x", "NULL|x", "10|x"}, rows)
	require.Equal(t, 1, src.Opens())
	require.Equal(t, 1, src.Closes())

	// A contract violation stops the read; the source is still closed and
	// the unread batch released.
	src = exectest.NewSource(schema, exec.Batch{Rec: record(mem, 0, 4)}, exec.Batch{Rec: record(mem, 0, 1)})
	_, err = exectest.DrainStrings(ctx, src, 3)
	require.ErrorContains(t, err, "batch of 4 rows, batch size 3")
	require.Equal(t, 1, src.Closes())

	boom := errors.New("boom")
	src = exectest.NewSource(schema, exec.Batch{Rec: record(mem, 0, 1)})
	src.FailAt(0, boom)
	_, err = exectest.DrainStrings(ctx, src, 0)
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, src.Closes())
}

func TestReadAllStopsAtCallbackError(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	src := exectest.NewSource(schema, exec.Batch{Rec: record(mem, 0, 1)}, exec.Batch{Rec: record(mem, 1, 1)})
	stop := errors.New("stop")
	calls := 0
	err := exectest.ReadAll(ctx, src, 0, func(exec.Batch) error { calls++; return stop })
	require.ErrorIs(t, err, stop)
	require.Equal(t, 1, calls)
	require.Zero(t, src.Closes(), "ReadAll does not close")
	require.NoError(t, src.Close())
}

func TestReplay(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	r := exectest.ReplayRecords(schema, record(mem, 0, 3), record(mem, 5, 1))
	defer r.Release()
	require.Len(t, r.Batches(), 2)
	for range 2 {
		rows, err := exectest.DrainStrings(ctx, r, 0)
		require.NoError(t, err)
		require.Equal(t, []string{"0|x", "1|x", "NULL|x", "5|x"}, rows, "every run replays the same rows")
	}
}
