package order_test

import (
	"context"
	"fmt"
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

// constructor builds the operator under test: a sort or a top-k.
type constructor struct {
	name     string
	consumer string
	build    func(in exec.Operator, keys []order.Key, env *exec.Env, m *exec.Metrics) (exec.Operator, error)
}

var constructors = []constructor{
	{"sort", "sort", order.NewSort},
	{"top-k", "top-k", func(in exec.Operator, keys []order.Key, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
		return order.NewTopK(in, keys, 700, env, m)
	}},
}

// TestMemoryLimit runs each operator once without a limit to learn its
// peak reservation, then under a pool one byte short of it (which must fail
// with a memory-limit error naming the operator) and under a pool of exactly
// the peak (which must succeed).
func TestMemoryLimit(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			keys := []order.Key{{Col: 1}, {Col: 2, Desc: true}}
			run := func(pool mempool.Pool) (int64, error) {
				g := &gen{rng: rand.New(rand.NewSource(5))}
				tb := makeTable(t, g, mem, 2000, []colType{colTypes[12], colTypes[3]}, 0.1)
				defer tb.rec.Release()
				src, _ := newSource(t, g, tb)
				m := &exec.Metrics{}
				op, err := c.build(src, keys, exec.NewEnv(mem, pool, 256), m)
				require.NoError(t, err)
				require.NoError(t, op.Open(t.Context()))
				_, err = drainOpen(t, op, 256)
				require.NoError(t, op.Close())
				require.NoError(t, op.Close())
				require.Zero(t, pool.Reserved(), "reservation freed on close")
				return m.PeakReserved.Load(), err
			}
			peak, err := run(mempool.NewUnbounded())
			require.NoError(t, err)
			require.Positive(t, peak)

			_, err = run(mempool.NewGreedy(peak - 1))
			require.ErrorIs(t, err, mempool.ErrMemoryLimit)
			var le *mempool.LimitError
			require.ErrorAs(t, err, &le)
			require.Equal(t, c.consumer, le.Consumer)
			require.Contains(t, err.Error(), fmt.Sprintf("%q", c.consumer))

			_, err = run(mempool.NewGreedy(peak))
			require.NoError(t, err, "the measured peak is enough")
		})
	}
}

func TestMemoryLimitRefusesFirstBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := &gen{rng: rand.New(rand.NewSource(5))}
	tb := makeTable(t, g, mem, 100, []colType{colTypes[3]}, 0)
	defer tb.rec.Release()
	src := exectest.NewSource(tb.rec.Schema(), []exec.Batch{{Rec: tb.rec}}...)
	tb.rec.Retain()
	pool := mempool.NewGreedy(100)
	op, err := order.NewSort(src, []order.Key{{Col: 1}}, exec.NewEnv(mem, pool, 0), nil)
	require.NoError(t, err)
	require.NoError(t, op.Open(t.Context()))
	_, err = op.Next(t.Context())
	require.ErrorIs(t, err, mempool.ErrMemoryLimit)
	require.ErrorContains(t, err, `sort: buffer 100 rows: memory limit exceeded: "sort" asked for 1.6 KiB`)
	require.NoError(t, op.Close())
	require.Zero(t, pool.Reserved())
}

func TestInvalidKeys(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
	}, nil)
	env := newEnv(memory.NewGoAllocator(), 0)
	for _, c := range constructors {
		for _, tc := range []struct {
			key  order.Key
			want error
		}{
			{order.Key{Col: 3}, order.ErrInvalidKey},
			{order.Key{Col: -1}, order.ErrInvalidKey},
			{order.Key{Col: 1}, order.ErrUnsupportedType},
			{order.Key{Col: 2}, order.ErrUnsupportedType},
		} {
			_, err := c.build(exectest.NewSource(schema), []order.Key{{Col: 0}, tc.key}, env, nil)
			require.ErrorIs(t, err, tc.want, "%s %v", c.name, tc.key)
			require.ErrorContains(t, err, c.name+": key 1")
		}
	}
}

func TestTopKNegative(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	env := newEnv(memory.NewGoAllocator(), 0)
	for _, tc := range []struct{ offset, k int64 }{{0, -1}, {-1, 5}} {
		src := exectest.NewSource(schema)
		op, err := order.NewTopKOffset(src, []order.Key{{Col: 0}}, tc.offset, tc.k, env, nil)
		require.NoError(t, err)
		require.ErrorIs(t, op.Open(t.Context()), order.ErrInvalidLimit)
		require.NoError(t, op.Close())
		require.Equal(t, 1, src.Closes())
	}
}

// TestInputErrorAndCancel checks that an input error or a cancelled context
// mid-stream is returned and that Close still releases everything.
func TestInputErrorAndCancel(t *testing.T) {
	for _, c := range constructors {
		for _, cancel := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/cancel=%v", c.name, cancel), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				g := &gen{rng: rand.New(rand.NewSource(9))}
				tb := makeTable(t, g, mem, 2000, []colType{colTypes[13]}, 0.1)
				defer tb.rec.Release()
				src, _ := newSource(t, g, tb)
				require.Greater(t, src.Len(), 3)
				env := newEnv(mem, 64)
				op, err := c.build(src, []order.Key{{Col: 1}}, env, nil)
				require.NoError(t, err)
				ctx, stop := context.WithCancel(t.Context())
				defer stop()
				require.NoError(t, op.Open(ctx))
				if cancel {
					stop()
				} else {
					src.FailAt(3, errSource)
				}
				_, err = op.Next(ctx)
				if cancel {
					require.ErrorIs(t, err, context.Canceled)
				} else {
					require.ErrorIs(t, err, errSource)
				}
				require.NoError(t, op.Close())
				require.NoError(t, op.Close())
				require.Zero(t, env.Pool.Reserved())
			})
		}
	}
}

// TestCloseMidOutput closes an operator after reading one batch of its
// output.
func TestCloseMidOutput(t *testing.T) {
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			g := &gen{rng: rand.New(rand.NewSource(11))}
			tb := makeTable(t, g, mem, 2000, []colType{colTypes[12]}, 0.1)
			defer tb.rec.Release()
			src, _ := newSource(t, g, tb)
			env := newEnv(mem, 16)
			op, err := c.build(src, []order.Key{{Col: 1}}, env, nil)
			require.NoError(t, err)
			require.NoError(t, op.Open(t.Context()))
			b, err := op.Next(t.Context())
			require.NoError(t, err)
			require.Equal(t, 16, b.Len())
			b.Release()
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
			require.Zero(t, env.Pool.Reserved())
		})
	}
}

func TestCloseWithoutOpen(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	for _, c := range constructors {
		src := exectest.NewSource(schema)
		op, err := c.build(src, []order.Key{{Col: 0}}, newEnv(memory.NewGoAllocator(), 0), nil)
		require.NoError(t, err)
		require.True(t, op.Schema().Equal(schema))
		require.NoError(t, op.Close())
		require.NoError(t, op.Close())
		require.Equal(t, 1, src.Closes(), c.name)
	}
}
