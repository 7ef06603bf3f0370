package agg_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/internal/exectest"
)

// forcedSkip makes every Partial partition that reads window rows switch
// to pass-through: no ratio of groups to rows is below the threshold.
func forcedSkip(window int64) agg.SkipPartial {
	return agg.SkipPartial{ProbeRows: window, RatioThreshold: 1e-12}
}

// counter returns the value of m's counter name, or -1 when it does not
// exist.
func counter(m *exec.Metrics, name string) int64 {
	if c := m.Counter(name); c != nil {
		return c.Value.Load()
	}
	return -1
}

// cloneBatches returns batches that share bs's records (with a new
// reference each) and copy their selections, so that two operators can
// consume the same input.
func cloneBatches(bs []exec.Batch) []exec.Batch {
	out := make([]exec.Batch, len(bs))
	for i, b := range bs {
		b.Rec.Retain()
		out[i] = exec.Batch{Rec: b.Rec}
		if b.Sel != nil {
			out[i].Sel = append([]int32{}, b.Sel...)
		}
	}
	return out
}

// TestSkipPartialRandomized forces pass-through after a small random
// window and checks that Partial → Final still equals Single, for every
// key shape (NULL keys included), every aggregate kind, with and without
// selection vectors.
func TestSkipPartialRandomized(t *testing.T) {
	for ki, kc := range keyConfigs {
		for _, bs := range []int{1, 7, 1024} {
			t.Run(fmt.Sprintf("keys=%s/batch=%d", kc.name, bs), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(ki)+100, uint64(bs)))
				gens, schema, groupBy := randomShape(kc.keys)
				env, mem := newEnv(t, bs)
				// Fewer rows than TestHashAggregateRandomized: the case
				// runs three aggregations and stays fast under -race.
				n := 100 + rng.IntN(300)
				if bs > 1 {
					n = 200 + rng.IntN(2500)
				}
				batches, live := randomInput(rng, mem, schema, gens, n, bs, rng.IntN(2) == 0)
				spec := agg.Spec{GroupBy: groupBy, Aggs: randomAggs(len(groupBy), false)}

				op, err := agg.NewHashAggregate(exectest.NewSource(schema, cloneBatches(batches)...), spec, env, nil)
				require.NoError(t, err)
				want, err := drain(t, op, bs)
				require.NoError(t, err)

				parts, window := 1+rng.IntN(3), 1+rng.Int64N(50)
				spec.SkipPartial = forcedSkip(window)
				m := &exec.Metrics{}
				got := partialFinal(t, env, schema, spec, batches, parts, rng, m)
				requireRows(t, sortRows(want), sortRows(got))

				require.EqualValues(t, len(live), counter(m, "input rows"), "input rows count passed-through rows too")
				switch {
				case len(groupBy) == 0:
					require.Nil(t, m.Counter("skipped partial"), "a global aggregate never switches")
				case int64(len(live)) >= int64(parts)*window:
					// Some part read at least a window of rows.
					require.Positive(t, counter(m, "skipped partial"))
					require.LessOrEqual(t, counter(m, "skipped partial"), int64(parts))
					require.NotNil(t, m.Counter("passthrough rows"))
				}
			})
		}
	}
}

// distinctKeys builds rows (k, v) with k = key(i) and v = i, in batches of
// batchSize.
func distinctKeys(mem memory.Allocator, rows, batchSize int, key func(i int) int64) (*arrow.Schema, []exec.Batch) {
	schema := schemaOf(i64, i64)
	ks, vs := make([]any, rows), make([]any, rows)
	for i := range rows {
		ks[i], vs[i] = key(i), int64(i)
	}
	rec := record(mem, schema, ks, vs)
	defer rec.Release()
	var out []exec.Batch
	for lo := 0; lo < rows; lo += batchSize {
		out = append(out, exec.Batch{Rec: rec.NewSlice(int64(lo), int64(min(lo+batchSize, rows)))})
	}
	return schema, out
}

var sumCountSpec = agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{sum(1), count(-1), avg(1)}, Mode: agg.Partial}

// TestSkipPartialDecision checks the decision with the default threshold:
// all-distinct keys switch after the window, few keys do not, and a
// negative threshold or one above 1 never switches.
func TestSkipPartialDecision(t *testing.T) {
	const rows, bs, window = 20_000, 1000, 4500
	distinct := func(i int) int64 { return int64(i) * 7 }
	few := func(i int) int64 { return int64(i % 100) }
	for _, c := range []struct {
		name      string
		key       func(int) int64
		threshold float64
		switched  bool
		groups    int64
	}{
		// The window fills after the 5th batch: 5000 rows, 5000 groups.
		{"distinct", distinct, 0, true, 5000},
		{"distinct/threshold=1", distinct, 1, true, 5000},
		{"few-keys", few, 0, false, 100},
		{"distinct/disabled", distinct, -1, false, rows},
		{"distinct/threshold=1.5", distinct, 1.5, false, rows},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, mem := newEnv(t, bs)
			schema, batches := distinctKeys(mem, rows, bs, c.key)
			spec := sumCountSpec
			spec.SkipPartial = agg.SkipPartial{ProbeRows: window, RatioThreshold: c.threshold}
			m := &exec.Metrics{}
			op, err := agg.NewHashAggregate(exectest.NewSource(schema, batches...), spec, env, m)
			require.NoError(t, err)
			out, err := drain(t, op, bs)
			require.NoError(t, err)
			require.EqualValues(t, c.groups, counter(m, "groups"))
			require.EqualValues(t, rows, counter(m, "input rows"))
			if !c.switched {
				require.Nil(t, m.Counter("skipped partial"))
				require.Nil(t, m.Counter("passthrough rows"))
				require.Len(t, out, int(c.groups))
				return
			}
			require.EqualValues(t, 1, counter(m, "skipped partial"))
			require.EqualValues(t, rows-c.groups, counter(m, "passthrough rows"))
			require.Len(t, out, rows, "one state row per input row")
			// The groups come first, then pass-through rows in input order:
			// (k, sum, count, avg sum, avg count) of row i.
			for i, r := range out {
				require.Equal(t, []any{int64(7 * i), int64(i), int64(1), float64(i), int64(1)}, r)
			}
		})
	}
}

// TestSkipPartialFreesMemory checks that the reservation drops to zero
// once the held groups are output, while the operator keeps streaming, and
// that Close in the middle of the pass-through releases every buffer.
func TestSkipPartialFreesMemory(t *testing.T) {
	const rows, bs, window = 20_000, 500, 2000
	for _, skip := range []bool{true, false} {
		t.Run(fmt.Sprintf("skip=%v", skip), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			pool := mempool.NewUnbounded()
			env := exec.NewEnv(mem, pool, bs)
			schema, batches := distinctKeys(mem, rows, bs, func(i int) int64 { return int64(i) })
			spec := sumCountSpec
			spec.SkipPartial = agg.SkipPartial{ProbeRows: window}
			if !skip {
				spec.SkipPartial.RatioThreshold = -1
			}
			m := &exec.Metrics{}
			op, err := agg.NewHashAggregate(exectest.NewSource(schema, batches...), spec, env, m)
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, op.Open(ctx))
			out := 0
			for out < rows-5*bs { // stop early: Close must clean up mid-stream
				b, err := op.Next(ctx)
				require.NoError(t, err)
				if out < window {
					require.Positive(t, pool.Reserved(), "the groups are held while they are output")
				} else if skip {
					require.Zero(t, pool.Reserved(), "pass-through holds no state (%d rows out)", out)
				} else {
					require.Positive(t, pool.Reserved())
				}
				out += b.Len()
				b.Release()
			}
			require.NoError(t, op.Close())
			require.Zero(t, pool.Reserved())
			require.Positive(t, m.PeakReserved.Load())
		})
	}
}

// TestSkipPartialSpecErrors checks the validation of SkipPartial.
func TestSkipPartialSpecErrors(t *testing.T) {
	schema := schemaOf(i64, i64)
	for _, s := range []agg.SkipPartial{{ProbeRows: -1}, {RatioThreshold: math.NaN()}} {
		spec := sumCountSpec
		spec.SkipPartial = s
		_, err := agg.OutputSchema(spec, schema)
		require.ErrorIs(t, err, agg.ErrInvalidSpec)
	}
}

// TestSkipPartialInputError checks that an input error during the
// pass-through reaches the caller.
func TestSkipPartialInputError(t *testing.T) {
	env, mem := newEnv(t, 10)
	schema, batches := distinctKeys(mem, 100, 10, func(i int) int64 { return int64(i) })
	src := exectest.NewSource(schema, batches...)
	src.FailAt(6, errors.New("disk on fire"))
	spec := sumCountSpec
	spec.SkipPartial = forcedSkip(20)
	op, err := agg.NewHashAggregate(src, spec, env, nil)
	require.NoError(t, err)
	_, err = drain(t, op, 10)
	require.ErrorContains(t, err, "disk on fire")
}
