package shuffle_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/shuffle"
	"github.com/grainql/grain/internal/exectest"
)

// readAll reads every partition with its own concurrent reader and returns
// the rows of each, in read order.
func readAll(t *testing.T, x *shuffle.Exchange) [][]string {
	got := make([][]string, x.Partitions())
	errs := make([]error, x.Partitions())
	var wg sync.WaitGroup
	for p := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[p], errs[p] = exectest.DrainStrings(context.Background(), x.Reader(p), 0)
		}()
	}
	wg.Wait()
	for p, err := range errs {
		require.NoErrorf(t, err, "partition %d", p)
	}
	return got
}

// requireRows checks that every partition got exactly the rows sent to it,
// in map task order and write order within a map task.
func requireRows(t *testing.T, exp *expected, got [][]string, tasks int) {
	for p := range got {
		want := exp.inOrder(p, 0, tasks)
		require.Equalf(t, len(want), len(got[p]), "partition %d row count", p)
		require.Equalf(t, want, got[p], "partition %d rows", p)
	}
}

func TestHashExchange(t *testing.T) {
	for _, tc := range []struct {
		parts, tasks, batchSize, maxRows int
		keys                             []int
	}{
		{parts: 1, tasks: 3, batchSize: 64, maxRows: 100, keys: []int{1}},
		{parts: 3, tasks: 4, batchSize: 1, maxRows: 20, keys: []int{1}},
		{parts: 8, tasks: 4, batchSize: 7, maxRows: 100, keys: []int{1, 2}},
		{parts: 8, tasks: 2, batchSize: 1024, maxRows: 300, keys: []int{2}},
		{parts: 37, tasks: 3, batchSize: 64, maxRows: 200, keys: []int{0}},
	} {
		name := fmt.Sprintf("parts=%d/tasks=%d/batch=%d/keys=%v", tc.parts, tc.tasks, tc.batchSize, tc.keys)
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil, tc.batchSize)
			x, err := shuffle.New(shuffle.Config{Partitions: tc.parts, Keys: tc.keys, Schema: testSchema, Name: "exchange 1"}, f.env)
			require.NoError(t, err)
			exp := runMap(t, f, x, tc.keys, tc.tasks, 15, tc.maxRows, 1)

			st := x.Stats()
			require.Equal(t, tc.tasks, st.MapTasks)
			require.Zero(t, st.Spills)
			total := 0
			for p := range tc.parts {
				require.EqualValues(t, exp.count(p), st.Partitions[p].Rows, "partition %d", p)
				total += exp.count(p)
				if exp.count(p) > 0 {
					require.Positive(t, st.Partitions[p].Bytes)
					require.Positive(t, st.Partitions[p].Blocks)
				}
			}
			require.EqualValues(t, total, st.Rows)
			require.Equal(t, st.Bytes, st.MemoryBytes, "nothing spilled, nothing read yet")
			require.Equal(t, st.MemoryBytes, f.pool.Reserved(), "blocks are reserved")

			got := readAll(t, x)
			requireRows(t, exp, got, tc.tasks)
			require.Zero(t, f.pool.Reserved(), "reading frees the blocks")
			x.Release()
			x.Release()
			f.checkClean(t)
		})
	}
}

// TestReadBackHashes checks the batches a reader returns with the hash
// itself: every row of partition p hashes to p.
func TestReadBackHashes(t *testing.T) {
	f := newFixture(t, nil, 50)
	keys := []int{2, 1}
	x, err := shuffle.New(shuffle.Config{Partitions: 5, Keys: keys, Schema: testSchema}, f.env)
	require.NoError(t, err)
	defer x.Release()
	runMap(t, f, x, keys, 2, 20, 100, 2)
	ctx := context.Background()
	for p := range 5 {
		op := x.Reader(p)
		require.NoError(t, op.Open(ctx))
		for {
			b, err := op.Next(ctx)
			if err != nil {
				require.ErrorIs(t, err, io.EOF)
				break
			}
			require.Nil(t, b.Sel)
			for _, q := range partitionsOf(t, b, keys, 5) {
				require.Equal(t, p, q)
			}
			require.True(t, b.Rec.Schema().Equal(testSchema))
			b.Release()
		}
		require.NoError(t, op.Close())
	}
	x.Release()
	f.checkClean(t)
}

func TestRoundRobin(t *testing.T) {
	f := newFixture(t, nil, 16)
	const parts, tasks = 4, 3
	x, err := shuffle.New(shuffle.Config{Partitions: parts, Schema: testSchema, MapTasks: tasks}, f.env)
	require.NoError(t, err)
	exp := runMap(t, f, x, nil, tasks, 25, 60, 3)
	// Per map task, partitions differ by at most one row; read them one map
	// task at a time with the skew-split reader.
	ctx := context.Background()
	for m := range tasks {
		counts := make([]int, parts)
		for p := range parts {
			rows, err := exectest.DrainStrings(ctx, x.ReaderMapRange(p, m, m+1), 0)
			require.NoError(t, err)
			require.Equal(t, exp.inOrder(p, m, m+1), rows)
			counts[p] = len(rows)
		}
		require.LessOrEqual(t, slices.Max(counts)-slices.Min(counts), 1, "map task %d: %v", m, counts)
	}
	x.Release()
	f.checkClean(t)
}

func TestGatherKeepsOrder(t *testing.T) {
	for _, limit := range []int64{0, 48 << 10} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			var pool mempool.Pool
			if limit > 0 {
				pool = mempool.NewGreedy(limit)
			}
			f := newFixture(t, pool, 100)
			x, err := shuffle.New(shuffle.Config{Partitions: 1, Schema: testSchema, Name: "gather"}, f.env)
			require.NoError(t, err)
			exp := runMap(t, f, x, nil, 3, 20, 150, 4)
			if limit > 0 {
				require.Positive(t, x.Stats().Spills)
			}
			got := readAll(t, x)
			requireRows(t, exp, got, 3)
			x.Release()
			f.checkClean(t)
		})
	}
}

func TestSpillUnderMemoryPressure(t *testing.T) {
	for _, tc := range []struct {
		name string
		pool mempool.Pool
	}{
		{"greedy", mempool.NewGreedy(128 << 10)},
		{"fair", mempool.NewFairSpill(128 << 10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.pool, 64)
			keys := []int{1}
			const parts, tasks = 6, 4
			x, err := shuffle.New(shuffle.Config{Partitions: parts, Keys: keys, Schema: testSchema, Name: "exchange 2"}, f.env)
			require.NoError(t, err)
			exp := runMap(t, f, x, keys, tasks, 20, 200, 5)

			st := x.Stats()
			require.Positive(t, st.Spills)
			require.Positive(t, st.SpilledBytes)
			require.Positive(t, st.SpilledBlocks)
			require.Positive(t, st.SpilledRows)
			require.LessOrEqual(t, f.pool.Peak(), tc.pool.Limit())

			got := readAll(t, x)
			requireRows(t, exp, got, tasks)
			// Readers removed every spill file as they finished it.
			require.Zero(t, f.pool.Reserved())
			x.Release()
			f.checkClean(t)
		})
	}
}

// TestSpillOtherTasks fills the pool with a finished map task; the next
// task holds nothing when refused and must spill the first one.
func TestSpillOtherTasks(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(64<<10), 4096)
	f.exact = true
	x, err := shuffle.New(shuffle.Config{Partitions: 2, Keys: []int{1}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	exp := newExpected(2, 2)
	// Task 0 buffers one 500-row batch (~40 KiB) and closes.
	require.NoError(t, mapTask(t, f, x, exp, []int{1}, 0, 1, 500, 6))
	require.Zero(t, x.Stats().Spills)
	held := f.pool.Reserved()
	require.Greater(t, held, int64(32<<10))
	// Task 1's first batch does not fit next to it.
	require.NoError(t, mapTask(t, f, x, exp, []int{1}, 1, 1, 500, 7))
	st := x.Stats()
	require.EqualValues(t, 1, st.Spills)
	require.EqualValues(t, 500, st.SpilledRows, "task 0's rows went to disk")
	require.Equal(t, st.MemoryBytes, f.pool.Reserved(), "task 1's rows stayed in memory")
	require.Less(t, f.pool.Reserved(), 2*held)
	got := readAll(t, x)
	requireRows(t, exp, got, 2)
	x.Release()
	f.checkClean(t)
}

// TestExchangeSpill pushes finished blocks to disk on request.
func TestExchangeSpill(t *testing.T) {
	f := newFixture(t, nil, 32)
	x, err := shuffle.New(shuffle.Config{Partitions: 3, Keys: []int{1}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	exp := runMap(t, f, x, []int{1}, 2, 10, 100, 8)
	before := f.pool.Reserved()
	freed, err := x.Spill()
	require.NoError(t, err)
	require.Equal(t, before, freed)
	require.Zero(t, f.pool.Reserved())
	require.Zero(t, x.Stats().MemoryBytes)
	require.EqualValues(t, 2, x.Stats().Spills)
	got := readAll(t, x)
	requireRows(t, exp, got, 2)
	x.Release()
	f.checkClean(t)
}

func TestReaderRangeCoalesces(t *testing.T) {
	f := newFixture(t, mempool.NewGreedy(64<<10), 40)
	x, err := shuffle.New(shuffle.Config{Partitions: 6, Keys: []int{2}, Schema: testSchema}, f.env)
	require.NoError(t, err)
	exp := runMap(t, f, x, []int{2}, 3, 20, 100, 9)
	ctx := context.Background()
	rows, err := exectest.DrainStrings(ctx, x.ReaderRange(1, 4), 0)
	require.NoError(t, err)
	var want []string
	for p := 1; p < 4; p++ {
		want = append(want, exp.inOrder(p, 0, 3)...)
	}
	require.Equal(t, want, rows)
	// The coalesced partitions are consumed; the others are not.
	_, err = exectest.DrainStrings(ctx, x.Reader(2), 0)
	require.ErrorIs(t, err, shuffle.ErrConsumed)
	rows, err = exectest.DrainStrings(ctx, x.Reader(0), 0)
	require.NoError(t, err)
	require.Equal(t, exp.inOrder(0, 0, 3), rows)
	// Skew split of partition 5 over map tasks {0} and {1, 2}.
	a, err := exectest.DrainStrings(ctx, x.ReaderMapRange(5, 0, 1), 0)
	require.NoError(t, err)
	b, err := exectest.DrainStrings(ctx, x.ReaderMapRange(5, 1, 3), 0)
	require.NoError(t, err)
	require.Equal(t, exp.inOrder(5, 0, 3), append(a, b...))
	x.Release()
	f.checkClean(t)
}
