package join

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/order"
)

// mergeConsumer names the memory reservation of a sort-merge join.
const mergeConsumer = "sort-merge join"

// errMergeNotOpen is returned by Next before Open or after Close.
var errMergeNotOpen = errors.New("sort-merge join: next called on an operator that is not open")

// Comparator slots: the current left batch, the right batch under the
// cursor, and the block of the current run when it is not that batch.
const (
	slotLeft = iota
	slotRight
	slotRun
	slots
)

// SortKeys returns the order a sort-merge join needs on one side: the key
// columns cols, in that order, each ascending with NULLs last. The planner
// sorts each side with order.NewSort(side, SortKeys(keys), …), using
// spec.LeftKeys for the left side and spec.RightKeys for the right.
func SortKeys(cols []int) []order.Key {
	keys := make([]order.Key, len(cols))
	for i, c := range cols {
		keys[i] = order.Key{Col: c}
	}
	return keys
}

// mergeJoinOp is a sort-merge join: both inputs arrive sorted on their keys
// and are walked once, in step. See NewSortMergeJoin.
type mergeJoinOp struct {
	left, right exec.Operator
	spec        Spec
	mem         memory.Allocator
	pool        mempool.Pool
	m           *exec.Metrics
	size        int           // rows per output batch
	schema      *arrow.Schema // output
	pairs       *arrow.Schema // candidate pairs, the residual's input
	nLeft       int           // left columns
	cmp         *order.Comparator
	res         *mempool.Reservation

	keysOnly bool // Semi/Anti without residual: no pairs, right rows never copied
	inline   bool // Left/Full without residual: unmatched left rows inline with pairs
	track    bool // a residual decides per left row whether it matched
	hitRight bool // Right/Full: emit the right rows nothing matched

	// Left side: the current batch and where the walk stands in it.
	lb         exec.Batch
	lhave      bool
	ln, li     int   // live rows of lb; next live row to join
	off        int   // next run row to pair with left row li
	ldone      bool  // the left input ended (or cannot produce output any more)
	lphase     phase // phasePairs, then phaseUnmatched or phaseSelect
	matched    []bool
	outSel     []int32
	outPos     int
	selPending bool // outSel is still to be built from matched
	leftKeys   []arrow.Array

	// Right side: the batch under the cursor, the current run of equal
	// keys, and the blocks whose unmatched rows are still to be emitted.
	rc        *block
	ri        int  // next live row of rc not yet in a run
	rdone     bool // the right input ended
	run       run
	tails     []*block
	tailPos   int
	rightKeys []arrow.Array

	buf      pairBuf
	finished bool
	cols     []arrow.Array
	idx      []int32

	probeRows, buildRows, outRows *exec.Counter
	opened, closed                bool
}

var _ exec.Operator = (*mergeJoinOp)(nil)

// NewSortMergeJoin returns a sort-merge join of left and right.
//
// Ordering contract: each input arrives sorted on its join keys
// (spec.LeftKeys for left, spec.RightKeys for right), in key order, every
// key ascending with NULLs last, with exactly the order of order.NewSort
// (SortKeys gives those keys): NaN above every number and all NaNs equal,
// -0 equal to +0, strings and binary bytewise, false before true. The key
// types of both sides are equal (validated). Keys compare with the key
// equality of the hash join (exec/hashtable): all NaNs are one value and
// -0 equals +0. Inputs that break the contract give wrong results, never a
// panic or a hang.
//
// Semantics are the hash join's (NewHashJoin) for Inner, Left, Right, Full,
// Semi and Anti joins, with the same output schema (OutputSchema): a row
// with a NULL key matches nothing unless spec.NullsEqual; spec.Residual is
// part of the match condition, so outer rows and Semi/Anti decisions come
// after it. A Cross join is not a merge join and returns an error wrapping
// ErrInvalidSpec, as does any spec that does not fit the inputs.
//
// The walk, for each left row in order:
//
//	left  ─► 1 1 3 3 3 7 ...            right ─► 1 2 3 3 │ 3 5 7 ... (│ = batch boundary)
//	         ▲                                   ▲
//	         left row l                          run: the right rows equal to the
//	                                             first run key (may span batches)
//	  key(l) > run key: finish the run (Right/Full: its unmatched rows go
//	                    out), load the next run of equal right keys
//	  key(l) = run key: pair l with every row of the run (residual, if any,
//	                    decides which pairs match)
//	  key(l) < run key: l has no match (Left/Full: emitted with NULLs;
//	                    Anti: emitted)
//
// Only the current run of equal right keys is held. A run inside one right
// batch is a row range of that batch (no copy); a run that crosses a batch
// boundary is copied, and its bytes reserved in env.Pool under the consumer
// "sort-merge join" first, so a run larger than the pool allows returns an
// error wrapping mempool.ErrMemoryLimit instead of growing without bound.
// Semi and Anti joins without a residual keep only the run's first row.
//
// Output batches hold at most env.BatchSize rows. Candidate pairs are
// gathered with exec.Take from the current left batch and the run's
// record, so a batch ends at left and right batch boundaries. The output
// is grouped by key but its order is not part of the contract.
//
// Both inputs are read only as far as needed: once the left input ends,
// the right input is read on only for Right and Full joins; once the right
// input ends, the left input is read on only for Left, Full and Anti
// joins. Metrics counters match the hash join's: "probe rows" counts the
// left rows read, "build rows" the right rows read, "output rows" the rows
// emitted; m's peak memory records the reservation. m may be nil.
func NewSortMergeJoin(left, right exec.Operator, spec Spec, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	if spec.Type == Cross {
		return nil, fmt.Errorf("sort-merge join: a cross join has no keys to merge on: %w", ErrInvalidSpec)
	}
	if err := spec.validate(left.Schema(), right.Schema()); err != nil {
		return nil, err
	}
	keyFields := make([]arrow.Field, len(spec.LeftKeys))
	for i, k := range spec.LeftKeys {
		keyFields[i] = left.Schema().Field(k)
	}
	cmp, err := order.NewComparator(arrow.NewSchema(keyFields, nil), SortKeys(seq(len(keyFields))), slots)
	if err != nil {
		return nil, fmt.Errorf("sort-merge join: %w: %w", err, ErrInvalidSpec)
	}
	size := env.BatchSize
	if size <= 0 {
		size = exec.DefaultBatchSize
	}
	t := spec.Type
	return &mergeJoinOp{
		left: left, right: right, spec: spec, mem: env.Mem, pool: env.Pool, m: m, size: size,
		schema:    OutputSchema(t, left.Schema(), right.Schema()),
		pairs:     pairSchema(t, left.Schema(), right.Schema()),
		nLeft:     left.Schema().NumFields(),
		cmp:       cmp,
		keysOnly:  t.filtersLeft() && spec.Residual == nil,
		inline:    t.preservesLeft() && spec.Residual == nil,
		track:     spec.Residual != nil && (t.preservesLeft() || t.filtersLeft()),
		hitRight:  t.preservesRight(),
		probeRows: counter(m, "probe rows"),
		buildRows: counter(m, "build rows"),
		outRows:   counter(m, "output rows"),
	}, nil
}

// seq returns 0, 1, …, n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// Schema implements exec.Operator.
func (o *mergeJoinOp) Schema() *arrow.Schema { return o.schema }

// Open implements exec.Operator: it opens both inputs.
func (o *mergeJoinOp) Open(ctx context.Context) error {
	if o.opened || o.closed {
		return errors.New("sort-merge join: open called twice or after close")
	}
	o.opened = true
	o.res = mempool.NewReservation(o.pool, mergeConsumer, false)
	if err := o.left.Open(ctx); err != nil {
		return err
	}
	return o.right.Open(ctx)
}

// Next implements exec.Operator. Each turn of the loop either emits a batch
// or makes one step of progress: pending pairs first, then the unmatched
// rows of finished right blocks, then the walk.
func (o *mergeJoinOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.opened || o.closed {
		return exec.Batch{}, errMergeNotOpen
	}
	for {
		if err := ctx.Err(); err != nil {
			return exec.Batch{}, err
		}
		var out exec.Batch
		var ok bool
		var err error
		switch {
		case o.buf.ready:
			out, ok, err = o.flushPairs(ctx)
		case len(o.tails) > 0:
			out, ok, err = o.emitTail()
		case o.finished:
			return exec.Batch{}, io.EOF
		default:
			out, ok, err = o.step(ctx)
		}
		if err != nil {
			return exec.Batch{}, err
		}
		if ok {
			add(o.outRows, out.Len())
			return out, nil
		}
	}
}

// step advances the walk: it pulls the next left batch, joins left rows,
// or emits what the current left batch owes after its pairs.
func (o *mergeJoinOp) step(ctx context.Context) (exec.Batch, bool, error) {
	if !o.lhave {
		if o.ldone {
			return exec.Batch{}, false, o.drainRight(ctx)
		}
		return exec.Batch{}, false, o.pullLeft(ctx)
	}
	switch o.lphase {
	case phasePairs:
		return exec.Batch{}, false, o.joinRows(ctx)
	case phaseUnmatched:
		return o.emitUnmatched()
	default:
		return o.emitSelected()
	}
}

// pullLeft makes the next non-empty left batch current, or notes the end
// of the left input.
func (o *mergeJoinOp) pullLeft(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := o.left.Next(ctx)
		if errors.Is(err, io.EOF) {
			o.ldone = true
			return nil
		}
		if err != nil {
			return err
		}
		add(o.probeRows, b.Len())
		if b.Len() == 0 {
			b.Release()
			continue
		}
		o.lb, o.lhave = b, true
		o.ln, o.li, o.off = b.Len(), 0, 0
		o.leftKeys = keyColumns(o.leftKeys, b.Rec, o.spec.LeftKeys)
		o.cmp.Reset(slotLeft, o.leftKeys)
		o.lphase = phasePairs
		if o.track {
			o.matched = growSlice(o.matched, b.NumRows())
			clear(o.matched)
		}
		o.outSel, o.outPos = o.outSel[:0], 0
		return nil
	}
}

// endLeftBatch moves on once every row of the current left batch was
// walked: pending pairs (which read the batch) are flushed first, then the
// batch emits its unmatched rows (Left/Full with a residual) or its
// selected rows (Semi/Anti), or is released.
func (o *mergeJoinOp) endLeftBatch() {
	if o.buf.n > 0 {
		o.buf.ready = true
	}
	switch {
	case o.track && o.spec.Type.preservesLeft():
		o.lphase, o.li = phaseUnmatched, 0
	case o.spec.Type.filtersLeft():
		// With a residual the selection is built once the pairs are
		// flushed and their residual has marked the matched rows.
		o.lphase, o.outPos, o.selPending = phaseSelect, 0, o.track
	default:
		o.lphase = phaseSelect // nothing selected: releases the batch
	}
}

// releaseLeft drops the current left batch.
func (o *mergeJoinOp) releaseLeft() {
	if o.lhave {
		o.lb.Release()
		o.lb, o.lhave = exec.Batch{}, false
		clear(o.leftKeys)
	}
}

// drainRight runs once the left input has ended: Right and Full joins turn
// every right row not yet walked into unmatched rows, one block at a time
// (so the queue of tails stays short); other joins are done.
func (o *mergeJoinOp) drainRight(ctx context.Context) error {
	o.finishRun()
	if !o.hitRight {
		o.finished = true
		return nil
	}
	if o.rc != nil {
		b := o.rc
		o.rc = nil
		o.complete(b)
		return nil
	}
	if o.rdone {
		o.finished = true
		return nil
	}
	if err := o.pullRight(ctx); err != nil {
		return err
	}
	return nil
}

// Close implements exec.Operator: it releases every batch, block and copy
// it holds, frees the reservation and closes both inputs. It is
// idempotent.
func (o *mergeJoinOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.buf.reset()
	o.releaseLeft()
	if o.run.blk != nil {
		o.run.blk.release(o.res)
	}
	if o.rc != nil {
		o.rc.release(o.res)
	}
	for _, b := range o.tails {
		b.release(o.res)
	}
	o.run, o.rc, o.tails = run{}, nil, nil
	o.res.Free()
	return errors.Join(o.left.Close(), o.right.Close())
}

// keyColumns fills dst with the key columns keys of rec.
func keyColumns(dst []arrow.Array, rec arrow.Record, keys []int) []arrow.Array {
	dst = dst[:0]
	for _, k := range keys {
		dst = append(dst, rec.Column(k))
	}
	return dst
}
