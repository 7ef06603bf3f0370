package shuffle

import (
	"fmt"
	"sync/atomic"

	"github.com/grainql/grain/exec/spill"
)

// Spilling.
//
// A spill event writes every in-memory block of one map task to one new
// spill file, partition by partition, so that each partition's blocks form
// one section of the file:
//
//	map task m, refused ─► seal pending ─► spill file (one per event)
//	                                      ┌──────────┬──────────┬─────┐
//	                                      │ p0 blocks│ p1 blocks│ …   │
//	                                      └──────────┴──────────┴─────┘
//	blocks[p]: [rec][rec]  ──────────────►  [run{file, section p}]
//
// The in-memory blocks of a partition are always a suffix of its block
// list (a spill converts all of them), so one run replaces them and block
// order is kept. The file is removed when the last of its runs is read or
// dropped, or by Release.
//
// A writer whose reservation is refused spills itself; if it holds nothing,
// it spills the map task holding the most memory (a finished one, whose
// blocks sit idle until the reduce stage, or a running one between two of
// its writes), after releasing its own lock: no goroutine ever holds two
// writer locks, and the exchange's lock is always taken last and held
// briefly, so there is no lock order to get wrong.

// spillFile is a spill file shared by the runs written into it.
type spillFile struct {
	file *spill.File
	refs atomic.Int32 // runs not yet read or dropped
}

// run is a section of a spill file holding consecutive blocks of one
// partition of one map task.
type run struct {
	sf  *spillFile
	sec spill.Section
}

// done drops the run's reference to its file, removing the file after the
// last one.
func (r *run) done(x *Exchange) {
	if r.sf.refs.Add(-1) == 0 {
		x.removeFile(r.sf)
	}
}

// addFile registers a new spill file, unless the exchange was released in
// the meantime (then the caller removes it).
func (x *Exchange) addFile(sf *spillFile) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.released.Load() {
		return fmt.Errorf("shuffle %s: spill: %w", x.cfg.Name, ErrReleased)
	}
	x.files[sf] = struct{}{}
	return nil
}

// removeFile unregisters and deletes a spill file.
func (x *Exchange) removeFile(sf *spillFile) {
	x.mu.Lock()
	delete(x.files, sf) // a no-op after Release, which took the map
	x.mu.Unlock()
	_ = sf.file.Remove()
}

// spillLocked writes every in-memory block of this writer (sealing pending
// rows first) to a new spill file and frees their memory. On error nothing
// changes but the file is gone. Called with w.mu held.
func (w *Writer) spillLocked() error {
	if err := w.sealAll(); err != nil {
		return err
	}
	if w.memBytes.Load() == 0 {
		return nil
	}
	sw, err := spill.NewWriter(w.x.env.SpillDir, w.x.prefix)
	if err != nil {
		return w.wrap("spill", err)
	}
	type pendingRun struct {
		p, first int
		sec      spill.Section
	}
	var runs []pendingRun
	blocks := int64(0)
	for p := range w.out {
		bl := w.out[p].blocks
		first := len(bl)
		for first > 0 && bl[first-1].rec != nil {
			first--
		}
		if first == len(bl) {
			continue
		}
		from := sw.Position()
		for _, b := range bl[first:] {
			if err := sw.Write(b.rec); err != nil {
				sw.Abort()
				return w.wrap("spill", err)
			}
			blocks++
		}
		runs = append(runs, pendingRun{p: p, first: first, sec: spill.Between(from, sw.Position())})
	}
	f, err := sw.Finish()
	if err != nil {
		return w.wrap("spill", err)
	}
	sf := &spillFile{file: f}
	sf.refs.Store(int32(len(runs)))
	if err := w.x.addFile(sf); err != nil {
		_ = f.Remove()
		return err
	}
	freed := int64(0)
	for _, r := range runs {
		bl := w.out[r.p].blocks
		merged := block{run: &run{sf: sf, sec: r.sec}}
		for i := r.first; i < len(bl); i++ {
			merged.rows += bl[i].rows
			merged.bytes += bl[i].bytes
			bl[i].rec.Release()
			bl[i] = block{}
		}
		freed += merged.bytes
		w.out[r.p].blocks = append(bl[:r.first], merged)
	}
	// Shrink before held drops, so that other writers never see this one
	// holding less than it has reserved: they judge what spilling it
	// would free by held.
	w.res.Shrink(freed)
	w.memBytes.Add(-freed)
	x := w.x
	x.spills.Add(1)
	x.spilledBytes.Add(f.Bytes)
	x.spilledBlocks.Add(blocks)
	x.spilledRows.Add(f.Rows)
	return nil
}

// spillIfClosed spills a closed writer's in-memory blocks and returns the
// bytes freed; other writers are left alone.
func (w *Writer) spillIfClosed() (int64, error) {
	return w.spillIf(func(s int32) bool { return s == stateClosed })
}

// spillIf spills the writer if its state satisfies ok, returning the bytes
// freed. Callers hold no writer lock.
func (w *Writer) spillIf(ok func(state int32) bool) (int64, error) {
	if w.err != nil || w.held() == 0 {
		return 0, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !ok(w.state.Load()) || w.x.released.Load() {
		return 0, nil
	}
	before := w.held()
	if err := w.spillLocked(); err != nil {
		w.fail(err)
		return 0, err
	}
	w.settle()
	return before - w.held(), nil
}

// settle shrinks the reservation to what the writer holds (after a spill
// the reservation may exceed it). Called with w.mu held.
func (w *Writer) settle() {
	if extra := w.res.Size() - w.held(); extra > 0 {
		w.res.Shrink(extra)
	}
}

// spillOthers spills the open or closed map task (other than self) holding
// the most memory, for self, whose reservation was refused while it held
// nothing. It returns the bytes freed: 0 when no other task holds any.
// Called without any writer lock held.
func (x *Exchange) spillOthers(self *Writer) (int64, error) {
	spillable := func(s int32) bool { return s == stateOpen || s == stateClosed }
	for {
		var best *Writer
		for _, w := range x.snapshot() {
			if w != self && spillable(w.state.Load()) && w.held() > 0 && (best == nil || w.held() > best.held()) {
				best = w
			}
		}
		if best == nil {
			return 0, nil
		}
		freed, err := best.spillIf(spillable)
		if err != nil || freed > 0 {
			return freed, err
		}
		// best changed state or was drained meanwhile; look again.
	}
}

// dropLocked releases every block of partition p (unread output of an
// aborted or released attempt, or what a reader left). Called with w.mu
// held.
func (w *Writer) dropLocked(p int) {
	freed := int64(0)
	for i, b := range w.out[p].blocks {
		if b.rec != nil {
			b.rec.Release()
			freed += b.bytes
		} else {
			b.run.done(w.x)
		}
		w.out[p].blocks[i] = block{}
	}
	w.out[p].blocks = nil
	w.res.Shrink(freed)
	w.memBytes.Add(-freed)
}

// freeIfEmpty frees the reservation of a finished writer that holds no
// memory, so it stops counting as a spillable consumer of the pool.
func (w *Writer) freeIfEmpty() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state.Load() == stateClosed && w.memBytes.Load() == 0 {
		w.res.Free()
	}
}
