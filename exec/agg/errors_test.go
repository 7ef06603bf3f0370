package agg_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/exectest"
)

func TestSumOverflow(t *testing.T) {
	cases := []struct {
		name   string
		schema *arrow.Schema
		cols   [][]any
		spec   agg.Spec
	}{{
		name:   "int64 grouped",
		schema: schemaOf(i64, i64),
		cols:   [][]any{{int64(1), int64(2), int64(1)}, {int64(math.MaxInt64), int64(5), int64(1)}},
		spec:   agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}},
	}, {
		name:   "int64 negative global",
		schema: schemaOf(i64),
		cols:   [][]any{{int64(math.MinInt64), int64(-1)}},
		spec:   agg.Spec{Aggs: []agg.AggSpec{sum(0)}},
	}, {
		name:   "uint64",
		schema: schemaOf(u64),
		cols:   [][]any{{uint64(math.MaxUint64), uint64(1)}},
		spec:   agg.Spec{Aggs: []agg.AggSpec{sum(0)}},
	}, {
		name:   "distinct int64",
		schema: schemaOf(i64),
		cols:   [][]any{{int64(math.MaxInt64), int64(math.MaxInt64), int64(3)}},
		spec:   agg.Spec{Aggs: []agg.AggSpec{distinct(sum(0))}},
	}}
	for _, c := range cases {
		for _, bs := range []int{1, 1024} {
			t.Run(c.name, func(t *testing.T) {
				_, err := runAgg(t, c.spec, c.schema, bs, c.cols...)
				require.ErrorIs(t, err, expr.ErrOverflow)
				require.Contains(t, err.Error(), "hash aggregate")
				want, _ := oracle(c.spec, c.schema, transpose(c.cols))
				require.Nil(t, want, "the oracle agrees that the sum overflows")
			})
		}
	}
	t.Run("no overflow when the running sum stays in range", func(t *testing.T) {
		got, err := runAgg(t, agg.Spec{Aggs: []agg.AggSpec{sum(0)}}, schemaOf(i64), 1024,
			[]any{int64(math.MaxInt64), int64(-1), int64(1)})
		require.NoError(t, err)
		requireRows(t, [][]any{{int64(math.MaxInt64)}}, got)
	})
	t.Run("final merge", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		states := schemaOf(i64)
		rec := record(mem, states, []any{int64(math.MaxInt64), int64(math.MaxInt64)})
		spec := agg.Spec{Mode: agg.Final, Aggs: []agg.AggSpec{sum(0)}}
		op, err := agg.NewHashAggregate(exectest.NewSource(states, exec.Batch{Rec: rec}), spec, env, nil)
		require.NoError(t, err)
		_, err = drain(t, op, 0)
		require.ErrorIs(t, err, expr.ErrOverflow)
	})
}

func TestInvalidSpecs(t *testing.T) {
	in := schemaOf(i64, str, i64)
	cases := []struct {
		name string
		spec agg.Spec
		is   error
	}{
		{"group column out of range", agg.Spec{GroupBy: []int{3}}, agg.ErrInvalidSpec},
		{"negative group column", agg.Spec{GroupBy: []int{-1}}, agg.ErrInvalidSpec},
		{"input out of range", agg.Spec{Aggs: []agg.AggSpec{sum(7)}}, agg.ErrInvalidSpec},
		{"sum without input", agg.Spec{Aggs: []agg.AggSpec{sum(-1)}}, agg.ErrInvalidSpec},
		{"distinct in partial mode", agg.Spec{Mode: agg.Partial, Aggs: []agg.AggSpec{distinct(count(0))}}, agg.ErrInvalidSpec},
		{"distinct in final mode", agg.Spec{Mode: agg.Final, Aggs: []agg.AggSpec{distinct(count(0))}}, agg.ErrInvalidSpec},
		{"unknown mode", agg.Spec{Mode: 9}, agg.ErrInvalidSpec},
		{"unknown function", agg.Spec{Aggs: []agg.AggSpec{{Func: 42, Input: 0}}}, agg.ErrInvalidSpec},
		{"sum of strings", agg.Spec{Aggs: []agg.AggSpec{sum(1)}}, expr.ErrType},
		{"avg of strings", agg.Spec{Aggs: []agg.AggSpec{avg(1)}}, expr.ErrType},
		{"final count over a string state", agg.Spec{Mode: agg.Final, Aggs: []agg.AggSpec{count(1)}}, agg.ErrInvalidSpec},
		{"final avg past the last column", agg.Spec{Mode: agg.Final, Aggs: []agg.AggSpec{avg(2)}}, agg.ErrInvalidSpec},
		{"final count(*)", agg.Spec{Mode: agg.Final, Aggs: []agg.AggSpec{count(-1)}}, agg.ErrInvalidSpec},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, _ := newEnv(t, 16)
			src := exectest.NewSource(in)
			_, err := agg.NewHashAggregate(src, c.spec, env, nil)
			require.ErrorIs(t, err, c.is)
			_, err = agg.OutputSchema(c.spec, in)
			require.ErrorIs(t, err, c.is)
		})
	}
	t.Run("unsupported key type", func(t *testing.T) {
		env, _ := newEnv(t, 16)
		nullIn := schemaOf(arrow.Null)
		_, err := agg.NewHashAggregate(exectest.NewSource(nullIn), agg.Spec{GroupBy: []int{0}}, env, nil)
		require.ErrorIs(t, err, hashtable.ErrUnsupportedType)
	})
}

func TestMemoryLimit(t *testing.T) {
	for _, spec := range []agg.Spec{
		{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(0), maxOf(1)}},
		{GroupBy: []int{1}, Aggs: []agg.AggSpec{minOf(0)}},
		{Aggs: []agg.AggSpec{distinct(count(0))}},
	} {
		t.Run("", func(t *testing.T) {
			env, mem := newEnv(t, 1024)
			pool := mempool.NewGreedy(64 << 10)
			env.Pool = pool
			schema := schemaOf(i64, str)
			n := 20000
			keys, vals := make([]any, n), make([]any, n)
			for i := range n {
				keys[i] = int64(i)
				vals[i] = "value-" + string(rune('a'+i%26)) + string(make([]byte, i%50))
			}
			rec := record(mem, schema, keys, vals)
			var batches []exec.Batch
			for lo := int64(0); lo < int64(n); lo += 1024 {
				batches = append(batches, exec.Batch{Rec: rec.NewSlice(lo, min(lo+1024, int64(n)))})
			}
			rec.Release()
			m := &exec.Metrics{}
			src := exectest.NewSource(schema, batches...)
			op, err := agg.NewHashAggregate(src, spec, env, m)
			require.NoError(t, err)
			_, err = drain(t, op, 0)
			require.ErrorIs(t, err, mempool.ErrMemoryLimit)
			require.Contains(t, err.Error(), `"hash aggregate"`)
			var le *mempool.LimitError
			require.ErrorAs(t, err, &le)
			require.Equal(t, "hash aggregate", le.Consumer)
			require.Zero(t, pool.Reserved(), "Close returns the reservation")
			require.Equal(t, 1, src.Closes())
		})
	}
}

func TestLifecycle(t *testing.T) {
	schema := schemaOf(i64, f64)
	t.Run("close without open, twice", func(t *testing.T) {
		env, _ := newEnv(t, 16)
		src := exectest.NewSource(schema)
		op, err := agg.NewHashAggregate(src, agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}}, env, nil)
		require.NoError(t, err)
		require.NoError(t, op.Close())
		require.NoError(t, op.Close())
		require.Equal(t, 1, src.Closes())
	})
	t.Run("close mid-output releases everything", func(t *testing.T) {
		env, mem := newEnv(t, 2)
		pool := mempool.NewUnbounded()
		env.Pool = pool
		rec := record(mem, schema, []any{int64(1), int64(2), int64(3), int64(4), int64(5)}, []any{1.0, 2.0, 3.0, 4.0, 5.0})
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, exec.Batch{Rec: rec}), agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}}, env, nil)
		require.NoError(t, err)
		ctx := context.Background()
		require.NoError(t, op.Open(ctx))
		b, err := op.Next(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, b.Len())
		b.Release()
		require.Positive(t, pool.Reserved())
		require.NoError(t, op.Close())
		require.NoError(t, op.Close())
		require.Zero(t, pool.Reserved())
	})
	t.Run("input error is returned", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		rec := record(mem, schema, []any{int64(1)}, []any{1.0})
		src := exectest.NewSource(schema, exec.Batch{Rec: rec}, exec.Batch{})
		boom := errors.New("boom")
		src.FailAt(1, boom)
		op, err := agg.NewHashAggregate(src, agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}}, env, nil)
		require.NoError(t, err)
		_, err = drain(t, op, 0)
		require.ErrorIs(t, err, boom)
	})
	t.Run("cancelled context", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		rec := record(mem, schema, []any{int64(1)}, []any{1.0})
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, exec.Batch{Rec: rec}), agg.Spec{Aggs: []agg.AggSpec{sum(1)}}, env, nil)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		require.NoError(t, op.Open(ctx))
		cancel()
		_, err = op.Next(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.NoError(t, op.Close())
	})
	t.Run("size hint beyond the pool starts small", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		pool := mempool.NewGreedy(16 << 10)
		env.Pool = pool
		rec := record(mem, schema, []any{int64(1), int64(2), int64(1)}, []any{1.0, 2.0, 3.0})
		spec := agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}, SizeHint: 1 << 20}
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, exec.Batch{Rec: rec}), spec, env, nil)
		require.NoError(t, err)
		rows, err := drain(t, op, 0)
		require.NoError(t, err)
		requireRows(t, [][]any{{int64(1), 4.0}, {int64(2), 2.0}}, rows)
		require.Zero(t, pool.Reserved())
	})
	t.Run("size hint presizes", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		rec := record(mem, schema, []any{int64(1), int64(2), int64(1)}, []any{1.0, 2.0, 3.0})
		spec := agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}, SizeHint: 1 << 16}
		m := &exec.Metrics{}
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, exec.Batch{Rec: rec}), spec, env, m)
		require.NoError(t, err)
		rows, err := drain(t, op, 0)
		require.NoError(t, err)
		requireRows(t, [][]any{{int64(1), 4.0}, {int64(2), 2.0}}, rows)
		require.Greater(t, m.PeakReserved.Load(), int64(1<<16)*16, "the presized table was reserved")
	})
	t.Run("metrics", func(t *testing.T) {
		env, mem := newEnv(t, 16)
		rec := record(mem, schema, []any{int64(1), int64(2), int64(1), nil}, []any{1.0, 2.0, 3.0, 4.0})
		m := &exec.Metrics{}
		op, err := agg.NewHashAggregate(exectest.NewSource(schema, exec.Batch{Rec: rec, Sel: []int32{0, 1, 3}}),
			agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1)}}, env, m)
		require.NoError(t, err)
		rows, err := drain(t, op, 0)
		require.NoError(t, err)
		require.Len(t, rows, 3)
		require.Equal(t, int64(3), m.Counter("groups").Value.Load())
		require.Equal(t, int64(3), m.Counter("input rows").Value.Load())
		require.Positive(t, m.PeakReserved.Load())
	})
}
