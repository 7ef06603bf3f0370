package spill

import (
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Recycler is a memory.Allocator that keeps a few freed buffers and serves
// later allocations from them, so a loop that allocates, fills and releases
// same-sized buffers reuses warm memory instead of faulting in fresh pages
// every time (on the reference machine fresh pages cost more than copying
// the data into them). The spill Reader allocates batch bodies from one;
// the shuffle stages gathered rows in one.
//
// It wraps the caller's allocator, which does every real allocation and
// free: kept buffers count as allocated there until Close. Reused memory is
// not cleared (Arrow allocators do not promise zeroed memory; builders and
// kernels clear what they do not overwrite). Buffers may be freed on any
// goroutine, also after Close, when they go straight back to the wrapped
// allocator; every method is safe for concurrent use.
type Recycler struct {
	mem    memory.Allocator
	keep   int
	mu     sync.Mutex
	free   [][]byte         // full slices as the wrapped allocator returned them
	out    map[*byte][]byte // buffers handed out: first byte → full slice
	closed bool
}

var _ memory.Allocator = (*Recycler)(nil)

// NewRecycler returns a Recycler over mem that keeps up to keep freed
// buffers.
func NewRecycler(mem memory.Allocator, keep int) *Recycler {
	return &Recycler{mem: mem, keep: keep, out: make(map[*byte][]byte)}
}

// Allocate implements memory.Allocator: a kept buffer of at least size
// bytes (and at most twice that) if there is one, else a new one.
func (a *Recycler) Allocate(size int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	var full []byte
	for i, b := range a.free {
		if len(b) >= size && len(b) <= 2*size {
			full = b
			last := len(a.free) - 1
			a.free[i] = a.free[last]
			a.free[last] = nil
			a.free = a.free[:last]
			break
		}
	}
	if full == nil {
		// Round large buffers up to a multiple of 64 KiB so that buffers
		// of about the same size (string data) can reuse each other's.
		full = a.mem.Allocate(roundUp(size))
	}
	if size == 0 || len(full) == 0 {
		return full[:size]
	}
	a.out[unsafe.SliceData(full)] = full
	return full[:size]
}

// Reallocate implements memory.Allocator by allocating anew and copying.
func (a *Recycler) Reallocate(size int, b []byte) []byte {
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// Free implements memory.Allocator: it keeps the buffer for reuse while the
// Recycler is open and has room, and frees it otherwise. Freeing a buffer
// this Recycler did not allocate is a programmer error and panics.
func (a *Recycler) Free(b []byte) {
	if len(b) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	full, ok := a.out[unsafe.SliceData(b)]
	if !ok {
		panic("internal error: spill: recycler: free of a buffer it did not allocate")
	}
	delete(a.out, unsafe.SliceData(b))
	if !a.closed && len(a.free) < a.keep {
		a.free = append(a.free, full)
		return
	}
	a.mem.Free(full)
}

// Close frees every kept buffer; buffers freed later go straight back to
// the wrapped allocator. Buffers still in use stay valid. Idempotent.
func (a *Recycler) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	for _, b := range a.free {
		a.mem.Free(b)
	}
	a.free = nil
}

// roundUp rounds sizes above 64 KiB up to a multiple of 64 KiB.
func roundUp(size int) int {
	const step = 64 << 10
	if size <= step {
		return size
	}
	return (size + step - 1) &^ (step - 1)
}
