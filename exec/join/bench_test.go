package join_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/internal/exectest"
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// int64Source makes n rows (k = key(i), v = i) in batches of 4096.
func int64Source(mem memory.Allocator, n int, key func(i int) int64) *exectest.Replay {
	var recs []arrow.Record
	for lo := 0; lo < n; lo += exec.DefaultBatchSize {
		hi := min(lo+exec.DefaultBatchSize, n)
		kb, vb := array.NewInt64Builder(mem), array.NewInt64Builder(mem)
		for i := lo; i < hi; i++ {
			kb.Append(key(i))
			vb.Append(int64(i))
		}
		k, v := kb.NewArray(), vb.NewArray()
		recs = append(recs, array.NewRecord(benchSchema, []arrow.Array{k, v}, int64(hi-lo)))
		k.Release()
		v.Release()
		kb.Release()
		vb.Release()
	}
	return exectest.ReplayRecords(benchSchema, recs...)
}

// BenchmarkHashJoin measures the build of 1e5 and 1e6 distinct int64 keys,
// and probing 1e7 rows against 1e5 build keys with fan-out 1 and 10
// (inner join, materializing both sides) and with a semi join (count-only).
func BenchmarkHashJoin(b *testing.B) {
	ctx := context.Background()
	mem := memory.NewGoAllocator()
	env := exec.NewEnv(mem, nil, 0)
	for _, keys := range []int{1e5, 1e6} {
		b.Run(fmt.Sprintf("build/keys=%.0e", float64(keys)), func(b *testing.B) {
			perm := rand.New(rand.NewPCG(1, 2)).Perm(keys)
			src := int64Source(mem, keys, func(i int) int64 { return int64(perm[i]) })
			defer src.Release()
			b.ReportAllocs()
			for b.Loop() {
				t, err := join.Build(ctx, src, []int{0}, env, nil)
				if err != nil {
					b.Fatal(err)
				}
				t.Release()
			}
			b.ReportMetric(float64(keys)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
	}
	const buildKeys, probes = 1e5, 1e7
	rng := rand.New(rand.NewPCG(3, 4))
	keysOf := make([]int64, probes)
	for i := range keysOf {
		keysOf[i] = rng.Int64N(buildKeys)
	}
	probe := int64Source(mem, probes, func(i int) int64 { return keysOf[i] })
	defer probe.Release()
	cases := []struct {
		name   string
		typ    join.Type
		fanout int
	}{
		{"probe/inner/fanout=1", join.Inner, 1},
		{"probe/inner/fanout=10", join.Inner, 10},
		{"probe/semi/fanout=1", join.Semi, 1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			build := int64Source(mem, buildKeys*c.fanout, func(i int) int64 { return int64(i % buildKeys) })
			defer build.Release()
			t, err := join.Build(ctx, build, []int{0}, env, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer t.Release()
			spec := join.Spec{Type: c.typ, LeftKeys: []int{0}, RightKeys: []int{0}}
			b.ReportAllocs()
			var out int
			for b.Loop() {
				out = 0
				op, err := join.NewProbe(probe, t, spec, env, nil)
				if err != nil {
					b.Fatal(err)
				}
				out = drainCount(b, ctx, op)
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(probes*float64(b.N)/sec/1e6, "Mprobes/s")
			b.ReportMetric(float64(out)*float64(b.N)/sec/1e6, "Mrows/s")
		})
	}
}

// drainCount reads op to the end, releasing batches, and counts rows.
func drainCount(b *testing.B, ctx context.Context, op exec.Operator) int {
	if err := op.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer op.Close()
	n := 0
	for {
		batch, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += batch.Len()
		batch.Release()
	}
}

// BenchmarkSortMergeJoin joins 1e6 left rows with 1e6 right rows, fan-out
// 1 (inner join on unique int64 keys, materializing both sides), three
// ways: the sort-merge join over inputs already sorted on the key, the
// hash join (build and probe) over the same inputs, and sort + merge over
// the inputs in random order.
func BenchmarkSortMergeJoin(b *testing.B) {
	ctx := context.Background()
	mem := memory.NewGoAllocator()
	env := exec.NewEnv(mem, nil, 0)
	const rows = 1_000_000
	perm := rand.New(rand.NewPCG(5, 6)).Perm(rows)
	sortedL := int64Source(mem, rows, func(i int) int64 { return int64(i) })
	sortedR := int64Source(mem, rows, func(i int) int64 { return int64(i) })
	shuffledL := int64Source(mem, rows, func(i int) int64 { return int64(perm[i]) })
	shuffledR := int64Source(mem, rows, func(i int) int64 { return int64(perm[rows-1-i]) })
	for _, s := range []*exectest.Replay{sortedL, sortedR, shuffledL, shuffledR} {
		defer s.Release()
	}
	spec := join.Spec{Type: join.Inner, LeftKeys: []int{0}, RightKeys: []int{0}}
	sorted := func(in exec.Operator) exec.Operator {
		op, err := order.NewSort(in, join.SortKeys([]int{0}), env, nil)
		if err != nil {
			b.Fatal(err)
		}
		return op
	}
	cases := []struct {
		name  string
		build func() (exec.Operator, error)
	}{
		{"merge/sorted", func() (exec.Operator, error) {
			return join.NewSortMergeJoin(sortedL, sortedR, spec, env, nil)
		}},
		{"hash/sorted", func() (exec.Operator, error) {
			return join.NewHashJoin(sortedL, sortedR, spec, env, nil)
		}},
		{"sort+merge/shuffled", func() (exec.Operator, error) {
			return join.NewSortMergeJoin(sorted(shuffledL), sorted(shuffledR), spec, env, nil)
		}},
		{"hash/shuffled", func() (exec.Operator, error) {
			return join.NewHashJoin(shuffledL, shuffledR, spec, env, nil)
		}},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("inner/fanout=1/%s", c.name), func(b *testing.B) {
			b.ReportAllocs()
			var out int
			for b.Loop() {
				op, err := c.build()
				if err != nil {
					b.Fatal(err)
				}
				out = drainCount(b, ctx, op)
			}
			if out != rows {
				b.Fatalf("%d output rows, want %d", out, rows)
			}
			b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
