package agg_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/internal/exectest"
)

// distinctOracle keeps the first occurrence of every distinct row.
func distinctOracle(rows [][]any) [][]any {
	seen := map[string]bool{}
	var out [][]any
	for _, r := range rows {
		var sb strings.Builder
		for _, v := range r {
			sb.WriteString(keyOf(v) + "|")
		}
		if !seen[sb.String()] {
			seen[sb.String()] = true
			out = append(out, r)
		}
	}
	return out
}

func TestDistinctRandomized(t *testing.T) {
	for ki, kc := range keyConfigs[1:] {
		for _, bs := range []int{1, 7, 1024, 4096} {
			for _, withSel := range []bool{false, true} {
				t.Run(fmt.Sprintf("keys=%s/batch=%d/sel=%v", kc.name, bs, withSel), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(ki)+100, uint64(bs)*2+boolBit(withSel)))
					types := make([]arrow.DataType, len(kc.keys))
					for i, g := range kc.keys {
						types[i] = g.dt
					}
					schema := schemaOf(types...)
					for _, n := range []int{0, 1, rowsFor(rng, bs)} {
						env, mem := newEnv(t, bs)
						batches, live := randomInput(rng, mem, schema, kc.keys, n, bs, withSel)
						m := &exec.Metrics{}
						op, err := agg.NewDistinct(exectest.NewSource(schema, batches...), env, m)
						require.NoError(t, err)
						got, err := drain(t, op, bs)
						require.NoError(t, err)
						want := distinctOracle(live)
						requireRows(t, want, got)
						require.Equal(t, int64(len(want)), m.Counter("groups").Value.Load())
						require.Equal(t, int64(len(live)), m.Counter("input rows").Value.Load())
					}
				})
			}
		}
	}
}

func TestDistinctStreamsZeroCopy(t *testing.T) {
	env, mem := newEnv(t, 16)
	schema := schemaOf(i64, str)
	r1 := record(mem, schema, []any{int64(1), int64(2), int64(1)}, []any{"a", "b", "a"})
	r2 := record(mem, schema, []any{int64(2), int64(3)}, []any{"b", nil})
	r3 := record(mem, schema, []any{int64(3)}, []any{nil})
	op, err := agg.NewDistinct(exectest.NewSource(schema, exec.Batch{Rec: r1}, exec.Batch{Rec: r2}, exec.Batch{Rec: r3}), env, nil)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	var sels [][]int32
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		require.Same(t, r1.Schema(), b.Rec.Schema(), "output shares the input records")
		if len(sels) == 0 {
			require.Same(t, r1.Column(1).(*array.String), b.Rec.Column(1).(*array.String))
		}
		sels = append(sels, slices.Clone(b.Sel)) // Sel is reused by the next call
		b.Release()
	}
	require.NoError(t, op.Close())
	require.Equal(t, [][]int32{{0, 1}, {1}}, sels, "the batch without a new row is dropped")
}

func TestDistinctEdges(t *testing.T) {
	t.Run("zero columns", func(t *testing.T) {
		env, _ := newEnv(t, 16)
		empty := arrow.NewSchema(nil, nil)
		rec := array.NewRecord(empty, nil, 5)
		rec2 := array.NewRecord(empty, nil, 3)
		op, err := agg.NewDistinct(exectest.NewSource(empty, exec.Batch{Rec: rec}, exec.Batch{Rec: rec2}), env, nil)
		require.NoError(t, err)
		got, err := drain(t, op, 0)
		require.NoError(t, err)
		require.Len(t, got, 1)
	})
	t.Run("memory limit", func(t *testing.T) {
		env, mem := newEnv(t, 1024)
		pool := mempool.NewGreedy(32 << 10)
		env.Pool = pool
		schema := schemaOf(i64)
		vals := make([]any, 10000)
		for i := range vals {
			vals[i] = int64(i)
		}
		rec := record(mem, schema, vals)
		op, err := agg.NewDistinct(exectest.NewSource(schema, exec.Batch{Rec: rec}), env, nil)
		require.NoError(t, err)
		_, err = drain(t, op, 0)
		require.ErrorIs(t, err, mempool.ErrMemoryLimit)
		require.Contains(t, err.Error(), `"distinct"`)
		require.Zero(t, pool.Reserved())
	})
	t.Run("close twice without open", func(t *testing.T) {
		env, _ := newEnv(t, 16)
		src := exectest.NewSource(schemaOf(i64))
		op, err := agg.NewDistinct(src, env, &exec.Metrics{})
		require.NoError(t, err)
		require.NoError(t, op.Close())
		require.NoError(t, op.Close())
		require.Equal(t, 1, src.Closes())
	})
	t.Run("unsupported type", func(t *testing.T) {
		env, _ := newEnv(t, 16)
		_, err := agg.NewDistinct(exectest.NewSource(schemaOf(arrow.Null)), env, nil)
		require.ErrorIs(t, err, hashtable.ErrUnsupportedType)
	})
}
