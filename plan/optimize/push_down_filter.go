package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// PushDownFilter moves predicates towards the data, so fewer rows flow
// through the plan and sources can skip data:
//
//   - through a Project, substituting the projected expressions for the
//     column references (aliases are resolved);
//   - through a Sort, and into every input of a Union (each branch's
//     columns by position, cast where the union promotes the type);
//   - into an adjacent Filter (merged with AND, as merge_filters does);
//   - below a grouped Aggregate, for conjuncts over grouping columns only
//     (the grouping expression is substituted);
//   - below a Distinct;
//   - into a Scan as pushed filters (plan.Scan.WithPushdown), which the
//     source may use to prune and the executor re-applies;
//   - into the inputs of a Join where the join type allows it (see
//     push_down_filter_join.go), and a join's residual ON condition into
//     its NULL-supplying input.
//
// Correctness. A filter commutes with row-wise operators (Project, Sort,
// Union) and with Distinct and grouping when it only looks at what
// identifies a group. Two cases are excluded: Distinct and Aggregate treat
// -0 and +0 (and every NaN) as one value and keep one representative, which
// a predicate could tell apart (CAST(x AS string)), so conjuncts reading a
// float column do not pass them; and a global Aggregate returns a row even
// for no input, so nothing passes it.
//
// Errors. A conjunct that may raise an error (mayFail) moves only when it
// sees no new rows and no condition that guarded it stays behind: never into
// a join or a scan, and through an Aggregate only if every conjunct before it
// moves too. Moving a predicate can avoid errors in expressions it filters
// out (it runs earlier), never add one.
//
// Run simplify_expressions first (a literal conjunct such as false should
// empty the plan rather than travel) and prune_columns after.
type PushDownFilter struct{}

// Name is "push_down_filter".
func (PushDownFilter) Name() string { return "push_down_filter" }

// Order is TopDown: a predicate pushed below a node is pushed further when
// the walk reaches its new position.
func (PushDownFilter) Order() Order { return TopDown }

// Rewrite pushes a Filter into its input, or a Join's residual condition
// into the join's inputs.
func (PushDownFilter) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	switch n := n.(type) {
	case *plan.Filter:
		out := pushFilter(n)
		return out, out != plan.Node(n), nil
	case *plan.Join:
		out := pushJoinResidual(n)
		return out, out != plan.Node(n), nil
	}
	return n, false, nil
}

// pushFilter returns f with its predicate moved as far into its input as
// one step allows, or f itself. Rewrites that the plan constructors reject
// (a substituted name that would be ambiguous, say) are skipped.
func pushFilter(f *plan.Filter) plan.Node {
	var out plan.Node
	var err error
	switch c := f.Input.(type) {
	case *plan.Filter:
		if mayFail(f.Pred, c.Schema()) {
			return f
		}
		merged, err := plan.NewFilter(c.Input, expr.And(c.Pred, f.Pred))
		if err != nil {
			return f
		}
		return pushFilter(merged)
	case *plan.Project:
		out, err = pushThroughProject(f, c)
	case *plan.Sort:
		out, err = reparent(f.Pred, c, c.Input)
	case *plan.Distinct:
		if readsFloat(f.Pred, c.Schema()) {
			return f
		}
		out, err = reparent(f.Pred, c, c.Input)
	case *plan.Union:
		out, err = pushIntoUnion(f, c)
	case *plan.Aggregate:
		out, err = pushThroughAggregate(f, c)
	case *plan.Join:
		out, err = pushIntoJoin(f, c)
	case *plan.Scan:
		out, err = pushIntoScan(f, c)
	default:
		return f
	}
	if err != nil || out == nil {
		return f
	}
	return out
}

// reparent returns node(Filter(pred, input)) for a single-input node whose
// schema is its input's.
func reparent(pred expr.Expr, node, input plan.Node) (plan.Node, error) {
	nf, err := plan.NewFilter(input, pred)
	if err != nil {
		return nil, err
	}
	return node.WithChildren([]plan.Node{nf})
}

// readsFloat reports whether e references a float column of s (or a
// column that does not resolve).
func readsFloat(e expr.Expr, s *arrow.Schema) bool {
	idx, ok := columnIndexes(e, s)
	if !ok {
		return true
	}
	for _, i := range idx {
		if expr.IsFloat(s.Field(i).Type) {
			return true
		}
	}
	return false
}

func pushThroughProject(f *plan.Filter, p *plan.Project) (plan.Node, error) {
	es := p.Exprs()
	pred, ok := substitute(f.Pred, p.Schema(), func(i int) expr.Expr { return es[i] })
	if !ok {
		return nil, nil
	}
	nf, err := plan.NewFilter(p.Input, pred)
	if err != nil {
		return nil, err
	}
	return plan.NewProject(nf, es)
}

// pushIntoUnion filters every input, rewriting column references by
// position to the input's own columns.
func pushIntoUnion(f *plan.Filter, u *plan.Union) (plan.Node, error) {
	us := u.Schema()
	ins := make([]plan.Node, len(u.Inputs))
	for b, in := range u.Inputs {
		bs := in.Schema()
		pred, ok := substitute(f.Pred, us, func(i int) expr.Expr {
			ref, ok := columnRef(bs, i)
			if !ok {
				return nil
			}
			if !arrow.TypeEqual(bs.Field(i).Type, us.Field(i).Type) {
				return &expr.Cast{Expr: ref, To: us.Field(i).Type}
			}
			return ref
		})
		if !ok {
			return nil, nil
		}
		nf, err := plan.NewFilter(in, pred)
		if err != nil {
			return nil, err
		}
		ins[b] = nf
	}
	return plan.NewUnion(ins...)
}

// pushThroughAggregate moves the conjuncts over non-float grouping columns
// below a grouped aggregate.
func pushThroughAggregate(f *plan.Filter, a *plan.Aggregate) (plan.Node, error) {
	if len(a.GroupBy) == 0 {
		return nil, nil
	}
	s := a.Schema()
	in := a.Input.Schema()
	var moved, kept []expr.Expr
	for _, c := range conjuncts(f.Pred) {
		idx, ok := columnIndexes(c, s)
		movable := ok && len(idx) > 0 && !readsFloat(c, s)
		for _, i := range idx {
			movable = movable && i < len(a.GroupBy)
		}
		var sub expr.Expr
		if movable {
			sub, movable = substitute(c, s, func(i int) expr.Expr { return a.GroupBy[i] })
		}
		if movable && (len(kept) == 0 || !mayFail(sub, in)) {
			moved = append(moved, sub)
		} else {
			kept = append(kept, c)
		}
	}
	if len(moved) == 0 {
		return nil, nil
	}
	out, err := reparent(andAll(moved), a, a.Input)
	if err != nil {
		return nil, err
	}
	return filterOver(out, kept)
}

// filterOver returns Filter(AND of preds, n), or n when preds is empty.
func filterOver(n plan.Node, preds []expr.Expr) (plan.Node, error) {
	if len(preds) == 0 {
		return n, nil
	}
	return plan.NewFilter(n, andAll(preds))
}

// pushIntoScan adds the conjuncts that cannot fail to the scan's pushed
// filters. A conjunct the scan rejects (a name that is ambiguous in the
// full source schema) stays in the filter.
func pushIntoScan(f *plan.Filter, s *plan.Scan) (plan.Node, error) {
	filters := append([]expr.Expr(nil), s.Filters...)
	var kept []expr.Expr
	for _, c := range conjuncts(f.Pred) {
		if idx, _ := columnIndexes(c, s.Schema()); len(idx) == 0 || mayFail(c, s.Schema()) {
			kept = append(kept, c) // constants are simplify_expressions' business
			continue
		}
		if _, err := s.WithPushdown(s.Columns, append(filters, c)); err != nil {
			kept = append(kept, c)
			continue
		}
		filters = append(filters, c)
	}
	if len(filters) == len(s.Filters) {
		return nil, nil
	}
	ns, err := s.WithPushdown(s.Columns, filters)
	if err != nil {
		return nil, err
	}
	return filterOver(ns, kept)
}
