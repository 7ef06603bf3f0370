package mempool

import "math"

// unboundedPool grants every request; it only keeps the books, so Reserved,
// Peak and Consumers still report what the query holds.
type unboundedPool struct {
	core
}

var _ Pool = (*unboundedPool)(nil)

// NewUnbounded returns a pool without a limit. It grants every request
// (short of overflowing int64) and still tracks Reserved, Peak and
// Consumers, for metrics and leak checks.
func NewUnbounded() Pool { return &unboundedPool{} }

// TryGrow implements Pool.
func (p *unboundedPool) TryGrow(r *Reservation, n int64) error { return p.grow(p, r, n, false) }

// Limit implements Pool; it is 0 for an unbounded pool.
func (p *unboundedPool) Limit() int64 { return 0 }

// admit implements Pool.
func (p *unboundedPool) admit(_ *Reservation, n int64) (int64, bool) {
	return 0, n <= math.MaxInt64-p.reserved.Load()
}
