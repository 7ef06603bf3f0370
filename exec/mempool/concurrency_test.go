package mempool_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/grainql/grain/exec/mempool"
	"github.com/stretchr/testify/require"
)

func TestConcurrentGrowShrink(t *testing.T) {
	const (
		limit      = 1000
		goroutines = 16
		iters      = 2000
	)
	for name, p := range pools(limit) {
		t.Run(name, func(t *testing.T) {
			var maxSeen, refusals atomic.Int64
			stop := make(chan struct{})
			var observer sync.WaitGroup
			observer.Add(1)
			go func() { // watches the pool from outside while the workers run
				defer observer.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					var sum int64
					for _, u := range p.Consumers() {
						sum += u.Bytes
					}
					maxSeen.Store(max(maxSeen.Load(), p.Reserved(), sum))
				}
			}()

			rs := make([]*mempool.Reservation, goroutines)
			for g := range rs {
				rs[g] = mempool.NewReservation(p, fmt.Sprintf("worker %d", g), g%2 == 0)
			}
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 7))
					r := rs[g]
					var held int64 // what this worker believes it holds
					for range iters {
						switch n := rng.Int64N(100) + 1; rng.IntN(3) {
						case 0, 1:
							if err := r.TryGrow(n); err == nil {
								held += n
							} else {
								refusals.Add(1)
							}
						default:
							r.Shrink(n)
							held = max(held-n, 0)
						}
						if held != r.Size() {
							panic(fmt.Sprintf("worker %d holds %d, reservation says %d", g, held, r.Size()))
						}
					}
				}()
			}
			wg.Wait()
			close(stop)
			observer.Wait()

			var sum int64
			for _, r := range rs {
				sum += r.Size()
			}
			require.Equal(t, sum, p.Reserved())
			if p.Limit() > 0 {
				require.LessOrEqual(t, maxSeen.Load(), int64(limit))
				require.LessOrEqual(t, p.Peak(), int64(limit))
				require.Positive(t, refusals.Load(), "the workload must hit the limit")
			}
			for _, r := range rs {
				r.Free()
			}
			require.Zero(t, p.Reserved())
			require.Empty(t, p.Consumers())
		})
	}
}

// TestConcurrentSharedReservation drives one reservation from several
// goroutines; each shrinks only what it grew, so nothing clamps and the
// final size is exact.
func TestConcurrentSharedReservation(t *testing.T) {
	const (
		goroutines = 8
		iters      = 3000
	)
	p := mempool.NewGreedy(goroutines * 10)
	r := mempool.NewReservation(p, "shared", false)
	var outstanding atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := 0
			for i := range iters {
				if (i+g)%3 != 2 && r.TryGrow(1) == nil {
					mine++
				} else if mine > 0 {
					r.Shrink(1)
					mine--
				}
			}
			outstanding.Add(int64(mine))
		}()
	}
	wg.Wait()
	require.Equal(t, outstanding.Load(), r.Size())
	require.Equal(t, outstanding.Load(), p.Reserved())
	require.LessOrEqual(t, p.Peak(), p.Limit())
	require.Equal(t, outstanding.Load(), r.Free())
	require.Zero(t, p.Reserved())
}

// TestConcurrentRegisterFree creates, grows and frees reservations from many
// goroutines at once, racing registration with refusals that scan the
// registry.
func TestConcurrentRegisterFree(t *testing.T) {
	p := mempool.NewFairSpill(500)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				r := mempool.NewReservation(p, "r", (g+i)%2 == 0)
				_ = r.TryGrow(int64(i % 90))
				if i%3 == 0 {
					_ = r.Resize(int64(i % 40))
				}
				r.Free()
			}
		}()
	}
	wg.Wait()
	require.Zero(t, p.Reserved())
	require.Empty(t, p.Consumers())
	require.LessOrEqual(t, p.Peak(), int64(500))
}
