package order

import (
	"context"
	"errors"
	"io"

	"github.com/grainql/grain/exec"
)

// sortOp is ORDER BY without a limit: it buffers its whole input, orders it
// and emits it.
type sortOp struct {
	*breaker
	sorted bool
}

var _ exec.Operator = (*sortOp)(nil)

// NewSort returns an operator that emits every row of input ordered by keys
// (the first key first), in batches of env.BatchSize rows. The sort is
// stable: rows with equal keys keep their input order. It is a pipeline
// breaker: the first Next reads the whole input, compacting each batch's
// live rows, and reserves their bytes in env.Pool under the spillable
// consumer "sort" before holding them. A refused reservation is returned as
// an error wrapping mempool.ErrMemoryLimit (spilling comes later).
//
// Keys name columns of input.Schema(); an out-of-range column is an error
// wrapping ErrInvalidKey, and a type without an order (lists, structs,
// decimals…) one wrapping ErrUnsupportedType. No keys keeps the input
// order. m, when not nil, receives the peak reservation; wrap the operator
// with exec.Instrument for rows and time.
func NewSort(input exec.Operator, keys []Key, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	b, err := newBreaker("sort", input, keys, env, m)
	if err != nil {
		return nil, err
	}
	return &sortOp{breaker: b}, nil
}

// Next implements exec.Operator. The first call consumes and sorts the
// input.
func (o *sortOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.sorted {
		if err := o.consume(ctx); err != nil {
			return exec.Batch{}, err
		}
		o.sorted = true
	}
	return o.emit(ctx)
}

// consume buffers the whole input and turns it into the run to emit.
func (o *sortOp) consume(ctx context.Context) error {
	for {
		b, err := o.pull(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if err := o.add(b); err != nil {
			return err
		}
	}
	recBytes := o.buf.bytes
	rec, perm, err := o.sortBuffer()
	if err != nil {
		return err
	}
	o.dropScratch()
	o.startRun(rec, perm, 0, len(perm), recBytes)
	return nil
}
