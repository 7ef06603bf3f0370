package join

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// A block is right-side data the join holds: one right input batch, or the
// copy of a run that crossed batch boundaries. The live rows lo..hi-1 are
// the block's own: when the block is complete (no run and no cursor left in
// it), Right and Full joins emit those of them no pair matched (hit).
// Rows of a run that crossed into the next batch belong to that run's copy,
// so the block's range excludes them.
type block struct {
	rec    arrow.Record // one reference
	sel    []int32      // live rows (a copy of the batch's selection), nil: all
	n      int          // live rows
	lo, hi int          // the block's own live rows
	hit    []uint64     // matched physical rows (Right and Full joins)
	bytes  int64        // reserved (run copies only)
}

// row returns the physical row of live row i.
func (b *block) row(i int) int32 {
	if b.sel != nil {
		return b.sel[i]
	}
	return int32(i)
}

// setHit marks physical row r as matched.
func (b *block) setHit(r int32) { b.hit[r>>6] |= 1 << (r & 63) }

// isHit reports whether physical row r was matched.
func (b *block) isHit(r int32) bool { return b.hit[r>>6]&(1<<(r&63)) != 0 }

// release drops the block's record and reservation; it is idempotent.
func (b *block) release(res *mempool.Reservation) {
	if b.rec != nil {
		b.rec.Release()
		b.rec = nil
		res.Shrink(b.bytes)
		b.bytes = 0
	}
}

// run is the current run of right rows with equal keys: live rows lo..hi-1
// of blk. Its key is row first of comparator slot slot (slotRight while blk
// is the cursor's batch, slotRun once the cursor moved on).
type run struct {
	blk       *block
	slot      int
	lo, hi    int
	first     int32
	matchable bool // no NULL key, or NULLs are equal
	allHit    bool // without a residual: the run's rows are marked matched
	have      bool
}

// newBlock wraps a right batch (taking over its reference).
func (o *mergeJoinOp) newBlock(b exec.Batch) *block {
	blk := &block{rec: b.Rec, n: b.Len()}
	blk.hi = blk.n
	if b.Sel != nil {
		blk.sel = append([]int32(nil), b.Sel...) // kept beyond the next pull
	}
	if o.hitRight {
		blk.hit = make([]uint64, (b.NumRows()+63)/64)
	}
	return blk
}

// pullRight moves the cursor to the next non-empty right batch, or notes
// the end of the right input. The batch the cursor leaves is complete
// unless the current run still uses it.
func (o *mergeJoinOp) pullRight(ctx context.Context) error {
	if old := o.rc; old != nil {
		o.rc = nil
		if !o.run.have || o.run.blk != old {
			o.complete(old)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := o.right.Next(ctx)
		if errors.Is(err, io.EOF) {
			o.rdone = true
			return nil
		}
		if err != nil {
			return err
		}
		add(o.buildRows, b.Len())
		if b.Len() == 0 {
			b.Release()
			continue
		}
		o.rc, o.ri = o.newBlock(b), 0
		o.rightKeys = keyColumns(o.rightKeys, b.Rec, o.spec.RightKeys)
		o.cmp.Reset(slotRight, o.rightKeys)
		return nil
	}
}

// complete hands over a block nothing will read again: Right and Full
// joins queue it to emit its unmatched rows, other joins release it.
func (o *mergeJoinOp) complete(b *block) {
	if o.hitRight {
		o.tails = append(o.tails, b)
		return
	}
	b.release(o.res)
}

// finishRun drops the current run; its block is complete when the cursor
// has left it.
func (o *mergeJoinOp) finishRun() {
	if o.run.have && o.run.blk != o.rc {
		o.complete(o.run.blk)
	}
	o.run = run{}
}

// loadRun makes the next right rows with equal keys the current run, or
// leaves no run at the end of the right input.
func (o *mergeJoinOp) loadRun(ctx context.Context) error {
	if o.rc == nil || o.ri >= o.rc.n {
		if err := o.pullRight(ctx); err != nil {
			return err
		}
		if o.rc == nil {
			return nil
		}
	}
	b := o.rc
	first := b.row(o.ri)
	hi := o.ri + 1
	for hi < b.n && o.cmp.Compare(slotRight, first, slotRight, b.row(hi)) == 0 {
		hi++
	}
	o.run = run{blk: b, slot: slotRight, lo: o.ri, hi: hi, first: first, have: true,
		matchable: o.spec.NullsEqual || !o.cmp.HasNull(slotRight, first)}
	o.ri = hi
	if hi < b.n {
		return nil
	}
	return o.extendRun(ctx)
}

// extendRun follows a run that reaches the end of its batch into the next
// batches. When the next batch starts with another key, the run stays a
// range of its own batch, which the join keeps beside the cursor's. When it
// goes on, its rows are copied out of every batch it covers (reserving
// first) and concatenated into a block of its own:
//
//	batch A: … 2 2 │ 3 3 ─┐                      A keeps rows up to the 2s
//	batch B: 3 3 3 3 3 3 ─┼─► copy ─► run block   B keeps nothing
//	batch C: 3 3 │ 5 7 … ─┘                      C keeps rows from the 5
//
// Semi and Anti joins without a residual copy only the run's first row.
func (o *mergeJoinOp) extendRun(ctx context.Context) error {
	r := &o.run
	// The cursor is about to leave the run's batch: compare the run's key
	// through its own slot from now on.
	o.rightKeys = keyColumns(o.rightKeys, r.blk.rec, o.spec.RightKeys)
	o.cmp.Reset(slotRun, o.rightKeys)
	r.slot = slotRun
	var pieces []arrow.Record
	var piecesBytes int64
	defer func() { // on error; settleRun takes the pieces over
		releaseRecords(pieces)
		o.res.Shrink(piecesBytes)
	}()
	for {
		if err := o.pullRight(ctx); err != nil {
			return err
		}
		if o.rc == nil {
			break
		}
		b := o.rc
		j := 0
		for j < b.n && o.cmp.Compare(slotRun, r.first, slotRight, b.row(j)) == 0 {
			j++
		}
		if j == 0 {
			break
		}
		if pieces == nil {
			// The run goes on: copy its head out of the batch it started in.
			hi := r.hi
			if o.keysOnly {
				hi = r.lo + 1
			}
			p, size, err := o.copyRows(r.blk, r.lo, hi)
			if err != nil {
				return err
			}
			pieces, piecesBytes = append(pieces, p), piecesBytes+size
			prev := r.blk
			prev.hi = r.lo
			r.blk = nil
			o.complete(prev)
			o.cmp.Reset(slotRun, keyColumns(o.rightKeys, p, o.spec.RightKeys))
			r.first = 0
		}
		if !o.keysOnly {
			p, size, err := o.copyRows(b, 0, j)
			if err != nil {
				return err
			}
			pieces, piecesBytes = append(pieces, p), piecesBytes+size
		}
		b.lo, o.ri = j, j
		if j < b.n {
			break
		}
	}
	if pieces == nil {
		return nil // the run ends with its batch
	}
	err := o.settleRun(pieces, piecesBytes)
	pieces, piecesBytes = nil, 0
	return err
}

// settleRun makes the copied pieces of a run (size bytes reserved) one
// block, the run's block. It takes the pieces over, and on error releases
// them and their reservation.
func (o *mergeJoinOp) settleRun(pieces []arrow.Record, size int64) error {
	rec := pieces[0]
	if len(pieces) > 1 {
		err := o.grow(size, "concatenate a run of equal keys")
		if err == nil {
			rec, err = concatRecords(o.mem, pieces)
			if err != nil {
				o.res.Shrink(size)
				err = fmt.Errorf("sort-merge join: concatenate a run: %w", err)
			}
		}
		releaseRecords(pieces)
		o.res.Shrink(size) // the pieces' bytes; the block holds the concatenation's
		if err != nil {
			return err
		}
	}
	blk := &block{rec: rec, n: int(rec.NumRows()), bytes: size}
	blk.hi = blk.n
	if o.hitRight {
		blk.hit = make([]uint64, (blk.n+63)/64)
	}
	r := &o.run
	r.blk, r.lo, r.hi, r.first = blk, 0, blk.n, 0
	o.rightKeys = keyColumns(o.rightKeys, rec, o.spec.RightKeys)
	o.cmp.Reset(slotRun, o.rightKeys)
	return nil
}

// copyRows copies live rows lo..hi-1 of b into a new record, reserving its
// bytes first. The caller releases the record and shrinks the reservation.
func (o *mergeJoinOp) copyRows(b *block, lo, hi int) (arrow.Record, int64, error) {
	o.idx = o.idx[:0]
	for i := lo; i < hi; i++ {
		o.idx = append(o.idx, b.row(i))
	}
	size := exec.LiveBytes(exec.Batch{Rec: b.rec, Sel: o.idx})
	if err := o.grow(size, fmt.Sprintf("hold a run of equal keys (%d more rows)", hi-lo)); err != nil {
		return nil, 0, err
	}
	rec, err := exec.TakeRecord(o.mem, b.rec, o.idx)
	if err != nil {
		o.res.Shrink(size)
		return nil, 0, fmt.Errorf("sort-merge join: copy a run: %w", err)
	}
	return rec, size, nil
}

// concatRecords concatenates records of one schema column by column.
func concatRecords(mem memory.Allocator, recs []arrow.Record) (arrow.Record, error) {
	schema := recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer releaseAll(cols)
	parts := make([]arrow.Array, len(recs))
	rows := int64(0)
	for _, r := range recs {
		rows += r.NumRows()
	}
	for c := range cols {
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		col, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, err
		}
		cols[c] = col
	}
	return array.NewRecord(schema, cols, rows), nil
}

// releaseRecords releases every record of recs.
func releaseRecords(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// grow reserves n bytes, naming what for in a refusal, and records the
// peak.
func (o *mergeJoinOp) grow(n int64, what string) error {
	if err := o.res.TryGrow(n); err != nil {
		return fmt.Errorf("sort-merge join: %s: %w", what, err)
	}
	o.m.ObservePeak(o.res.Size())
	return nil
}
