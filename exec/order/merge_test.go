package order_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

// mergeBatchSizes are the output batch sizes of the merge tests.
var mergeBatchSizes = []int{1, 7, 1024}

// mergeCase is a set of sorted inputs for NewMerge and the order the merge
// must produce.
type mergeCase struct {
	srcs []*exectest.Source
	recs []arrow.Record
	want [][]any
}

func (c *mergeCase) inputs() []exec.Operator {
	ops := make([]exec.Operator, len(c.srcs))
	for i, s := range c.srcs {
		ops[i] = s
	}
	return ops
}

func (c *mergeCase) release() {
	for _, r := range c.recs {
		r.Release()
	}
}

// newMergeCase deals the rows of tb to k partitions at random (some
// partitions may stay empty), sorts each partition with the reference sort
// and cuts it into batches of random sizes with random selection vectors.
// The expected output is the reference stable sort of the partitions' live
// rows concatenated in input order: ties go to the lower input.
func newMergeCase(t *testing.T, g *gen, mem memory.Allocator, tb table, k int, keys []order.Key) *mergeCase {
	t.Helper()
	parts := make([][][]any, k)
	skew := g.rng.Intn(k) // one partition gets more rows
	for _, row := range tb.rows {
		p := g.rng.Intn(k + 2)
		if p >= k {
			p = skew
		}
		parts[p] = append(parts[p], row)
	}
	c := &mergeCase{}
	var live [][]any
	for _, rows := range parts {
		sorted := refSort(t, rows, seq(len(rows)), keys)
		rec := buildRecord(t, mem, tb.rec.Schema(), sorted)
		src, rowsLive := newSource(t, g, table{rec: rec, rows: sorted})
		c.srcs = append(c.srcs, src)
		c.recs = append(c.recs, rec)
		for _, r := range rowsLive {
			live = append(live, sorted[r])
		}
	}
	c.want = refSort(t, live, seq(len(live)), keys)
	return c
}

// seq returns 0, 1, …, n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// drainMerge reads op like drain and also checks that every batch but the
// last is full.
func drainMerge(t *testing.T, op exec.Operator, batchSize int) [][]any {
	t.Helper()
	require.NoError(t, op.Open(t.Context()))
	var rows [][]any
	short := false
	err := exectest.ReadAll(t.Context(), op, batchSize, func(b exec.Batch) error {
		require.False(t, short, "a batch followed a short batch")
		short = b.Len() < batchSize
		rows = append(rows, batchRows(t, b)...)
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, op.Close())
	require.NoError(t, op.Close(), "Close is idempotent")
	return rows
}

// checkMerge merges the case and compares the output with the expected
// order, then checks that every input was closed and nothing stays
// reserved.
func checkMerge(t *testing.T, mem memory.Allocator, c *mergeCase, keys []order.Key, batchSize int) {
	t.Helper()
	env := newEnv(mem, batchSize)
	m := &exec.Metrics{}
	op, err := order.NewMerge(c.inputs(), keys, env, m)
	require.NoError(t, err)
	got := drainMerge(t, op, batchSize)
	requireRows(t, c.want, got)
	for i, s := range c.srcs {
		require.Equal(t, 1, s.Closes(), "input %d closed once", i)
	}
	require.Zero(t, env.Pool.Reserved(), "reservation freed")
	if len(c.want) > 0 {
		require.Positive(t, m.PeakReserved.Load(), "the merge reserves what it holds")
	}
}

func TestMergeSingleKeyEveryType(t *testing.T) {
	for ti, ct := range colTypes {
		for _, bs := range mergeBatchSizes {
			t.Run(fmt.Sprintf("%s/batch=%d", ct.name, bs), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				g := &gen{rng: rand.New(rand.NewSource(int64(ti*100 + bs)))}
				for iter := range 2 {
					nullFrac := pick(g, 0, 0.1, 0.5, 1)
					n := randomRows(g.rng)
					if bs == 1 {
						n = min(n, 300) // one batch per row: keep it short
					}
					tb := makeTable(t, g, mem, n, []colType{ct, ct}, nullFrac)
					keys := []order.Key{randomKey(g.rng, 1)}
					k := [][]int{{1, 16}, {3, 5}, {2, 16}}[ti%3][iter]
					c := newMergeCase(t, g, mem, tb, k, keys)
					checkMerge(t, mem, c, keys, bs)
					c.release()
					tb.rec.Release()
				}
			})
		}
	}
}

func TestMergeMultiKeyMixedDirections(t *testing.T) {
	for seed := int64(0); seed < 30; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(seed))}
			types := make([]colType, 1+g.rng.Intn(4))
			for i := range types {
				types[i] = colTypes[g.rng.Intn(len(colTypes))]
			}
			bs := pick(g, mergeBatchSizes...)
			n := randomRows(g.rng)
			if bs == 1 {
				n = min(n, 300)
			}
			tb := makeTable(t, g, mem, n, types, pick(g, 0, 0.2, 0.6))
			defer tb.rec.Release()
			keys := make([]order.Key, 1+g.rng.Intn(4))
			for i := range keys {
				keys[i] = randomKey(g.rng, 1+g.rng.Intn(len(types)))
			}
			k := pick(g, 1, 2, 4, 8, 16)
			c := newMergeCase(t, g, mem, tb, k, keys)
			defer c.release()
			checkMerge(t, mem, c, keys, bs)
		})
	}
}

// TestMergeNoKeys concatenates the inputs in input order.
func TestMergeNoKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(3))}
	tb := makeTable(t, g, mem, 600, []colType{colTypes[3]}, 0.2)
	defer tb.rec.Release()
	c := newMergeCase(t, g, mem, tb, 4, nil)
	defer c.release()
	checkMerge(t, mem, c, nil, 7)
}

// TestMergeEmptyInputs merges inputs that hold no rows at all, or only
// empty batches.
func TestMergeEmptyInputs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(4))}
	tb := makeTable(t, g, mem, 0, []colType{colTypes[12]}, 0)
	defer tb.rec.Release()
	for _, k := range []int{1, 3, 16} {
		c := newMergeCase(t, g, mem, tb, k, []order.Key{{Col: 1}})
		var empties []exec.Batch
		for range 3 {
			tb.rec.Retain()
			empties = append(empties, exec.Batch{Rec: tb.rec})
		}
		c.srcs = append(c.srcs, exectest.NewSource(tb.rec.Schema(), empties...))
		checkMerge(t, mem, c, []order.Key{{Col: 1}}, 7)
		c.release()
	}
}

// TestMergeHandWritten pins the order and the tie rule on a small example,
// independently of the reference sort.
func TestMergeHandWritten(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "k", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	nan, negZero := math.Float64frombits(0x7ff8000000000001), math.Copysign(0, -1)
	inputs := [][][]any{
		{{int64(0), -1.0}, {int64(1), 0.0}, {int64(2), nan}},
		{{int64(10), negZero}, {int64(11), 2.0}, {int64(12), nil}},
		{{int64(20), -1.0}, {int64(21), nan}, {int64(22), nil}},
	}
	var srcs []exec.Operator
	for _, rows := range inputs {
		rec := buildRecord(t, mem, schema, rows)
		srcs = append(srcs, exectest.NewSource(schema, []exec.Batch{{Rec: rec}}...))
	}
	op, err := order.NewMerge(srcs, []order.Key{{Col: 1}}, newEnv(mem, 4), nil)
	require.NoError(t, err)
	var ids []int64
	for _, row := range drainMerge(t, op, 4) {
		ids = append(ids, row[0].(int64))
	}
	// -1 (inputs 0, 2), ±0 (inputs 0, 1: equal), 2, NaN (0, 2), NULL last (1, 2).
	require.Equal(t, []int64{0, 20, 1, 10, 11, 2, 21, 12, 22}, ids)
}

func TestMergeInvalid(t *testing.T) {
	a := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Int32}}, nil)
	two := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "c", Type: arrow.PrimitiveTypes.Int64}}, nil)
	env := newEnv(memory.NewGoAllocator(), 0)
	src := func(s *arrow.Schema) exec.Operator { return exectest.NewSource(s) }
	_, err := order.NewMerge(nil, []order.Key{{Col: 0}}, env, nil)
	require.ErrorIs(t, err, order.ErrInvalidInput)
	_, err = order.NewMerge([]exec.Operator{src(a), src(b)}, []order.Key{{Col: 0}}, env, nil)
	require.ErrorIs(t, err, order.ErrInvalidInput)
	require.ErrorContains(t, err, "input 1: column 0 is int32, want int64")
	_, err = order.NewMerge([]exec.Operator{src(a), src(two)}, []order.Key{{Col: 0}}, env, nil)
	require.ErrorIs(t, err, order.ErrInvalidInput)
	_, err = order.NewMerge([]exec.Operator{src(a)}, []order.Key{{Col: 1}}, env, nil)
	require.ErrorIs(t, err, order.ErrInvalidKey)
	// Names may differ: the output takes the first input's schema.
	renamed := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	op, err := order.NewMerge([]exec.Operator{src(a), src(renamed)}, []order.Key{{Col: 0}}, env, nil)
	require.NoError(t, err)
	require.True(t, op.Schema().Equal(a))
	require.NoError(t, op.Close(), "close without open")
	require.NoError(t, op.Close())
}

// TestMergeInputErrorAndCancel checks that an input's error or a cancelled
// context is returned and that Close still releases everything and closes
// every input.
func TestMergeInputErrorAndCancel(t *testing.T) {
	for _, failing := range []int{0, 2} {
		for _, cancel := range []bool{false, true} {
			t.Run(fmt.Sprintf("input=%d/cancel=%v", failing, cancel), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				g := &gen{rng: rand.New(rand.NewSource(int64(failing)))}
				tb := makeTable(t, g, mem, 3000, []colType{colTypes[3]}, 0.1)
				defer tb.rec.Release()
				keys := []order.Key{{Col: 1}}
				c := newMergeCase(t, g, mem, tb, 3, keys)
				defer c.release()
				require.Greater(t, c.srcs[failing].Len(), 3)
				env := newEnv(mem, 16)
				op, err := order.NewMerge(c.inputs(), keys, env, nil)
				require.NoError(t, err)
				ctx, stop := context.WithCancel(t.Context())
				defer stop()
				require.NoError(t, op.Open(ctx))
				b, err := op.Next(ctx)
				require.NoError(t, err)
				b.Release()
				if cancel {
					stop()
				} else {
					c.srcs[failing].FailAt(c.srcs[failing].Pulls()+1, errSource)
				}
				for err == nil {
					b, err = op.Next(ctx)
					if err == nil {
						b.Release()
					}
				}
				if cancel {
					require.ErrorIs(t, err, context.Canceled)
				} else {
					require.ErrorIs(t, err, errSource)
					require.ErrorContains(t, err, fmt.Sprintf("merge: input %d:", failing))
				}
				require.NoError(t, op.Close())
				require.NoError(t, op.Close())
				for i, s := range c.srcs {
					require.Equal(t, 1, s.Closes(), "input %d closed once", i)
				}
				require.Zero(t, env.Pool.Reserved())
			})
		}
	}
}

// TestMergeMemory checks that the merge holds about one batch per input,
// not its inputs, and that a pool one byte short of its peak refuses it
// with an error naming "merge" while the peak itself is enough.
func TestMergeMemory(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	keys := []order.Key{{Col: 1}, {Col: 2, Desc: true}}
	run := func(pool mempool.Pool) (peak, total int64, err error) {
		g := &gen{rng: rand.New(rand.NewSource(5)), maxBatch: 100}
		tb := makeTable(t, g, mem, 12000, []colType{colTypes[12], colTypes[3]}, 0.1)
		defer tb.rec.Release()
		c := newMergeCase(t, g, mem, tb, 8, keys)
		defer c.release()
		for _, s := range c.srcs {
			for _, b := range s.Pending() {
				total += exec.LiveBytes(b)
			}
		}
		m := &exec.Metrics{}
		op, err := order.NewMerge(c.inputs(), keys, exec.NewEnv(mem, pool, 256), m)
		require.NoError(t, err)
		require.NoError(t, op.Open(t.Context()))
		_, err = drainOpen(t, op, 256)
		require.NoError(t, op.Close())
		require.Zero(t, pool.Reserved(), "reservation freed on close")
		return m.PeakReserved.Load(), total, err
	}
	peak, total, err := run(mempool.NewUnbounded())
	require.NoError(t, err)
	require.Positive(t, peak)
	require.Less(t, peak, total/4, "the merge must not hold its inputs")

	_, _, err = run(mempool.NewGreedy(peak - 1))
	require.ErrorIs(t, err, mempool.ErrMemoryLimit)
	var le *mempool.LimitError
	require.ErrorAs(t, err, &le)
	require.Equal(t, "merge", le.Consumer)

	_, _, err = run(mempool.NewGreedy(peak))
	require.NoError(t, err, "the measured peak is enough")
}
