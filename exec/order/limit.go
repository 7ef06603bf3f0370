package order

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// limitOp passes on rows offset … offset+count-1 of its input, in input
// order, without copying.
type limitOp struct {
	input  exec.Operator
	skip   int64 // rows still to skip
	left   int64 // rows still to emit; < 0 for no limit
	err    error // invalid arguments, reported by Open
	closed bool
}

var _ exec.Operator = (*limitOp)(nil)

// NewLimit returns an operator that skips the first offset live rows of
// input and then passes on at most count rows (count < 0: all of them), in
// input order. It copies nothing: it narrows a batch's selection vector, or
// slices its record when it has none. Once count rows have passed it returns
// io.EOF without pulling more input (count == 0 pulls none). A negative
// offset is an error wrapping ErrInvalidLimit, returned by Open. With
// offset 0 and no count it returns input itself.
func NewLimit(input exec.Operator, offset, count int64) exec.Operator {
	if offset == 0 && count < 0 {
		return input
	}
	o := &limitOp{input: input, skip: offset, left: count}
	if offset < 0 {
		o.err = fmt.Errorf("limit: offset %d: %w", offset, ErrInvalidLimit)
	}
	return o
}

// Schema implements exec.Operator.
func (o *limitOp) Schema() *arrow.Schema { return o.input.Schema() }

// Open implements exec.Operator.
func (o *limitOp) Open(ctx context.Context) error {
	if o.err != nil {
		return o.err
	}
	return o.input.Open(ctx)
}

// Next implements exec.Operator.
func (o *limitOp) Next(ctx context.Context) (exec.Batch, error) {
	for o.left != 0 {
		if err := ctx.Err(); err != nil {
			return exec.Batch{}, err
		}
		b, err := o.input.Next(ctx)
		if err != nil {
			return exec.Batch{}, err
		}
		n := int64(b.Len())
		if o.skip >= n {
			o.skip -= n
			b.Release()
			continue
		}
		lo, hi := o.skip, n
		o.skip = 0
		if o.left >= 0 {
			hi = min(hi, lo+o.left)
			o.left -= hi - lo
		}
		return narrow(b, int(lo), int(hi)), nil
	}
	return exec.Batch{}, io.EOF
}

// narrow keeps live rows lo … hi-1 of b, taking over b's reference.
func narrow(b exec.Batch, lo, hi int) exec.Batch {
	if b.Sel != nil {
		b.Sel = b.Sel[lo:hi]
		return b
	}
	if lo == 0 && hi == b.NumRows() {
		return b
	}
	rec := b.Rec.NewSlice(int64(lo), int64(hi))
	b.Release()
	return exec.Batch{Rec: rec}
}

// Close implements exec.Operator; it is idempotent.
func (o *limitOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	return o.input.Close()
}
