package mempool

import (
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// CountingAllocator wraps a memory.Allocator and counts the bytes it has
// handed out and not yet freed (Live) and the most it ever had out (Peak).
// Grain uses it for metrics and leak checks: a query that released every
// Arrow object ends with Live() == 0.
//
// Bytes are counted by slice length, as memory.CheckedAllocator does, so the
// inner allocator's alignment padding is not included. It is safe for
// concurrent use; counting costs two atomic operations per call.
type CountingAllocator struct {
	inner memory.Allocator
	live  atomic.Int64
	peak  atomic.Int64
}

var _ memory.Allocator = (*CountingAllocator)(nil)

// NewCountingAllocator returns a CountingAllocator over inner. A nil inner
// is a programmer error and panics (an internal error).
func NewCountingAllocator(inner memory.Allocator) *CountingAllocator {
	if inner == nil {
		panic("internal error: mempool: counting allocator over a nil allocator")
	}
	return &CountingAllocator{inner: inner}
}

// Allocate implements memory.Allocator.
func (a *CountingAllocator) Allocate(size int) []byte {
	b := a.inner.Allocate(size)
	a.add(int64(len(b)))
	return b
}

// Reallocate implements memory.Allocator.
func (a *CountingAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	out := a.inner.Reallocate(size, b)
	a.add(int64(len(out) - old))
	return out
}

// Free implements memory.Allocator.
func (a *CountingAllocator) Free(b []byte) {
	n := len(b)
	a.inner.Free(b)
	a.add(-int64(n))
}

// Live is the number of bytes allocated and not yet freed.
func (a *CountingAllocator) Live() int64 { return a.live.Load() }

// Peak is the high-water mark of Live.
func (a *CountingAllocator) Peak() int64 { return a.peak.Load() }

// add moves Live by delta and raises Peak when Live passes it.
func (a *CountingAllocator) add(delta int64) {
	live := a.live.Add(delta)
	for {
		p := a.peak.Load()
		if live <= p || a.peak.CompareAndSwap(p, live) {
			return
		}
	}
}
