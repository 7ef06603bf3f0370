package bench

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// baselineRows is the length of the slices BenchmarkBaselineSumLoop sums.
const baselineRows = 1e7

var (
	baselineOnce   sync.Once
	baselineInts   []int64
	baselineFloats []float64
	sumSink        float64 // keeps the compiler from dropping the sums
)

// baselineData returns 1e7 int64 and float64 values, generated once.
func baselineData() ([]int64, []float64) {
	baselineOnce.Do(func() {
		rng := rand.New(rand.NewPCG(seed, 0))
		baselineInts = make([]int64, baselineRows)
		baselineFloats = make([]float64, baselineRows)
		for i := range baselineInts {
			baselineInts[i] = rng.Int64N(1000)
			baselineFloats[i] = float64(baselineInts[i])
		}
	})
	return baselineInts, baselineFloats
}

func sumInts(v []int64) float64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return float64(s)
}

// sumFloats is the plain loop: one accumulator, bound by the latency of
// floating-point addition.
func sumFloats(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// sumFloats4 keeps four independent accumulators, as Grain's kernels do.
func sumFloats4(v []float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sumParallel splits v in halves over workers goroutines and adds the
// partial sums.
func sumParallel[T any](v []T, workers int, sum func([]T) float64) float64 {
	if workers <= 1 {
		return sum(v)
	}
	parts := make([]float64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := len(v)*w/workers, len(v)*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = sum(v[lo:hi])
		}()
	}
	wg.Wait()
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}

// baselineCase is one sum loop of BenchmarkBaselineSumLoop.
type baselineCase struct {
	name string
	run  func(workers int) float64
}

// baselineCases are the sum loops over ints and floats.
func baselineCases(ints []int64, floats []float64) []baselineCase {
	return []baselineCase{
		{"int64", func(w int) float64 { return sumParallel(ints, w, sumInts) }},
		{"float64/acc=1", func(w int) float64 { return sumParallel(floats, w, sumFloats) }},
		{"float64/acc=4", func(w int) float64 { return sumParallel(floats, w, sumFloats4) }},
	}
}

// BenchmarkBaselineSumLoop sums 1e7 int64 or float64 values held in a Go
// slice with a plain loop, on one and on two goroutines: the ceiling of a
// scalar pass over one column on this machine, against which the rows/s of
// the query benchmarks can be read.
func BenchmarkBaselineSumLoop(b *testing.B) {
	for _, c := range baselineCases(baselineData()) {
		for _, w := range workerCounts {
			b.Run(c.name+"/workers="+strconv.Itoa(w), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(baselineRows * 8)
				for b.Loop() {
					sumSink += c.run(w)
				}
				b.ReportMetric(baselineRows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
