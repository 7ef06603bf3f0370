package mempool_test

import (
	"testing"

	"github.com/grainql/grain/exec/mempool"
)

// BenchmarkTryGrowShrink measures one TryGrow plus one Shrink, uncontended
// and with every worker goroutine on its own reservation in a shared pool.
func BenchmarkTryGrowShrink(b *testing.B) {
	for name, p := range pools(1 << 40) {
		b.Run(name, func(b *testing.B) {
			r := mempool.NewReservation(p, "bench", true)
			defer r.Free()
			b.ReportAllocs()
			for b.Loop() {
				if err := r.TryGrow(4096); err != nil {
					b.Fatal(err)
				}
				r.Shrink(4096)
			}
		})
	}
	b.Run("greedy/parallel", func(b *testing.B) {
		p := mempool.NewGreedy(1 << 40)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := mempool.NewReservation(p, "bench", false)
			defer r.Free()
			for pb.Next() {
				if err := r.TryGrow(4096); err != nil {
					b.Error(err)
					return
				}
				r.Shrink(4096)
			}
		})
	})
}

// BenchmarkRefusal measures a refused TryGrow in a pool with 64 live
// reservations, which builds a LimitError and scans for the top consumers.
func BenchmarkRefusal(b *testing.B) {
	p := mempool.NewGreedy(64 * 100)
	for range 64 {
		r := mempool.NewReservation(p, "holder", false)
		defer r.Free()
		if err := r.TryGrow(100); err != nil {
			b.Fatal(err)
		}
	}
	r := mempool.NewReservation(p, "asker", true)
	defer r.Free()
	b.ReportAllocs()
	for b.Loop() {
		if r.TryGrow(1) == nil {
			b.Fatal("grow past the limit was granted")
		}
	}
}
