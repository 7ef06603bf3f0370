package physical

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// ErrUnsupported reports a logical plan the executor cannot run.
var ErrUnsupported = errors.New("unsupported plan")

// Query is a compiled plan: the root operator and the metrics of every
// logical node, in pre-order.
type Query struct {
	Root    exec.Operator
	Profile []NodeProfile
}

// NodeProfile pairs a logical node with the metrics of the operators that
// run it.
type NodeProfile struct {
	Node    plan.Node
	Depth   int
	Metrics *exec.Metrics
}

// Build turns a logical plan into a single-partition operator tree ready to
// Open.
func Build(n plan.Node, env *exec.Env) (exec.Operator, error) {
	q, err := Compile(n, env)
	if err != nil {
		return nil, err
	}
	return q.Root, nil
}

// Compile turns a logical plan into an operator tree and collects the
// per-node metrics.
func Compile(n plan.Node, env *exec.Env) (*Query, error) {
	b := &builder{env: env}
	root, err := b.build(n, 0)
	if err != nil {
		return nil, err
	}
	return &Query{Root: root, Profile: b.profile}, nil
}

type builder struct {
	env     *exec.Env
	profile []NodeProfile
}

// build compiles n and relabels the result with n's schema.
func (b *builder) build(n plan.Node, depth int) (exec.Operator, error) {
	m := &exec.Metrics{}
	b.profile = append(b.profile, NodeProfile{Node: n, Depth: depth, Metrics: m})
	if l, ok := n.(*plan.Limit); ok {
		if s, ok := l.Input.(*plan.Sort); ok && l.Count >= 0 {
			return b.topK(l, s, depth, m)
		}
	}
	var kids []exec.Operator
	for _, c := range n.Children() {
		op, err := b.build(c, depth+1)
		if err != nil {
			closeAll(kids)
			return nil, err
		}
		kids = append(kids, op)
	}
	op, err := b.operator(n, kids, m)
	if err != nil {
		closeAll(kids)
		return nil, fmt.Errorf("%s: %w", n, err)
	}
	return b.finish(n, op, m)
}

// finish relabels op with n's schema and instruments it.
func (b *builder) finish(n plan.Node, op exec.Operator, m *exec.Metrics) (exec.Operator, error) {
	out, err := exec.NewColumnSelect(op, nil, n.Schema())
	if err != nil {
		op.Close()
		return nil, fmt.Errorf("%s: %w", n, err)
	}
	return exec.Instrument(out, m), nil
}

// topK compiles Limit over Sort as a top-k keeping offset+count rows, then
// the limit. The Sort node gets its own profile entry.
func (b *builder) topK(l *plan.Limit, s *plan.Sort, depth int, m *exec.Metrics) (exec.Operator, error) {
	sm := &exec.Metrics{}
	b.profile = append(b.profile, NodeProfile{Node: s, Depth: depth + 1, Metrics: sm})
	in, err := b.build(s.Input, depth+2)
	if err != nil {
		return nil, err
	}
	top, err := b.sort(s, in, l.Offset+l.Count, sm)
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	if top, err = b.finish(s, top, sm); err != nil {
		return nil, err
	}
	return b.finish(l, order.NewLimit(top, l.Offset, l.Count), m)
}

func (b *builder) operator(n plan.Node, kids []exec.Operator, m *exec.Metrics) (exec.Operator, error) {
	env := b.env
	switch n := n.(type) {
	case *plan.Scan:
		return b.scan(n)
	case *plan.Project:
		return eval.NewProject(kids[0], n.Exprs(), env, m)
	case *plan.Filter:
		return eval.NewFilter(kids[0], n.Pred, env, m)
	case *plan.Aggregate:
		return b.aggregate(n, kids[0], m)
	case *plan.Join:
		return b.join(n, kids[0], kids[1], m)
	case *plan.Sort:
		return b.sort(n, kids[0], -1, m)
	case *plan.Limit:
		return order.NewLimit(kids[0], n.Offset, n.Count), nil
	case *plan.Distinct:
		return agg.NewDistinct(kids[0], env, m)
	case *plan.Union:
		return b.union(n, kids)
	}
	return nil, fmt.Errorf("%w: node %T", ErrUnsupported, n)
}

func closeAll(ops []exec.Operator) {
	for _, op := range ops {
		op.Close()
	}
}

// scan reads the projected columns plus the columns the pushed filters
// need, re-applies the filters and drops the extra columns.
func (b *builder) scan(n *plan.Scan) (exec.Operator, error) {
	raw := n.Source.Schema()
	cols := n.Columns
	if cols == nil {
		cols = make([]int, raw.NumFields())
		for i := range cols {
			cols[i] = i
		}
	}
	read := append([]int(nil), cols...)
	for _, f := range n.Filters {
		for _, c := range expr.Columns(f) {
			i, err := expr.Resolve(raw, c)
			if err != nil {
				return nil, err
			}
			if !contains(read, i) {
				read = append(read, i)
			}
		}
	}
	splits, err := n.Source.Splits(context.Background(), source.ScanRequest{
		Columns: read, Filters: n.Filters, BatchSize: b.env.BatchSize,
	})
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(read))
	for i, c := range read {
		fields[i] = raw.Field(c)
	}
	var op exec.Operator = exec.NewScan(arrow.NewSchema(fields, nil), splits, b.env)
	if len(n.Filters) > 0 {
		if op, err = eval.NewFilter(op, expr.And(n.Filters...), b.env, nil); err != nil {
			return nil, err
		}
	}
	keep := make([]int, len(cols))
	for i := range keep {
		keep[i] = i
	}
	return exec.NewColumnSelect(op, keep, n.Schema())
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
