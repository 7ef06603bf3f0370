package mempool

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Pool is a query-wide memory budget shared by every reservation of a query.
//
// Call order: create reservations with NewReservation, grow and shrink them
// (through the Reservation methods or the Pool methods, which are the same
// operations), and Free each one when its owner closes. A pool whose
// reservations are all freed reports Reserved() == 0; anything else is a leak.
//
// Concurrency: every method is safe for concurrent use from many goroutines.
// Each call holds the pool's lock only for a few counter updates (a refusal
// also scans the live reservations to name the top consumers).
//
// Errors: TryGrow never panics. On refusal it returns a *LimitError, which
// wraps ErrMemoryLimit; misuse (nil or foreign reservation, negative size,
// growing after Free) returns an error wrapping ErrInvalidReservation.
//
// Pool is sealed: the implementations are NewUnbounded, NewGreedy and
// NewFairSpill.
type Pool interface {
	// TryGrow reserves n more bytes for r, or refuses and changes nothing.
	TryGrow(r *Reservation, n int64) error
	// Shrink returns up to n bytes of r to the pool. It clamps at the bytes
	// r holds, and does nothing for n <= 0 or a freed reservation. It panics
	// (an internal error) only when r belongs to another pool.
	Shrink(r *Reservation, n int64)
	// Reserved is the number of bytes currently reserved in the pool.
	Reserved() int64
	// Limit is the pool's limit in bytes; 0 for an unbounded pool.
	Limit() int64
	// Peak is the high-water mark of Reserved.
	Peak() int64
	// Consumers is a snapshot of the live reservations, descending by bytes
	// (ties by name, then unspillable first). Freed reservations are absent;
	// registered ones holding nothing are included.
	Consumers() []ConsumerUsage

	// admit reports whether r may grow by n bytes. It is called with the
	// core's lock held and reads the core's counters. share is the
	// per-reservation cap applied (0 for none), reported in LimitError.
	admit(r *Reservation, n int64) (share int64, ok bool)
	// accounting returns the pool's shared bookkeeping.
	accounting() *core
}

// core is the bookkeeping every pool shares: the registry of live
// reservations and the byte counters. Pools differ only in admit.
//
// Invariants (under mu): reserved == sum of r.size over regs;
// unspillable == sum over unspillable regs; numSpillable counts spillable
// regs; regs[r.idx] == r for every live r, and r.idx == -1 once freed.
type core struct {
	mu           sync.Mutex
	regs         []*Reservation
	unspillable  int64
	numSpillable int

	// reserved and peak are written only under mu but read without it, so
	// Reserved and Peak never wait for the lock.
	reserved atomic.Int64
	peak     atomic.Int64
}

// accounting implements the sealed part of Pool.
func (c *core) accounting() *core { return c }

// Reserved implements Pool.
func (c *core) Reserved() int64 { return c.reserved.Load() }

// Peak implements Pool.
func (c *core) Peak() int64 { return c.peak.Load() }

// register adds r to the registry.
func (c *core) register(r *Reservation) {
	c.mu.Lock()
	r.idx = len(c.regs)
	c.regs = append(c.regs, r)
	if r.spillable {
		c.numSpillable++
	}
	c.mu.Unlock()
}

// unregister releases everything r holds and removes it from the registry.
// It returns the bytes released; a second call returns 0.
func (c *core) unregister(r *Reservation) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.idx < 0 {
		return 0
	}
	n := r.size.Load()
	c.addLocked(r, -n)
	last := len(c.regs) - 1
	c.regs[r.idx] = c.regs[last]
	c.regs[r.idx].idx = r.idx
	c.regs[last] = nil
	c.regs = c.regs[:last]
	r.idx = -1
	if r.spillable {
		c.numSpillable--
	}
	return n
}

// grow changes r under the lock. With set == false it asks for n more bytes;
// with set == true it sets r's size to n, growing or shrinking. Only growth
// goes through p.admit; shrinking always succeeds.
func (c *core) grow(p Pool, r *Reservation, n int64, set bool) error {
	if err := c.check(r, n, set); err != nil {
		return err
	}
	c.mu.Lock()
	if r.idx < 0 {
		c.mu.Unlock()
		return invalid(r.consumer, "grow after free")
	}
	delta := n
	if set {
		delta = n - r.size.Load()
	}
	if delta == 0 {
		c.mu.Unlock()
		return nil
	}
	if delta < 0 {
		c.addLocked(r, delta)
		c.mu.Unlock()
		return nil
	}
	share, ok := p.admit(r, delta)
	if ok {
		c.addLocked(r, delta)
		c.mu.Unlock()
		return nil
	}
	e := &LimitError{
		Consumer:  r.consumer,
		Requested: delta,
		Held:      r.size.Load(),
		Reserved:  c.reserved.Load(),
		Limit:     p.Limit(),
		Share:     share,
	}
	var top [maxTop]ConsumerUsage
	k := c.topLocked(&top)
	c.mu.Unlock()
	e.Top = slices.Clone(top[:k])
	return e
}

// check validates a grow request before taking the lock.
func (c *core) check(r *Reservation, n int64, set bool) error {
	op := "try grow"
	if set {
		op = "resize"
	}
	switch {
	case r == nil:
		return invalid("", "%s a nil reservation", op)
	case c == nil:
		return invalid(r.consumer, "%s a reservation not made by NewReservation", op)
	case r.core != c:
		return invalid(r.consumer, "%s in a pool the reservation does not belong to", op)
	case n < 0:
		return invalid(r.consumer, "%s by negative size %d", op, n)
	}
	return nil
}

// Shrink implements Pool.
func (c *core) Shrink(r *Reservation, n int64) {
	if r == nil || r.core == nil || n <= 0 {
		return
	}
	if r.core != c {
		panic("internal error: mempool: shrink of reservation " + strconv.Quote(r.consumer) + " in a pool it does not belong to")
	}
	c.mu.Lock()
	if r.idx >= 0 {
		c.addLocked(r, -min(n, r.size.Load()))
	}
	c.mu.Unlock()
}

// addLocked moves delta bytes (either sign) into r and updates every counter
// and high-water mark. Called with mu held; admission is the caller's job.
func (c *core) addLocked(r *Reservation, delta int64) {
	reserved := c.reserved.Add(delta)
	if reserved > c.peak.Load() {
		c.peak.Store(reserved)
	}
	if !r.spillable {
		c.unspillable += delta
	}
	size := r.size.Add(delta)
	if size > r.peak.Load() {
		r.peak.Store(size)
	}
}

// Consumers implements Pool.
func (c *core) Consumers() []ConsumerUsage {
	c.mu.Lock()
	out := make([]ConsumerUsage, len(c.regs))
	for i, r := range c.regs {
		out[i] = r.usage()
	}
	c.mu.Unlock()
	slices.SortFunc(out, compareUsage)
	return out
}

// topLocked writes the largest non-empty reservations into top, in
// compareUsage order, and returns how many it wrote. It is one pass of
// insertion into a fixed array, so a refusal allocates nothing under the
// lock. Called with mu held.
func (c *core) topLocked(top *[maxTop]ConsumerUsage) int {
	k := 0
	for _, r := range c.regs {
		u := r.usage()
		if u.Bytes == 0 || (k == maxTop && compareUsage(u, top[k-1]) >= 0) {
			continue
		}
		i := min(k, maxTop-1)
		for i > 0 && compareUsage(u, top[i-1]) < 0 {
			top[i] = top[i-1]
			i--
		}
		top[i] = u
		k = min(k+1, maxTop)
	}
	return k
}

// compareUsage orders usages by bytes descending, then name, then
// unspillable before spillable, so snapshots and messages are deterministic.
func compareUsage(a, b ConsumerUsage) int {
	if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Consumer, b.Consumer); c != 0 {
		return c
	}
	switch {
	case a.Spillable == b.Spillable:
		return 0
	case b.Spillable:
		return -1
	default:
		return 1
	}
}
