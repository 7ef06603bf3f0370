package optimize

import (
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// MergeFilters combines a Filter directly over another Filter into one:
// Filter(p2, Filter(p1, x)) → Filter(p1 AND p2, x).
//
// Correctness: a row survives both filters exactly when p1 and p2 are both
// true, which is when p1 AND p2 is true. p1 comes first, so AND evaluates
// p2 only where p1 is not false, as before, except on rows where p1 is
// NULL. The rule therefore does not apply when p2 may raise an error
// (mayFail), since it would newly see those rows.
type MergeFilters struct{}

// Name is "merge_filters".
func (MergeFilters) Name() string { return "merge_filters" }

// Order is BottomUp, so a stack of filters collapses in one walk.
func (MergeFilters) Order() Order { return BottomUp }

// Rewrite merges n with a Filter input.
func (MergeFilters) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	f, ok := n.(*plan.Filter)
	if !ok {
		return n, false, nil
	}
	inner, ok := f.Input.(*plan.Filter)
	if !ok || mayFail(f.Pred, f.Input.Schema()) {
		return n, false, nil
	}
	out, err := plan.NewFilter(inner.Input, expr.And(inner.Pred, f.Pred))
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}
