package shuffle

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// Map-side buffering.
//
// Each Write gathers the batch's live rows once, grouped by partition, into
// a source record (exec.TakeRecord over the router's permutation; no copy at
// all when the batch has no selection and all its rows go to one
// partition). Each partition then holds a span [lo, hi) of that source.
// When a partition's pending spans reach Env.BatchSize rows they are sealed:
// copied (concatSpans) into one block. A source is released once no
// partition has a pending span in it.
//
//	batch ─► route ─► TakeRecord ─► source ─┬─ span p0 ─┐
//	                                         ├─ span p1  │ pending[p] ≥ BatchSize
//	                                         └─ span p2  ▼
//	                                   blocks[p]: [run (spilled)] [rec] [rec] …
//
// A partition that receives few rows keeps old sources alive. When the rows
// pinned in sources exceed twice the pending rows plus four batches, every
// partition's pending spans are compacted into one owned source each; the
// copying this costs is bounded by the rows that arrived since the last
// compaction, so it is O(1) per row.

// source is a record whose rows are pending in one or more partitions.
type source struct {
	rec   arrow.Record // nil once released
	bytes int64
	rows  int64
	refs  int // partitions with a pending span in rec
}

// span is a run of rows [lo, hi) of a source, pending in one partition.
type span struct {
	src    *source
	lo, hi int32
}

// pendingPart is one partition's rows not yet sealed.
type pendingPart struct {
	spans []span
	rows  int64
}

// block is one sealed unit of a partition: an in-memory record, or a run
// of consecutive spilled blocks in a spill file.
type block struct {
	rec   arrow.Record // in memory; nil when spilled
	run   *run         // spilled; nil in memory
	rows  int64
	bytes int64 // in-memory Arrow bytes (kept after spilling, for stats)
}

// partitionOut is one partition's output of one map task.
type partitionOut struct {
	blocks  []block
	claimed bool // a reader owns it
}

// estimateBytes guesses the bytes of n live rows of rec gathered into a new
// record: rec's buffer bytes scaled by n / rows.
func estimateBytes(rec arrow.Record, n int) int64 {
	rows := rec.NumRows()
	if rows == 0 {
		return 0
	}
	return exec.RecordBytes(rec) * int64(n) / rows
}

// newSource gathers the live rows of b, grouped by partition, into a new
// source. Called with w.mu held after route.assign.
func (w *Writer) newSource(b exec.Batch) (*source, error) {
	var rec arrow.Record
	var err error
	switch {
	case w.route.single >= 0 && b.Sel == nil:
		b.Rec.Retain()
		rec = b.Rec
	case w.route.single >= 0:
		rec, err = exec.TakeRecord(w.staging, b.Rec, b.Sel)
	default:
		rec, err = exec.TakeRecord(w.staging, b.Rec, w.route.perm)
	}
	if err != nil {
		return nil, err
	}
	s := &source{rec: rec, bytes: exec.RecordBytes(rec), rows: rec.NumRows()}
	w.addSource(s)
	return s, nil
}

// addSource registers a live source.
func (w *Writer) addSource(s *source) {
	w.sources = append(w.sources, s)
	w.srcRows += s.rows
	w.srcSize.Add(s.bytes)
}

// addSpans gives each partition its span of src (rows grouped as the router
// left them; src has at least one row), seals the partitions that reached a batch, and compacts when
// old sources pin too many rows.
func (w *Writer) addSpans(src *source) error {
	bounds := w.route.bounds
	if w.route.single >= 0 {
		w.pend(w.route.single, span{src: src, lo: 0, hi: int32(src.rows)})
		w.stats[w.route.single].rows.Add(src.rows)
	} else {
		for p := range w.pending {
			if lo, hi := bounds[p], bounds[p+1]; hi > lo {
				w.pend(p, span{src: src, lo: lo, hi: hi})
				w.stats[p].rows.Add(int64(hi - lo))
			}
		}
	}
	target := int64(w.x.env.BatchSize)
	for p := range w.pending {
		if w.pending[p].rows >= target {
			if err := w.seal(p); err != nil {
				return err
			}
		}
	}
	if w.srcRows > 2*w.pendRow+4*target {
		return w.compact()
	}
	return nil
}

// pend appends sp to partition p's pending spans.
func (w *Writer) pend(p int, sp span) {
	pp := &w.pending[p]
	pp.spans = append(pp.spans, sp)
	n := int64(sp.hi - sp.lo)
	pp.rows += n
	w.pendRow += n
	sp.src.refs++
}

// unref drops one partition's reference to s, releasing s at zero.
func (w *Writer) unref(s *source) {
	s.refs--
	if s.refs > 0 || s.rec == nil {
		return
	}
	s.rec.Release()
	s.rec = nil
	w.srcRows -= s.rows
	w.srcSize.Add(-s.bytes)
	// Drop released sources from the front so the slice does not grow
	// without bound; ones in the middle go when they reach the front.
	for len(w.sources) > 0 && w.sources[0].rec == nil {
		w.sources[0] = nil
		w.sources = w.sources[1:]
	}
}

// take removes partition p's pending spans and returns them as one record
// with the exchange's schema, unreferencing the sources. A single span
// covering a whole source is relabelled, not copied.
func (w *Writer) take(p int) (arrow.Record, error) {
	pp := &w.pending[p]
	var rec arrow.Record
	if sp := pp.spans[0]; len(pp.spans) == 1 && sp.lo == 0 && int64(sp.hi) == sp.src.rows {
		rec = array.NewRecord(w.x.cfg.Schema, sp.src.rec.Columns(), sp.src.rows)
	} else {
		var err error
		if rec, err = concatSpans(w.x.env.Mem, w.x.cfg.Schema, pp.spans, pp.rows); err != nil {
			return nil, w.wrap("seal block", err)
		}
	}
	for _, sp := range pp.spans {
		w.unref(sp.src)
	}
	w.pendRow -= pp.rows
	clear(pp.spans)
	pp.spans, pp.rows = pp.spans[:0], 0
	return rec, nil
}

// seal turns partition p's pending rows into an in-memory block.
func (w *Writer) seal(p int) error {
	rec, err := w.take(p)
	if err != nil {
		return err
	}
	bytes := exec.RecordBytes(rec)
	w.out[p].blocks = append(w.out[p].blocks, block{rec: rec, rows: rec.NumRows(), bytes: bytes})
	w.memBytes.Add(bytes)
	st := &w.stats[p]
	st.bytes.Add(bytes)
	st.blocks.Add(1)
	return nil
}

// sealAll seals every partition with pending rows.
func (w *Writer) sealAll() error {
	for p := range w.pending {
		if w.pending[p].rows > 0 {
			if err := w.seal(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// compact copies every partition's pending spans into one owned source per
// partition, releasing the old sources they pinned.
func (w *Writer) compact() error {
	for p := range w.pending {
		pp := &w.pending[p]
		if sp := pp.spans; pp.rows == 0 || (len(sp) == 1 && sp[0].lo == 0 && int64(sp[0].hi) == sp[0].src.rows) {
			continue // pins nothing but its own rows
		}
		rec, err := w.take(p)
		if err != nil {
			return err
		}
		s := &source{rec: rec, bytes: exec.RecordBytes(rec), rows: rec.NumRows()}
		w.addSource(s)
		w.pend(p, span{src: s, lo: 0, hi: int32(s.rows)})
	}
	return nil
}

// ensure makes the reservation cover what the writer holds plus extra
// bytes it is about to allocate. When the pool refuses, it spills this
// writer's buffered rows and retries; when it holds nothing, it spills the
// map task holding the most memory and retries; it fails only when no map
// task of the exchange has anything left to spill. Called with w.mu held.
func (w *Writer) ensure(extra int64) error {
	waits := 0
	for {
		err := w.res.Resize(w.held() + extra)
		if err == nil {
			return nil
		}
		if !errors.Is(err, mempool.ErrMemoryLimit) {
			return w.wrap("reserve", err)
		}
		if before := w.held(); before > 0 {
			if serr := w.spillLocked(); serr != nil {
				return serr
			}
			if w.held() >= before {
				return fmt.Errorf("internal error: shuffle %s: spilling map task %d freed nothing", w.x.cfg.Name, w.task)
			}
			continue
		}
		// Spill another map task. Our lock is released meanwhile so that
		// no goroutine ever holds two writer locks; our state is
		// consistent here, and another goroutine may only discard it.
		w.mu.Unlock()
		freed, serr := w.x.spillOthers(w)
		busy := freed == 0 && serr == nil && waits < maxWaits && w.x.othersReserving(w)
		if busy {
			// Other tasks hold reservations for rows they are gathering
			// right now; those become spillable (or are released) within
			// their current Write.
			waits++
			runtime.Gosched()
		}
		w.mu.Lock()
		if uerr := w.usable(); uerr != nil {
			return uerr
		}
		if serr != nil {
			return serr
		}
		if freed == 0 && !busy {
			// Nothing to spill anywhere. Memory may have been freed since
			// the refusal (a reader, a writer spilling itself): one last
			// try before giving up.
			if err = w.res.Resize(w.held() + extra); err == nil {
				return nil
			}
			return w.wrap(fmt.Sprintf("reserve %d bytes", extra), err)
		}
	}
}

// maxWaits bounds how often a writer refused while holding nothing yields
// to other writers that are mid-Write before it gives up.
const maxWaits = 100

// othersReserving reports whether another open writer holds a reservation
// larger than what it could spill (the estimate for a batch it is
// gathering). Called without any writer lock held.
func (x *Exchange) othersReserving(self *Writer) bool {
	for _, w := range x.snapshot() {
		if w != self && w.state.Load() == stateOpen && w.res.Size() > w.held() {
			return true
		}
	}
	return false
}
