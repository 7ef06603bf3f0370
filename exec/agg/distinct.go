package agg

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
)

// distinctConsumer is the name of DISTINCT's memory reservation.
const distinctConsumer = "distinct"

// NewDistinct returns an operator that outputs each distinct row of its
// input once (SQL DISTINCT: NULLs equal, NaNs equal, -0 equals +0), keeping
// the first occurrence. Every column is part of the key.
//
// It streams: each input batch comes out at once, narrowed by a selection
// vector to the rows whose key is new, without copying any column. Output
// batches therefore share the input's schema and records. The seen keys are
// held in a hash table that reserves memory in env.Pool as the "distinct"
// consumer before it grows; a refusal fails Next with an error wrapping
// mempool.ErrMemoryLimit.
//
// m receives the counters "groups" (distinct rows) and "input rows" and the
// peak reservation; it may be nil. The operator owns input from a successful
// return on; on error (a column type the hash table cannot key, wrapping
// hashtable.ErrUnsupportedType) the caller still owns it.
func NewDistinct(input exec.Operator, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	in := input.Schema()
	op := &distinctOp{input: input, env: env, m: m}
	if in.NumFields() > 0 {
		types := make([]arrow.DataType, in.NumFields())
		for i, f := range in.Fields() {
			types[i] = f.Type
		}
		t, err := hashtable.New(types, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", distinctConsumer, err)
		}
		op.table = t
	}
	if m != nil {
		op.groupsCtr, op.rowsCtr = m.NewCounter("groups"), m.NewCounter("input rows")
	}
	return op, nil
}

// distinctOp is the running DISTINCT.
type distinctOp struct {
	input exec.Operator
	env   *exec.Env
	table *hashtable.Table // nil when the input has no columns
	mem   budget
	ids   []uint32
	sel   []int32
	cols  []arrow.Array
	seen  bool // zero-column input: the one distinct row was output
	done  bool // the input is exhausted

	inputRows int64
	flushed   bool
	closed    bool
	m         *exec.Metrics
	groupsCtr *exec.Counter
	rowsCtr   *exec.Counter
}

var _ exec.Operator = (*distinctOp)(nil)

func (d *distinctOp) Schema() *arrow.Schema { return d.input.Schema() }

func (d *distinctOp) Open(ctx context.Context) error {
	d.mem.open(d.env.Pool, distinctConsumer)
	return d.input.Open(ctx)
}

func (d *distinctOp) Next(ctx context.Context) (exec.Batch, error) {
	for !d.closed && !d.done {
		if err := ctx.Err(); err != nil {
			return exec.Batch{}, err
		}
		b, err := d.input.Next(ctx)
		if errors.Is(err, io.EOF) {
			d.flush()
			d.done = true
			d.table = nil
			d.mem.res.Free()
			return exec.Batch{}, io.EOF
		}
		if err != nil {
			return exec.Batch{}, err
		}
		out, err := d.filter(b)
		if err != nil || out.Rec == nil {
			b.Release()
			if err != nil {
				return exec.Batch{}, err
			}
			continue
		}
		return out, nil
	}
	return exec.Batch{}, io.EOF
}

// filter narrows b to the rows whose key is new. The result shares b's
// record (and, when every live row is new, b's selection); it is the zero
// Batch when no row is new.
func (d *distinctOp) filter(b exec.Batch) (exec.Batch, error) {
	n := b.Len()
	if n == 0 {
		return exec.Batch{}, nil
	}
	d.inputRows += int64(n)
	if d.input.Schema().NumFields() == 0 {
		if d.seen {
			return exec.Batch{}, nil
		}
		d.seen = true
		d.sel = append(d.sel[:0], int32(b.Row(0)))
		return exec.Batch{Rec: b.Rec, Sel: d.sel}, nil
	}
	d.cols = d.cols[:0]
	for i := range int(b.Rec.NumCols()) {
		d.cols = append(d.cols, b.Column(i))
	}
	if err := d.mem.ensure(tableBound(d.table, d.cols, n), "grow table"); err != nil {
		return exec.Batch{}, err
	}
	next := uint32(d.table.Len())
	d.ids = d.table.Insert(d.cols, b.Sel, b.NumRows(), d.ids)
	d.sel = d.sel[:0]
	for i, id := range d.ids {
		if id == next {
			d.sel = append(d.sel, int32(b.Row(i)))
			next++
		}
	}
	if err := d.mem.settle(d.table.Bytes()); err != nil {
		return exec.Batch{}, err
	}
	switch len(d.sel) {
	case 0:
		return exec.Batch{}, nil
	case n:
		return b, nil
	}
	return exec.Batch{Rec: b.Rec, Sel: d.sel}, nil
}

// flush publishes the counters once.
func (d *distinctOp) flush() {
	if d.flushed || d.m == nil {
		return
	}
	d.flushed = true
	groups := int64(0)
	if d.table != nil {
		groups = int64(d.table.Len())
	} else if d.seen {
		groups = 1
	}
	d.groupsCtr.Value.Add(groups)
	d.rowsCtr.Value.Add(d.inputRows)
	d.m.ObservePeak(d.mem.peak())
}

func (d *distinctOp) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	d.flush()
	d.table = nil
	d.mem.res.Free()
	return d.input.Close()
}
