package agg_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/exectest"
)

const (
	benchRows  = 10_000_000
	benchBatch = exec.DefaultBatchSize
)

// wrapFixed wraps a Go slice as an Arrow array of type dt without copying.
func wrapFixed[T any](dt arrow.DataType, vals []T) arrow.Array {
	var zero T
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals)*int(unsafe.Sizeof(zero)))
	data := array.NewData(dt, len(vals), []*memory.Buffer{nil, memory.NewBufferBytes(b)}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// benchBatches builds benchRows rows of (key, float64 value) in 4096-row
// batches; key(i, rng) gives the key column of one batch.
func benchBatches(keyType arrow.DataType, key func(n int, rng *rand.Rand) arrow.Array) (*arrow.Schema, []exec.Batch) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: keyType}, {Name: "v", Type: f64}}, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	var batches []exec.Batch
	for lo := 0; lo < benchRows; lo += benchBatch {
		n := min(benchBatch, benchRows-lo)
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = rng.Float64()
		}
		k, v := key(n, rng), wrapFixed(f64, vals)
		batches = append(batches, exec.Batch{Rec: array.NewRecord(schema, []arrow.Array{k, v}, int64(n))})
		k.Release()
		v.Release()
	}
	return schema, batches
}

// runBench aggregates the batches b.N times and reports Mrows/s.
func runBench(b *testing.B, schema *arrow.Schema, batches []exec.Batch, spec agg.Spec, wantGroups int) {
	env := exec.NewEnv(memory.NewGoAllocator(), nil, benchBatch)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(benchRows * 16)
	b.ResetTimer()
	for range b.N {
		op, err := agg.NewHashAggregate(exectest.NewReplay(schema, batches...), spec, env, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := op.Open(ctx); err != nil {
			b.Fatal(err)
		}
		groups := 0
		for {
			out, err := op.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			groups += out.Len()
			out.Release()
		}
		if err := op.Close(); err != nil {
			b.Fatal(err)
		}
		if groups > wantGroups || groups < wantGroups*9/10 {
			b.Fatalf("%d groups, want about %d", groups, wantGroups)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

func releaseAll(batches []exec.Batch) {
	for _, bt := range batches {
		bt.Release()
	}
}

var sumByKey = agg.Spec{GroupBy: []int{0}, Aggs: []agg.AggSpec{{Func: expr.AggSum, Input: 1, Name: "s"}}}

// BenchmarkHashAgg measures SUM(v float64) GROUP BY k on one goroutine,
// 1e7 rows in 4096-row batches, against a plain loop summing v.
func BenchmarkHashAgg(b *testing.B) {
	for _, c := range []struct {
		groups  int
		presize bool
	}{{100, false}, {10_000, false}, {1_000_000, false}, {1_000_000, true}} {
		name := fmt.Sprintf("keys=int64/groups=%.0e/rows=1e7", float64(c.groups))
		if c.presize {
			name = fmt.Sprintf("keys=int64/groups=%.0e/rows=1e7/presized", float64(c.groups))
		}
		b.Run(name, func(b *testing.B) {
			schema, batches := benchBatches(i64, func(n int, rng *rand.Rand) arrow.Array {
				keys := make([]int64, n)
				for i := range keys {
					keys[i] = int64(rng.IntN(c.groups))
				}
				return wrapFixed(i64, keys)
			})
			defer releaseAll(batches)
			spec := sumByKey
			if c.presize {
				spec.SizeHint = c.groups
			}
			runBench(b, schema, batches, spec, c.groups)
		})
	}
	for _, groups := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("keys=string/groups=%.0e/rows=1e7", float64(groups)), func(b *testing.B) {
			names := make([]string, groups)
			for i := range names {
				names[i] = "customer-" + strconv.Itoa(i*7919)
			}
			schema, batches := benchBatches(str, func(n int, rng *rand.Rand) arrow.Array {
				sb := array.NewStringBuilder(memory.NewGoAllocator())
				defer sb.Release()
				for range n {
					sb.Append(names[rng.IntN(groups)])
				}
				return sb.NewArray()
			})
			defer releaseAll(batches)
			runBench(b, schema, batches, sumByKey, groups)
		})
	}
	b.Run("baseline=plain-loop-sum/rows=1e7", func(b *testing.B) {
		_, batches := benchBatches(i64, func(n int, _ *rand.Rand) arrow.Array {
			return wrapFixed(i64, make([]int64, n))
		})
		defer releaseAll(batches)
		b.SetBytes(benchRows * 8)
		b.ResetTimer()
		var total float64
		for range b.N {
			for _, bt := range batches {
				for _, v := range bt.Column(1).(*array.Float64).Float64Values() {
					total += v
				}
			}
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		if total == 0 {
			b.Fatal("empty sum")
		}
	})
}

// BenchmarkSkipPartial measures SUM(v) and COUNT(*) GROUP BY k over 1e6
// rows whose keys are all distinct, with adaptive partial aggregation
// (pass-through after the default 1e5-row window) and without it (the
// partial aggregate hashes every row). stage=partial drains the Partial
// aggregate alone; stage=partial+final feeds it into the Final aggregate,
// which hashes every group again either way.
func BenchmarkSkipPartial(b *testing.B) {
	const rows = 1_000_000
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: i64}, {Name: "v", Type: f64}}, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	perm := rng.Perm(rows)
	var batches []exec.Batch
	for lo := 0; lo < rows; lo += benchBatch {
		n := min(benchBatch, rows-lo)
		keys, vals := make([]int64, n), make([]float64, n)
		for i := range n {
			keys[i], vals[i] = int64(perm[lo+i]), rng.Float64()
		}
		k, v := wrapFixed(i64, keys), wrapFixed(f64, vals)
		batches = append(batches, exec.Batch{Rec: array.NewRecord(schema, []arrow.Array{k, v}, int64(n))})
		k.Release()
		v.Release()
	}
	defer releaseAll(batches)
	aggs := []agg.AggSpec{{Func: expr.AggSum, Input: 1, Name: "s"}, {Func: expr.AggCount, Input: -1, Name: "n"}}
	final := agg.Spec{GroupBy: []int{0}, Mode: agg.Final,
		Aggs: []agg.AggSpec{{Func: expr.AggSum, Input: 1, Name: "s"}, {Func: expr.AggCount, Input: 2, Name: "n"}}}
	for _, stage := range []string{"partial", "partial+final"} {
		for _, skip := range []bool{true, false} {
			partial := agg.Spec{GroupBy: []int{0}, Aggs: aggs, Mode: agg.Partial}
			if !skip {
				partial.SkipPartial.RatioThreshold = -1
			}
			b.Run(fmt.Sprintf("stage=%s/skip=%v/groups=1e6/rows=1e6", stage, skip), func(b *testing.B) {
				env := exec.NewEnv(memory.NewGoAllocator(), nil, benchBatch)
				b.ReportAllocs()
				b.SetBytes(rows * 16)
				b.ResetTimer()
				for range b.N {
					op, err := agg.NewHashAggregate(exectest.NewReplay(schema, batches...), partial, env, nil)
					if err == nil && stage == "partial+final" {
						op, err = agg.NewHashAggregate(op, final, env, nil)
					}
					if err != nil {
						b.Fatal(err)
					}
					if got := drainRows(b, op); got < rows {
						b.Fatalf("%d rows out, want at least %d", got, rows)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
			})
		}
	}
}

// drainRows opens op, reads it to the end, closes it and returns the live
// rows it output.
func drainRows(b *testing.B, op exec.Operator) int {
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		out, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n += out.Len()
		out.Release()
	}
	if err := op.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}
