package agg

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkFoldSum measures the SUM(float64) fold alone (no hashing) over
// 4096-row batches, dense and through a selection vector.
func BenchmarkFoldSum(b *testing.B) {
	for _, groups := range []int{100, 10_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 4096
		vals := make([]float64, n)
		gids := make([]uint32, n)
		sel := make([]int32, n)
		for i := range n {
			vals[i], gids[i], sel[i] = rng.Float64(), uint32(rng.IntN(groups)), int32(i)
		}
		acc := &fixedAcc[float64]{}
		acc.resize(groups)
		b.Run(fmt.Sprintf("groups=%d/dense", groups), func(b *testing.B) {
			for range b.N {
				sumFloat(acc.vals, acc.seen, vals, rowSet{gids: gids})
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
		b.Run(fmt.Sprintf("groups=%d/sel", groups), func(b *testing.B) {
			for range b.N {
				sumFloat(acc.vals, acc.seen, vals, rowSet{sel: sel, gids: gids})
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
	}
}
