package order_test

import (
	"context"
	"errors"
	"io"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

// benchRecords builds n rows in 4096-row records: a key column filled by
// key, and an int64 payload.
func benchRecords(n int, dt arrow.DataType, key func(b array.Builder, rng *rand.Rand)) []arrow.Record {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: dt}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rng := rand.New(rand.NewSource(1))
	var recs []arrow.Record
	for lo := 0; lo < n; lo += exec.DefaultBatchSize {
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(n, lo+exec.DefaultBatchSize); i++ {
			key(b.Field(0), rng)
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	return recs
}

func int64Key(b array.Builder, rng *rand.Rand) { b.(*array.Int64Builder).Append(rng.Int63()) }

func stringKey(b array.Builder, rng *rand.Rand) {
	buf := make([]byte, 8+rng.Intn(17))
	for i := range buf {
		buf[i] = byte('a' + rng.Intn(26))
	}
	b.(*array.StringBuilder).Append(string(buf))
}

// runBench drains the operator build returns b.N times and reports input
// rows per second.
func runBench(b *testing.B, recs []arrow.Record, build func(in exec.Operator, env *exec.Env) (exec.Operator, error)) {
	n := 0
	for _, r := range recs {
		n += int(r.NumRows())
	}
	env := exec.NewEnv(memory.NewGoAllocator(), nil, 0)
	src := exectest.ReplayRecords(recs[0].Schema(), recs...)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op, err := build(src, env)
		if err != nil {
			b.Fatal(err)
		}
		if err := op.Open(ctx); err != nil {
			b.Fatal(err)
		}
		for {
			out, err := op.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
		if err := op.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkSort(b *testing.B) {
	for _, bc := range []struct {
		name string
		dt   arrow.DataType
		key  func(array.Builder, *rand.Rand)
	}{
		{"int64/rows=1e6", arrow.PrimitiveTypes.Int64, int64Key},
		{"string/rows=1e6", arrow.BinaryTypes.String, stringKey},
	} {
		b.Run(bc.name, func(b *testing.B) {
			recs := benchRecords(1_000_000, bc.dt, bc.key)
			defer releaseRecords(recs)
			runBench(b, recs, func(in exec.Operator, env *exec.Env) (exec.Operator, error) {
				return order.NewSort(in, []order.Key{{Col: 0}}, env, nil)
			})
		})
	}
}

func BenchmarkTopK(b *testing.B) {
	b.Run("int64/k=100/rows=1e7", func(b *testing.B) {
		recs := benchRecords(10_000_000, arrow.PrimitiveTypes.Int64, int64Key)
		defer releaseRecords(recs)
		runBench(b, recs, func(in exec.Operator, env *exec.Env) (exec.Operator, error) {
			return order.NewTopK(in, []order.Key{{Col: 0, Desc: true}}, 100, env, nil)
		})
	})
}

func releaseRecords(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// BenchmarkMerge merges 8 sorted inputs of 125,000 random int64 keys each
// (1e6 rows in all, plus an int64 payload) in 4096-row batches.
func BenchmarkMerge(b *testing.B) {
	const inputs, rows = 8, 1_000_000
	rng := rand.New(rand.NewSource(1))
	srcs := make([]*exectest.Replay, inputs)
	for i := range srcs {
		keys := make([]int64, rows/inputs)
		for j := range keys {
			keys[j] = rng.Int63()
		}
		slices.Sort(keys)
		next := 0
		recs := benchRecords(len(keys), arrow.PrimitiveTypes.Int64, func(b array.Builder, _ *rand.Rand) {
			b.(*array.Int64Builder).Append(keys[next])
			next++
		})
		srcs[i] = exectest.ReplayRecords(recs[0].Schema(), recs...)
	}
	defer func() {
		for _, s := range srcs {
			s.Release()
		}
	}()
	env := exec.NewEnv(memory.NewGoAllocator(), nil, 0)
	ctx := context.Background()
	ops := make([]exec.Operator, inputs)
	for i, s := range srcs {
		ops[i] = s
	}
	b.ReportAllocs()
	for b.Loop() {
		op, err := order.NewMerge(ops, []order.Key{{Col: 0}}, env, nil)
		if err != nil {
			b.Fatal(err)
		}
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
		if n != rows {
			b.Fatalf("merged %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
