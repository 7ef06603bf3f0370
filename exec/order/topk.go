package order

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// topKOp is ORDER BY … LIMIT k OFFSET offset: it keeps only the rows that can
// still be among the first offset+k.
//
// It buffers candidate rows and, whenever the buffer reaches about twice the
// limit, sorts it and keeps the first limit rows (a periodic partial sort,
// which needs no comparison across records). After the first truncation the
// last kept row is the boundary: an incoming row whose first key's (rank,
// prefix) sorts after the boundary's cannot enter, and is dropped with one
// integer comparison before it is copied. Rows that tie with the boundary on
// the prefix are kept as candidates and decided by the next sort, so the
// filter never drops a row that belongs in the result.
//
//	batch ──► prefix filter vs boundary ──► compact ──► buffer ──(≥ threshold)──► sort, keep limit
//	                                                       │                               │
//	                                                       └──── EOF: sort, emit rows [offset, limit)
type topKOp struct {
	*breaker
	offset    int64
	limit     int64 // offset + k, saturated at MaxInt64
	threshold int   // buffered rows that trigger a truncation
	bound     entry // first key's entry of the last kept row
	hasBound  bool
	scratch   []entry
	sel       []int32
	err       error // invalid arguments, reported by Open
	sorted    bool
}

var _ exec.Operator = (*topKOp)(nil)

// NewTopK returns an operator that emits the first k rows of input ordered
// by keys (ORDER BY … LIMIT k), sorted, with the same order, stability and
// memory accounting as NewSort. It holds about 2·k + env.BatchSize rows at a
// time (reserved under the spillable consumer "top-k"), never the whole
// input. For LIMIT k OFFSET o, either pass k = o+k and put NewLimit(o, k) on
// top, or use NewTopKOffset, which skips the o rows without gathering them.
//
// k may be 0: the operator then emits nothing and reads no input. A
// negative k is an error wrapping ErrInvalidLimit, returned by Open.
func NewTopK(input exec.Operator, keys []Key, k int64, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	return NewTopKOffset(input, keys, 0, k, env, m)
}

// NewTopKOffset is NewTopK after skipping the first offset rows of the
// ordered input: it keeps offset+k rows and emits the last k of them. A
// negative offset or k is an error wrapping ErrInvalidLimit, returned by
// Open.
func NewTopKOffset(input exec.Operator, keys []Key, offset, k int64, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	b, err := newBreaker("top-k", input, keys, env, m)
	if err != nil {
		return nil, err
	}
	o := &topKOp{breaker: b, offset: offset}
	if offset < 0 || k < 0 {
		o.err = fmt.Errorf("top-k: offset %d, k %d: %w", offset, k, ErrInvalidLimit)
	}
	switch {
	case k == 0:
		o.limit = 0 // nothing to emit: read nothing
	case k > math.MaxInt64-offset:
		o.limit = math.MaxInt64
	default:
		o.limit = offset + k
	}
	o.threshold = truncationThreshold(o.limit, env.BatchSize)
	return o, nil
}

// truncationThreshold is the number of buffered rows at which a top-k of
// limit rows sorts and truncates: twice the limit, and at least a batch more
// than the limit, so each sort of n rows discards at least n/2 of them or a
// whole batch. Limits too large to ever truncate return MaxInt.
func truncationThreshold(limit int64, batchSize int) int {
	t := limit + max(limit, int64(batchSize))
	if limit > math.MaxInt32 || t > math.MaxInt32 {
		return math.MaxInt
	}
	return int(t)
}

// Open implements exec.Operator.
func (o *topKOp) Open(ctx context.Context) error {
	if o.err != nil {
		return o.err
	}
	return o.breaker.Open(ctx)
}

// Next implements exec.Operator. The first call consumes the input.
func (o *topKOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.sorted {
		if err := o.consume(ctx); err != nil {
			return exec.Batch{}, err
		}
		o.sorted = true
	}
	return o.emit(ctx)
}

// consume reads the input, keeping the candidates, and makes the final run.
func (o *topKOp) consume(ctx context.Context) error {
	noKeys := len(o.srt.keys) == 0
	for o.limit > 0 {
		if noKeys && int64(o.buf.rows) >= o.limit {
			break // without keys every later row ties and loses: stop reading
		}
		b, err := o.pull(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if o.hasBound {
			b.Sel = o.filter(b)
			if len(b.Sel) == 0 {
				b.Release()
				continue
			}
		}
		if err := o.add(b); err != nil {
			return err
		}
		if o.buf.rows >= o.threshold {
			if err := o.truncate(); err != nil {
				return err
			}
		}
	}
	recBytes := o.buf.bytes
	rec, perm, err := o.sortBuffer()
	if err != nil {
		return err
	}
	o.dropScratch()
	n := int64(len(perm))
	o.startRun(rec, perm, int(min(o.offset, n)), int(min(o.limit, n)), recBytes)
	return nil
}

// filter returns the live rows of b whose first key sorts at or before the
// boundary's (rank, prefix). The result lives in o.sel.
func (o *topKOp) filter(b exec.Batch) []int32 {
	n := b.Len()
	o.scratch = resize(o.scratch, n)
	o.srt.pre.fill(b.Column(o.srt.keys[0].Col), b.Sel, o.scratch)
	o.sel = resize(o.sel, n)
	k := 0
	for _, e := range o.scratch {
		o.sel[k] = e.row
		if e.lessEq(o.bound) {
			k++
		}
	}
	return o.sel[:k]
}

// truncate sorts the buffer and keeps only its first limit rows, which
// become the new buffer, and sets the boundary from the last of them.
func (o *topKOp) truncate() error {
	recBytes := o.buf.bytes
	rec, perm, err := o.sortBuffer()
	if err != nil {
		return err
	}
	defer rec.Release()
	defer o.res.Shrink(recBytes + permBytes(len(perm)))
	keep := perm[:o.limit]
	kept := exec.Batch{Rec: rec, Sel: keep}
	size := exec.LiveBytes(kept)
	if err := o.grow(size, fmt.Sprintf("keep %d rows", len(keep))); err != nil {
		return err
	}
	out, err := exec.TakeRecord(o.env.Mem, rec, keep)
	if err != nil {
		o.res.Shrink(size)
		return fmt.Errorf("top-k: gather kept rows: %w", err)
	}
	defer out.Release()
	o.buf.hold(out, size)
	o.setBound(out)
	return nil
}

// setBound records the first key's entry of the last row of rec.
func (o *topKOp) setBound(rec arrow.Record) {
	if len(o.srt.keys) == 0 {
		return
	}
	var e [1]entry
	last := []int32{int32(rec.NumRows() - 1)}
	o.srt.pre.fill(rec.Column(o.srt.keys[0].Col), last, e[:])
	o.bound, o.hasBound = e[0], true
}
