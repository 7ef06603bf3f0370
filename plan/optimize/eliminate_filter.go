package optimize

import (
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// EliminateFilter removes predicates that are literals:
//
//   - Filter(true) → its input; Filter(false) and Filter(NULL) → an empty
//     relation (plan.NewEmpty) with the filter's schema, since a filter
//     keeps only rows whose predicate is true;
//   - a Scan's pushed filter true is dropped; false or NULL empties the
//     scan;
//   - a join's residual true is dropped; false or NULL empties an inner,
//     cross or semi join (no pair can match). Outer and anti joins keep
//     their preserved rows, so they are left alone.
//
// An emptied subtree is not evaluated any more, so errors its expressions
// would have raised on rows that cannot reach the result are not raised;
// that is the optimizer's general contract (see the package
// documentation). Run simplify_expressions first so that predicates such
// as x = NULL or 1 > 2 have become literals.
type EliminateFilter struct{}

// Name is "eliminate_filter".
func (EliminateFilter) Name() string { return "eliminate_filter" }

// Order is BottomUp.
func (EliminateFilter) Order() Order { return BottomUp }

// Rewrite drops or empties n when a predicate it owns is a literal.
func (EliminateFilter) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	switch n := n.(type) {
	case *plan.Filter:
		switch {
		case boolLiteral(n.Pred, true):
			return n.Input, true, nil
		case neverTrue(n.Pred):
			return plan.NewEmpty(n.Schema()), true, nil
		}
	case *plan.Scan:
		if plan.IsEmpty(n) {
			return n, false, nil
		}
		var kept []expr.Expr
		for _, f := range n.Filters {
			if neverTrue(f) {
				return plan.NewEmpty(n.Schema()), true, nil
			}
			if !boolLiteral(f, true) {
				kept = append(kept, f)
			}
		}
		if len(kept) == len(n.Filters) {
			return n, false, nil
		}
		out, err := n.WithPushdown(n.Columns, kept)
		return out, err == nil, err
	case *plan.Join:
		switch {
		case n.Filter == nil:
		case boolLiteral(n.Filter, true):
			out, err := rebuildJoin(n, n.Left, n.Right, n.Type, n.On, nil)
			return out, err == nil, err
		case neverTrue(n.Filter) && (n.Type == plan.JoinInner || n.Type == plan.JoinCross || n.Type == plan.JoinSemi):
			return plan.NewEmpty(n.Schema()), true, nil
		}
	}
	return n, false, nil
}
