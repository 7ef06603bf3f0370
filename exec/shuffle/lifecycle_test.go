package shuffle_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/shuffle"
	"github.com/grainql/grain/exec/spill"
	"github.com/grainql/grain/internal/exectest"
)

func TestNewErrors(t *testing.T) {
	f := newFixture(t, nil, 0)
	for _, tc := range []struct {
		name string
		cfg  shuffle.Config
	}{
		{"no partitions", shuffle.Config{Partitions: 0, Schema: testSchema}},
		{"no schema", shuffle.Config{Partitions: 2}},
		{"key out of range", shuffle.Config{Partitions: 2, Keys: []int{13}, Schema: testSchema}},
		{"negative key", shuffle.Config{Partitions: 2, Keys: []int{-1}, Schema: testSchema}},
		{"unhashable key", shuffle.Config{Partitions: 2, Keys: []int{12}, Schema: testSchema}},
		{"unsupported column", shuffle.Config{Partitions: 2, Schema: arrow.NewSchema(
			[]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil)}},
		{"negative map tasks", shuffle.Config{Partitions: 2, Schema: testSchema, MapTasks: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := shuffle.New(tc.cfg, f.env)
			require.ErrorIs(t, err, shuffle.ErrInvalidConfig)
		})
	}
	env := *f.env
	env.SpillDir = ""
	_, err := shuffle.New(shuffle.Config{Partitions: 2, Schema: testSchema}, &env)
	require.ErrorIs(t, err, shuffle.ErrNoSpillDir)
	f.checkClean(t)
}

func TestLifecycleErrors(t *testing.T) {
	f := newFixture(t, nil, 16)
	ctx := context.Background()
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Keys: []int{1}, Schema: testSchema, Name: "exchange 7"}, f.env)
	require.NoError(t, err)
	g := &gen{rng: rand.New(rand.NewPCG(1, 1)), keys: 10}

	b := g.batch(t, f.mem, 30)

	// A batch of another schema.
	w0 := x.Writer(0)
	narrow := exec.Batch{Rec: arrowRecord(b.Rec.Schema().Field(1), []arrow.Array{b.Rec.Column(1)})}
	require.ErrorIs(t, w0.Write(ctx, narrow), shuffle.ErrSchemaMismatch)
	// The failed attempt stays failed; a retry replaces it.
	require.ErrorIs(t, w0.Write(ctx, b), shuffle.ErrSchemaMismatch)
	_, err = exectest.DrainStrings(ctx, x.Reader(0), 0)
	require.ErrorIs(t, err, shuffle.ErrMapNotDone)
	require.ErrorContains(t, err, "failed")

	w0 = x.Writer(0)
	require.NoError(t, w0.Write(ctx, b))
	// Retry once more after writing: the first attempt's rows must vanish.
	stale := w0
	w0 = x.Writer(0)
	require.ErrorIs(t, stale.Write(ctx, b), shuffle.ErrWriterDone)
	require.NoError(t, w0.Write(ctx, b))
	require.NoError(t, w0.Close(ctx))
	require.ErrorIs(t, w0.Write(ctx, b), shuffle.ErrWriterDone)
	require.ErrorIs(t, w0.Close(ctx), shuffle.ErrWriterDone)

	// An aborted task blocks the read until it is retried.
	w1 := x.Writer(1)
	require.NoError(t, w1.Write(ctx, b))
	w1.Abort()
	w1.Abort()
	require.ErrorIs(t, x.FinishMap(), shuffle.ErrMapNotDone)
	require.ErrorIs(t, x.Writer(-1).Write(ctx, b), shuffle.ErrInvalidConfig)
	w1 = x.Writer(1)
	require.NoError(t, w1.Close(ctx)) // an empty map task
	require.NoError(t, x.FinishMap())
	require.ErrorIs(t, x.Writer(2).Write(ctx, b), shuffle.ErrWriterDone)
	require.EqualValues(t, b.Len(), x.Stats().Rows, "only the last attempt counts")

	rows0, err := exectest.DrainStrings(ctx, x.Reader(0), 0)
	require.NoError(t, err)
	rows1, err := exectest.DrainStrings(ctx, x.Reader(1), 0)
	require.NoError(t, err)
	require.Len(t, append(rows0, rows1...), b.Len())
	_, err = exectest.DrainStrings(ctx, x.Reader(1), 0)
	require.ErrorIs(t, err, shuffle.ErrConsumed)
	_, err = exectest.DrainStrings(ctx, x.ReaderRange(1, 3), 0)
	require.ErrorIs(t, err, shuffle.ErrInvalidConfig)
	_, err = exectest.DrainStrings(ctx, x.ReaderMapRange(0, 1, 3), 0)
	require.ErrorIs(t, err, shuffle.ErrInvalidConfig)

	x.Release()
	require.ErrorIs(t, x.Writer(0).Write(ctx, b), shuffle.ErrReleased)
	require.ErrorIs(t, x.FinishMap(), shuffle.ErrReleased)
	b.Release()
	narrow.Release()
	f.checkClean(t)
}

func TestMapTasksConfig(t *testing.T) {
	f := newFixture(t, nil, 16)
	ctx := context.Background()
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Schema: testSchema, MapTasks: 2}, f.env)
	require.NoError(t, err)
	defer x.Release()
	require.NoError(t, x.Writer(1).Close(ctx))
	err = x.FinishMap()
	require.ErrorIs(t, err, shuffle.ErrMapNotDone)
	require.ErrorContains(t, err, "map task 0 never wrote")
	g := &gen{rng: rand.New(rand.NewPCG(2, 2)), keys: 10}
	b := g.batch(t, f.mem, 10)
	require.ErrorIs(t, x.Writer(2).Write(ctx, b), shuffle.ErrInvalidConfig)
	b.Release()
	require.NoError(t, x.Writer(0).Close(ctx))
	require.NoError(t, x.FinishMap())
	require.NoError(t, x.FinishMap())
	x.Release()
	f.checkClean(t)
}

// TestReleaseMidway releases an exchange while one reader holds a batch
// and is half way through a spilled partition, and others never started.
func TestReleaseMidway(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(32<<10), 32)
	ctx := context.Background()
	x, err := shuffle.New(shuffle.Config{Partitions: 4, Keys: []int{1}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	runMap(t, f, x, []int{1}, 3, 30, 120, 11)
	require.Positive(t, x.Stats().Spills)

	op := x.Reader(0)
	require.NoError(t, op.Open(ctx))
	held, err := op.Next(ctx)
	require.NoError(t, err)
	x.Release()
	_, err = op.Next(ctx)
	require.ErrorIs(t, err, shuffle.ErrReleased)
	require.NoError(t, op.Close())
	require.NoError(t, op.Close())
	_, err = exectest.DrainStrings(ctx, x.Reader(1), 0)
	require.ErrorIs(t, err, shuffle.ErrReleased)
	held.Release()
	f.checkClean(t)
}

// TestCloseDropsUnread closes readers early: what they did not read is
// freed at once, files included.
func TestCloseDropsUnread(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(32<<10), 32)
	ctx := context.Background()
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Keys: []int{1}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	runMap(t, f, x, []int{1}, 2, 30, 120, 12)
	for p := range 2 {
		op := x.Reader(p)
		require.NoError(t, op.Open(ctx))
		b, err := op.Next(ctx)
		require.NoError(t, err)
		b.Release()
		require.NoError(t, op.Close())
	}
	// Everything is gone before Release.
	f.checkClean(t)
	x.Release()
}

func TestCancellation(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(32<<10), 32)
	x, err := shuffle.New(shuffle.Config{Partitions: 3, Keys: []int{2}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	runMap(t, f, x, []int{2}, 2, 20, 100, 13)

	ctx, cancel := context.WithCancel(context.Background())
	w := x.Writer(5)
	g := &gen{rng: rand.New(rand.NewPCG(3, 3)), keys: 10}
	b := g.batch(t, f.mem, 50)
	require.NoError(t, w.Write(ctx, b))
	cancel()
	require.ErrorIs(t, w.Write(ctx, b), context.Canceled)
	b.Release()

	op := x.Reader(0)
	require.ErrorIs(t, op.Open(ctx), context.Canceled)
	require.NoError(t, op.Close())
	op = x.Reader(1)
	ctx2, cancel2 := context.WithCancel(context.Background())
	require.ErrorIs(t, op.Open(ctx2), shuffle.ErrMapNotDone, "map task 5 failed")
	require.NoError(t, op.Close())
	w.Abort()
	require.NoError(t, x.Writer(5).Close(ctx2))
	op = x.Reader(1)
	require.NoError(t, op.Open(ctx2))
	first, err := op.Next(ctx2)
	require.NoError(t, err)
	first.Release()
	cancel2()
	_, err = op.Next(ctx2)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, op.Close())
	x.Release()
	f.checkClean(t)
}

func TestCorruptSpillFile(t *testing.T) {
	f := newFixture(t, nil, 32)
	ctx := context.Background()
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Keys: []int{1}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	runMap(t, f, x, []int{1}, 1, 10, 100, 14)
	_, err = x.Spill()
	require.NoError(t, err)
	entries, err := os.ReadDir(f.dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	path := filepath.Join(f.dir, entries[0].Name())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)/2] ^= 0xff // somewhere in partition 0's or 1's section
	data[0] ^= 0xff           // the first header: partition 0's first batch
	require.NoError(t, os.WriteFile(path, data, 0o600))

	_, err = exectest.DrainStrings(ctx, x.Reader(0), 0)
	require.ErrorIs(t, err, spill.ErrCorruptSpill)
	require.NoError(t, os.Truncate(path, int64(len(data)/3)))
	_, err = exectest.DrainStrings(ctx, x.Reader(1), 0)
	require.ErrorIs(t, err, spill.ErrCorruptSpill)
	x.Release()
	f.checkClean(t)
}

func TestMemoryLimitWhenNothingToSpill(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(1<<10), 32)
	f.exact = true
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Keys: []int{1}, Schema: testSchema, Name: "exchange 9"}, f.env)
	require.NoError(t, err)
	err = mapTask(t, f, x, newExpected(2, 1), []int{1}, 0, 1, 100, 15)
	require.ErrorIs(t, err, mempool.ErrMemoryLimit)
	require.ErrorContains(t, err, `"exchange 9[map 0]"`)
	var le *mempool.LimitError
	require.True(t, errors.As(err, &le))
	x.Release()
	f.checkClean(t)
}

// arrowRecord builds a one-column record (a batch of the wrong schema).
func arrowRecord(fld arrow.Field, cols []arrow.Array) arrow.Record {
	return array.NewRecord(arrow.NewSchema([]arrow.Field{fld}, nil), cols, int64(cols[0].Len()))
}
