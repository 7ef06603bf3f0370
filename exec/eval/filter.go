package eval

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
)

// predicate is a compiled boolean expression that selects rows.
type predicate struct {
	ev  *evaluator
	out scratch
}

// newPredicate compiles a boolean (or NULL-typed) predicate for row selection.
func newPredicate(pred expr.Expr, schema *arrow.Schema) (*predicate, error) {
	e, err := Compile(pred, schema)
	if err != nil {
		return nil, err
	}
	if t := e.Type(); t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return nil, fmt.Errorf("%w: predicate %s is %s, not boolean", expr.ErrType, pred, t)
	}
	ev := e.(*evaluator)
	ev.passIdx = -1 // a boolean column is selected through whereVec
	return &predicate{ev: ev}, nil
}

// selectRows returns the live rows of b where the predicate is TRUE, in a
// buffer reused by the next call.
func (p *predicate) selectRows(ctx context.Context, b exec.Batch) ([]int32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := p.ev.checkSchema(b.Rec); err != nil {
		return nil, err
	}
	ec := p.ev.begin(b, nil)
	defer p.ev.end()
	rows, _, err := whereNode(ec, p.ev.root, b.Sel, p.out.int32s(ec.n))
	return rows, err
}

// NewSelector compiles a predicate into an exec.Selector (used for join
// residual predicates). Rows where the predicate is NULL are dropped. The
// returned slice is reused by the next call.
func NewSelector(pred expr.Expr, schema *arrow.Schema) (exec.Selector, error) {
	p, err := newPredicate(pred, schema)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Select implements exec.Selector.
func (p *predicate) Select(ctx context.Context, b exec.Batch) ([]int32, error) {
	return p.selectRows(ctx, b)
}

var _ exec.Selector = (*predicate)(nil)

// NewFilter returns an operator passing on the rows of input where pred is
// TRUE (NULL drops the row). It narrows each batch's selection vector
// without copying columns, skips batches with no selected row, and passes a
// batch through unchanged when every row qualifies. When fewer than 1/8 of
// a batch's rows survive it compacts them into a new record allocated from
// env.Mem (counted in the "compacted_batches" metric), so later operators
// do not carry a mostly dead batch. m, when not nil, receives that
// counter; wrap the operator with exec.Instrument for rows and time.
func NewFilter(input exec.Operator, pred expr.Expr, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	p, err := newPredicate(pred, input.Schema())
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	f := &filterOp{in: input, pred: p}
	if env != nil && compactable(input.Schema()) {
		f.mem = env.Mem
	}
	if m != nil {
		f.compacted = m.NewCounter("compacted_batches")
	}
	return f, nil
}

// compactable reports whether exec.Compact supports every column type of
// s; other schemas are only ever narrowed.
func compactable(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		switch t := f.Type.(type) {
		case *arrow.NullType, *arrow.BooleanType, *arrow.StringType, *arrow.BinaryType,
			*arrow.LargeStringType, *arrow.LargeBinaryType:
		case arrow.FixedWidthDataType:
			if w := t.BitWidth(); w != 8 && w != 16 && w != 32 && w != 64 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// compactBelow is the live fraction (1/compactBelow) under which the filter
// compacts a batch.
const compactBelow = 8

// filterOp narrows selection vectors; the Sel it returns is a buffer
// reused by the next call to Next, as the Batch contract allows.
type filterOp struct {
	in        exec.Operator
	pred      *predicate
	mem       memory.Allocator // nil: never compact
	compacted *exec.Counter
	closed    bool
}

var _ exec.Operator = (*filterOp)(nil)

// Schema is the input schema: a filter keeps every column.
func (f *filterOp) Schema() *arrow.Schema { return f.in.Schema() }

// Open opens the input.
func (f *filterOp) Open(ctx context.Context) error { return f.in.Open(ctx) }

// Next returns the next batch with at least one row passing.
func (f *filterOp) Next(ctx context.Context) (exec.Batch, error) {
	for {
		b, err := f.in.Next(ctx)
		if err != nil {
			if err == io.EOF {
				return exec.Batch{}, io.EOF
			}
			return exec.Batch{}, err
		}
		rows, err := f.pred.selectRows(ctx, b)
		if err != nil {
			b.Release()
			return exec.Batch{}, fmt.Errorf("filter: %w", err)
		}
		switch {
		case len(rows) == 0:
			b.Release()
			continue
		case len(rows) == b.Len():
			return b, nil // nothing dropped
		case f.mem != nil && len(rows)*compactBelow < b.NumRows():
			rec, err := exec.Compact(f.mem, exec.Batch{Rec: b.Rec, Sel: rows})
			b.Release()
			if err != nil {
				return exec.Batch{}, fmt.Errorf("filter: compact: %w", err)
			}
			if f.compacted != nil {
				f.compacted.Value.Add(1)
			}
			return exec.Batch{Rec: rec}, nil
		}
		return exec.Batch{Rec: b.Rec, Sel: rows}, nil
	}
}

// Close closes the input once.
func (f *filterOp) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	return f.in.Close()
}
