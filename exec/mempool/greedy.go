package mempool

// greedyPool grants requests first come, first served until the limit.
type greedyPool struct {
	core
	limit int64
}

var _ Pool = (*greedyPool)(nil)

// NewGreedy returns a pool that grants requests first come, first served
// while Reserved stays at or below limit (DataFusion's GreedyMemoryPool).
// A negative limit counts as 0: such a pool refuses every non-zero request.
//
// Greedy suits queries with one spilling operator at a time. With several,
// the first to grow can starve the rest; use NewFairSpill.
func NewGreedy(limit int64) Pool { return &greedyPool{limit: max(limit, 0)} }

// TryGrow implements Pool.
func (p *greedyPool) TryGrow(r *Reservation, n int64) error { return p.grow(p, r, n, false) }

// Limit implements Pool.
func (p *greedyPool) Limit() int64 { return p.limit }

// admit implements Pool.
func (p *greedyPool) admit(_ *Reservation, n int64) (int64, bool) {
	return 0, n <= p.limit-p.reserved.Load()
}
