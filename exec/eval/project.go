package eval

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
)

// NewProject returns an operator computing exprs over each batch of input.
// Output field names are expr.Name(e). A bare column passes through
// without a copy and keeps its field (type, nullability, metadata and
// relation qualifier; an alias renames it and drops the qualifier).
// Computed columns are nullable. The input's selection vector is kept:
// computed columns have garbage at unselected rows. Projections keep no
// counters of their own, so m is unused; rows and time come from wrapping
// the operator with exec.Instrument.
func NewProject(input exec.Operator, exprs []expr.Expr, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	if env == nil || env.Mem == nil {
		return nil, fmt.Errorf("project: an Env with an allocator is required")
	}
	in := input.Schema()
	p := &projectOp{in: input, mem: env.Mem}
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		ev, err := Compile(e, in)
		if err != nil {
			return nil, fmt.Errorf("project %s: %w", expr.Name(e), err)
		}
		p.evs = append(p.evs, ev)
		fields[i] = arrow.Field{Name: expr.Name(e), Type: ev.Type(), Nullable: true}
		if col, ok := expr.StripAlias(e).(*expr.Column); ok {
			idx, _ := expr.Resolve(in, col)
			f := in.Field(idx)
			if _, aliased := expr.Unwrap(e).(*expr.Alias); aliased {
				f = expr.WithQualifier(f, "")
				f.Name = expr.Name(e)
			}
			fields[i] = f
		}
	}
	p.schema = arrow.NewSchema(fields, nil)
	return p, nil
}

// projectOp evaluates one Evaluator per output column.
type projectOp struct {
	in     exec.Operator
	evs    []Evaluator
	schema *arrow.Schema
	mem    memory.Allocator
	cols   []arrow.Array
	closed bool
}

var _ exec.Operator = (*projectOp)(nil)

// Schema is the projected schema.
func (p *projectOp) Schema() *arrow.Schema { return p.schema }

// Open opens the input.
func (p *projectOp) Open(ctx context.Context) error { return p.in.Open(ctx) }

// Next evaluates every column over the next input batch.
func (p *projectOp) Next(ctx context.Context) (exec.Batch, error) {
	b, err := p.in.Next(ctx)
	if err != nil {
		return exec.Batch{}, err
	}
	defer b.Release()
	cols := p.cols[:0]
	defer func() {
		for _, c := range cols {
			c.Release()
		}
		p.cols = cols[:0]
	}()
	// Each column is computed for the live rows; the record keeps every
	// physical row so the input selection still applies.
	for _, ev := range p.evs {
		arr, err := ev.Eval(ctx, b, p.mem)
		if err != nil {
			return exec.Batch{}, fmt.Errorf("project: %w", err)
		}
		cols = append(cols, arr)
	}
	rec := array.NewRecord(p.schema, cols, int64(b.NumRows()))
	return exec.Batch{Rec: rec, Sel: b.Sel}, nil
}

// Close closes the input once.
func (p *projectOp) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	return p.in.Close()
}
