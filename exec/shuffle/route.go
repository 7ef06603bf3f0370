package shuffle

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
)

// router assigns the live rows of a batch to partitions and groups their
// physical row indexes by partition (a counting sort), so that one
// exec.TakeRecord gathers the whole batch with each partition's rows
// contiguous. Its buffers are reused across batches.
type router struct {
	parts  int
	keys   []int
	rr     int // round-robin: partition of the next row
	hashes []uint64
	pids   []uint32
	cols   []arrow.Array
	// perm lists physical rows grouped by partition; partition p owns
	// perm[bounds[p]:bounds[p+1]].
	perm   []int32
	bounds []int32
	// single is the only partition that received rows, or -1.
	single int
}

// init sets the router up for cfg and map task task (round-robin starts at
// task mod R, so that tasks with few rows do not all start at partition 0).
func (r *router) init(cfg Config, task int) {
	r.parts = cfg.Partitions
	r.keys = cfg.Keys
	r.rr = task % cfg.Partitions
	r.bounds = make([]int32, cfg.Partitions+1)
	r.cols = make([]arrow.Array, len(cfg.Keys))
}

// assign computes perm, bounds and single for the live rows of b.
func (r *router) assign(b exec.Batch) error {
	n := b.Len()
	if r.parts == 1 {
		r.single = 0
		r.bounds[0], r.bounds[1] = 0, int32(n)
		return nil
	}
	r.pids = resize(r.pids, n)
	if len(r.keys) > 0 {
		for i, k := range r.keys {
			r.cols[i] = b.Rec.Column(k)
		}
		h, err := hashtable.HashRows(r.cols, b.Sel, b.NumRows(), r.hashes)
		r.hashes = h
		clear(r.cols)
		if err != nil {
			return err
		}
		if r.parts&(r.parts-1) == 0 {
			// h mod R for a power of two, without a division per row.
			mask := uint64(r.parts - 1)
			for i, v := range h {
				r.pids[i] = uint32(v & mask)
			}
		} else {
			for i, v := range h {
				r.pids[i] = uint32(Partition(v, r.parts))
			}
		}
	} else {
		p := uint32(r.rr)
		for i := range r.pids {
			r.pids[i] = p
			p++
			if p == uint32(r.parts) {
				p = 0
			}
		}
		r.rr = int(p)
	}
	r.group(b)
	return nil
}

// group turns the partition ids into bounds and perm (counting sort; rows
// keep their order within a partition).
func (r *router) group(b exec.Batch) {
	clear(r.bounds)
	for _, p := range r.pids {
		r.bounds[p+1]++
	}
	r.single = -1
	for p := range r.parts {
		if int(r.bounds[p+1]) == len(r.pids) {
			r.single = p
		}
		r.bounds[p+1] += r.bounds[p]
	}
	if r.single >= 0 {
		return // no permutation needed
	}
	r.perm = resize(r.perm, len(r.pids))
	next := r.bounds[:r.parts] // reuse as write cursors, restored below
	if b.Sel == nil {
		for i, p := range r.pids {
			r.perm[next[p]] = int32(i)
			next[p]++
		}
	} else {
		for i, p := range r.pids {
			r.perm[next[p]] = b.Sel[i]
			next[p]++
		}
	}
	// The cursors now hold each partition's end; shift them back.
	copy(r.bounds[1:], next)
	r.bounds[0] = 0
}

// resize returns s with n elements, reallocating only when too small.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
