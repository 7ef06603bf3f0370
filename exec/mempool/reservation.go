package mempool

import "sync/atomic"

// Reservation is one consumer's claim on a Pool: the bytes a piece of
// growing state (a hash table, a sort buffer, a build side, a shuffle block,
// a cached batch) holds. Its consumer name appears in LimitError messages and
// in Pool.Consumers; include the partition in it ("sort[p3]") where telling
// partitions apart helps.
//
// Lifecycle: NewReservation registers it with the pool; TryGrow, Shrink and
// Resize change its size; Free releases everything and unregisters it.
// Operators Free their reservations in Close.
//
// Concurrency: a Reservation is usually driven by one goroutine, but every
// method is safe for concurrent use; Size and Peak never take a lock.
type Reservation struct {
	core      *core
	pool      Pool
	consumer  string
	spillable bool

	// size and peak are written only under core.mu, read without it.
	size atomic.Int64
	peak atomic.Int64
	// idx is the position in core.regs, or -1 once freed. Guarded by core.mu.
	idx int
}

// NewReservation registers a reservation of 0 bytes named consumer with p.
// spillable says whether its owner can release memory by spilling to disk
// when refused; NewFairSpill treats the two kinds differently.
//
// A nil pool is a programmer error and panics (an internal error).
func NewReservation(p Pool, consumer string, spillable bool) *Reservation {
	if p == nil {
		panic("internal error: mempool: new reservation for a nil pool")
	}
	r := &Reservation{core: p.accounting(), pool: p, consumer: consumer, spillable: spillable}
	r.core.register(r)
	return r
}

// TryGrow reserves n more bytes, or returns an error and changes nothing.
// A refusal is a *LimitError wrapping ErrMemoryLimit: a spillable owner
// spills, shrinks and retries; any other owner returns the error, wrapped
// with its own context. Growing after Free or by a negative n returns an
// error wrapping ErrInvalidReservation. It never panics.
func (r *Reservation) TryGrow(n int64) error {
	if r == nil {
		return invalid("", "try grow a nil reservation")
	}
	return r.core.grow(r.pool, r, n, false)
}

// Shrink returns n bytes to the pool. It clamps at the bytes held, so
// shrinking more than Size releases everything and leaves Size at 0; n <= 0
// and shrinking a freed reservation do nothing.
func (r *Reservation) Shrink(n int64) {
	if r != nil && r.core != nil {
		r.core.Shrink(r, n)
	}
}

// Resize sets the reservation to n bytes. Shrinking always succeeds; growing
// can be refused exactly as TryGrow is, and then changes nothing. The size is
// read and changed under the pool's lock, so Resize is atomic.
func (r *Reservation) Resize(n int64) error {
	if r == nil {
		return invalid("", "resize a nil reservation")
	}
	return r.core.grow(r.pool, r, n, true)
}

// Free releases every byte the reservation holds, unregisters it from the
// pool and returns the bytes released. It is idempotent: later calls return
// 0. After Free, Shrink does nothing, and TryGrow and Resize return an error
// wrapping ErrInvalidReservation. Free on a nil reservation returns 0, so
// Close paths may call it unconditionally.
func (r *Reservation) Free() int64 {
	if r == nil || r.core == nil {
		return 0
	}
	return r.core.unregister(r)
}

// Size is the number of bytes currently held.
func (r *Reservation) Size() int64 { return r.size.Load() }

// Peak is the high-water mark of Size, for per-operator metrics. Free does
// not reset it.
func (r *Reservation) Peak() int64 { return r.peak.Load() }

// Consumer is the name given to NewReservation.
func (r *Reservation) Consumer() string { return r.consumer }

// Spillable reports whether the owner said it can spill.
func (r *Reservation) Spillable() bool { return r.spillable }

// usage snapshots r for Consumers and LimitError.
func (r *Reservation) usage() ConsumerUsage {
	return ConsumerUsage{Consumer: r.consumer, Bytes: r.size.Load(), Spillable: r.spillable}
}
