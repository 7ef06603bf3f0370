package join

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
)

// pairBuf collects the candidate pairs of one output batch: pi[j] is a
// physical row of the current left batch, bi[j] a physical row of blk's
// record or -1 for a NULL right side (unmatched left rows of Left and Full
// joins without a residual). All right rows come from one block, whose
// record the buffer holds a reference to until the pairs are flushed.
type pairBuf struct {
	pi, bi []int32
	n      int
	nulls  int // pairs with bi == -1
	blk    *block
	rec    arrow.Record // blk's record, retained
	ready  bool         // flush before anything else
}

// room returns how many more pairs with right rows from blk fit, 0 when
// the buffer must be flushed first (full, or holding rows of another
// block).
func (p *pairBuf) room(blk *block) int {
	if p.rec != nil && p.blk != blk {
		return 0
	}
	return len(p.pi) - p.n
}

// use makes blk the buffer's right block.
func (p *pairBuf) use(blk *block) {
	if p.rec == nil {
		p.blk, p.rec = blk, blk.rec
		p.rec.Retain()
	}
}

// reset empties the buffer.
func (p *pairBuf) reset() {
	if p.rec != nil {
		p.rec.Release()
	}
	p.blk, p.rec = nil, nil
	p.n, p.nulls, p.ready = 0, 0, false
}

// joinRows walks left rows of the current batch against the right runs
// until the batch is done, the pair buffer must be flushed, or a finished
// right block waits to emit its unmatched rows (so blocks never pile up).
func (o *mergeJoinOp) joinRows(ctx context.Context) error {
	if o.buf.pi == nil {
		o.buf.pi, o.buf.bi = make([]int32, o.size), make([]int32, o.size)
	}
	for o.li < o.ln {
		if o.buf.ready || len(o.tails) > 0 {
			return nil
		}
		l := int32(o.lb.Row(o.li))
		c, err := o.seek(ctx, l)
		if err != nil || len(o.tails) > 0 {
			return err
		}
		if c != 0 && o.rdone && !o.run.have && !o.emitsUnmatchedLeft() {
			// No right rows are left and unmatched left rows produce
			// nothing: stop reading the left input.
			o.li, o.ldone = o.ln, true
			break
		}
		if c == 0 && o.run.matchable {
			if !o.pairRun(l) {
				return nil
			}
		} else if !o.unmatchedLeft(l) {
			return nil
		}
		o.li, o.off = o.li+1, 0
	}
	o.endLeftBatch()
	return nil
}

// emitsUnmatchedLeft reports whether left rows without a match produce
// output (Left, Full and Anti joins).
func (o *mergeJoinOp) emitsUnmatchedLeft() bool {
	return o.spec.Type.preservesLeft() || o.spec.Type == Anti
}

// seek finishes the runs whose key sorts before left row l's and returns
// the comparison of l's key with the current run's (-1 when the right
// input is exhausted).
func (o *mergeJoinOp) seek(ctx context.Context, l int32) (int, error) {
	for {
		if !o.run.have {
			if o.rdone {
				return -1, nil
			}
			if err := o.loadRun(ctx); err != nil {
				return 0, err
			}
			if !o.run.have {
				return -1, nil
			}
		}
		c := o.cmp.Compare(slotLeft, l, o.run.slot, o.run.first)
		if c <= 0 {
			return c, nil
		}
		o.finishRun()
		if len(o.tails) > 0 {
			return 0, nil // emit the finished block first; seek again after
		}
	}
}

// pairRun adds the pairs of left row l with the current run's rows, from
// o.off on, as far as the buffer allows. It returns false when the buffer
// must be flushed before l is done.
func (o *mergeJoinOp) pairRun(l int32) bool {
	r := &o.run
	if o.keysOnly {
		if o.spec.Type == Semi {
			o.outSel = append(o.outSel, l)
		}
		return true
	}
	if o.hitRight && o.spec.Residual == nil && !r.allHit {
		for i := r.lo; i < r.hi; i++ {
			r.blk.setHit(r.blk.row(i))
		}
		r.allHit = true
	}
	k := min(o.buf.room(r.blk), r.hi-r.lo-o.off)
	if k > 0 {
		o.buf.use(r.blk)
		pi, bi := o.buf.pi[o.buf.n:o.buf.n+k], o.buf.bi[o.buf.n:o.buf.n+k]
		start := r.lo + o.off
		for j := range pi {
			pi[j], bi[j] = l, r.blk.row(start+j)
		}
		o.buf.n += k
		o.off += k
	}
	if o.buf.n == len(o.buf.pi) || o.buf.room(r.blk) == 0 {
		o.buf.ready = true
	}
	return o.off == r.hi-r.lo
}

// unmatchedLeft records that left row l has no match. Anti joins select
// it, Left and Full joins without a residual pair it with NULLs; with a
// residual its matched flag simply stays false. It returns false when the
// buffer must be flushed first.
func (o *mergeJoinOp) unmatchedLeft(l int32) bool {
	switch {
	case o.keysOnly:
		if o.spec.Type == Anti {
			o.outSel = append(o.outSel, l)
		}
	case o.inline:
		if o.buf.n == len(o.buf.pi) {
			o.buf.ready = true
			return false
		}
		o.buf.pi[o.buf.n], o.buf.bi[o.buf.n] = l, -1
		o.buf.n++
		o.buf.nulls++
	}
	return true
}

// flushPairs gathers the buffered pairs and applies the residual, marking
// the left rows (matched) and right rows (hit) whose pairs pass it. It
// returns the pairs to emit, or !ok when none are (all failed, or a Semi or
// Anti join, which emits its left rows later).
func (o *mergeJoinOp) flushPairs(ctx context.Context) (exec.Batch, bool, error) {
	defer o.buf.reset()
	k := o.buf.n
	if k == 0 {
		return exec.Batch{}, false, nil
	}
	rec, err := o.gatherPairs(k)
	if err != nil {
		return exec.Batch{}, false, err
	}
	if o.spec.Residual == nil {
		return exec.Batch{Rec: rec}, true, nil
	}
	sel, err := o.spec.Residual.Select(ctx, exec.Batch{Rec: rec})
	if err != nil {
		rec.Release()
		return exec.Batch{}, false, fmt.Errorf("sort-merge join: residual: %w", err)
	}
	for _, s := range sel {
		if o.track {
			o.matched[o.buf.pi[s]] = true
		}
		if o.hitRight && o.buf.bi[s] >= 0 {
			o.buf.blk.setHit(o.buf.bi[s])
		}
	}
	if o.spec.Type.filtersLeft() || len(sel) == 0 {
		rec.Release()
		return exec.Batch{}, false, nil
	}
	if len(sel) == k {
		sel = nil
	}
	return exec.Batch{Rec: rec, Sel: sel}, true, nil
}

// gatherPairs materializes the first k buffered pairs as a record of the
// pair schema: left columns by left row, right columns by right row.
func (o *mergeJoinOp) gatherPairs(k int) (arrow.Record, error) {
	cols := o.columns(o.pairs.NumFields())
	defer releaseAll(cols)
	pi, bi := o.buf.pi[:k], o.buf.bi[:k]
	for c := range o.nLeft {
		col, err := exec.Take(o.mem, o.lb.Column(c), pi)
		if err != nil {
			return nil, fmt.Errorf("sort-merge join: left column %d: %w", c, err)
		}
		cols[c] = col
	}
	for c := range o.pairs.NumFields() - o.nLeft {
		var col arrow.Array
		if o.buf.nulls == k {
			col = array.MakeArrayOfNull(o.mem, o.pairs.Field(o.nLeft+c).Type, k)
		} else {
			var err error
			if col, err = exec.Take(o.mem, o.buf.rec.Column(c), bi); err != nil {
				return nil, fmt.Errorf("sort-merge join: right column %d: %w", c, err)
			}
		}
		cols[o.nLeft+c] = col
	}
	return array.NewRecord(o.pairs, cols, int64(k)), nil
}

// emitTail emits the next rows of the first complete block that no pair
// matched, with a NULL left side (Right and Full joins), and releases the
// block once they are all out. Pairs still buffered from that block are
// flushed first, so that their residual has marked its matched rows.
func (o *mergeJoinOp) emitTail() (exec.Batch, bool, error) {
	b := o.tails[0]
	if o.buf.n > 0 && o.buf.blk == b {
		o.buf.ready = true
		return exec.Batch{}, false, nil
	}
	if o.tailPos < b.lo {
		o.tailPos = b.lo
	}
	o.idx = o.idx[:0]
	for ; o.tailPos < b.hi && len(o.idx) < o.size; o.tailPos++ {
		if r := b.row(o.tailPos); !b.isHit(r) {
			o.idx = append(o.idx, r)
		}
	}
	if len(o.idx) == 0 {
		b.release(o.res)
		o.tails[0] = nil
		o.tails, o.tailPos = o.tails[1:], 0
		return exec.Batch{}, false, nil
	}
	cols := o.columns(o.schema.NumFields())
	defer releaseAll(cols)
	k := len(o.idx)
	for c := range o.nLeft {
		cols[c] = array.MakeArrayOfNull(o.mem, o.schema.Field(c).Type, k)
	}
	for c := range o.schema.NumFields() - o.nLeft {
		col, err := exec.Take(o.mem, b.rec.Column(c), o.idx)
		if err != nil {
			return exec.Batch{}, false, fmt.Errorf("sort-merge join: right column %d: %w", c, err)
		}
		cols[o.nLeft+c] = col
	}
	return exec.Batch{Rec: array.NewRecord(o.schema, cols, int64(k))}, true, nil
}

// emitUnmatched emits the next rows of the current left batch that no pair
// matched, with a NULL right side (Left and Full joins with a residual),
// and releases the batch once they are all out.
func (o *mergeJoinOp) emitUnmatched() (exec.Batch, bool, error) {
	o.idx = o.idx[:0]
	for ; o.li < o.ln && len(o.idx) < o.size; o.li++ {
		if r := int32(o.lb.Row(o.li)); !o.matched[r] {
			o.idx = append(o.idx, r)
		}
	}
	k := len(o.idx)
	if k == 0 {
		o.releaseLeft()
		return exec.Batch{}, false, nil
	}
	cols := o.columns(o.schema.NumFields())
	defer releaseAll(cols)
	for c := range o.nLeft {
		col, err := exec.Take(o.mem, o.lb.Column(c), o.idx)
		if err != nil {
			return exec.Batch{}, false, fmt.Errorf("sort-merge join: left column %d: %w", c, err)
		}
		cols[c] = col
	}
	for c := o.nLeft; c < len(cols); c++ {
		cols[c] = array.MakeArrayOfNull(o.mem, o.schema.Field(c).Type, k)
	}
	return exec.Batch{Rec: array.NewRecord(o.schema, cols, int64(k))}, true, nil
}

// emitSelected emits the current left batch narrowed to the selected rows
// (Semi and Anti joins), BatchSize rows at a time and without copying, and
// releases it once they are all out.
func (o *mergeJoinOp) emitSelected() (exec.Batch, bool, error) {
	if o.selPending {
		o.selPending = false
		want := o.spec.Type == Semi
		for i := range o.ln {
			if r := o.lb.Row(i); o.matched[r] == want {
				o.outSel = append(o.outSel, int32(r))
			}
		}
	}
	if o.outPos >= len(o.outSel) {
		o.releaseLeft()
		return exec.Batch{}, false, nil
	}
	end := min(o.outPos+o.size, len(o.outSel))
	sel := o.outSel[o.outPos:end]
	o.outPos = end
	if len(sel) == o.lb.NumRows() {
		sel = nil // every physical row is selected
	}
	o.lb.Rec.Retain()
	return exec.Batch{Rec: o.lb.Rec, Sel: sel}, true, nil
}

// columns returns a cleared slice of n arrays, reused between calls.
func (o *mergeJoinOp) columns(n int) []arrow.Array {
	o.cols = growSlice(o.cols, n)
	clear(o.cols)
	return o.cols
}
