package optimize

import (
	"github.com/grainql/grain/plan"
)

// PropagateEmpty replaces a node whose result is certainly empty because
// of an empty input (plan.IsEmpty) with an empty relation of its schema:
//
//   - Filter, Project, Sort, Limit, Distinct and a grouped Aggregate over an
//     empty input are empty. A global Aggregate is not: it returns one row
//     (COUNT 0, the other aggregates NULL) even over no rows.
//   - Inner, cross and semi joins are empty when either input is; left and
//     anti joins when the left input is; right joins when the right input
//     is; full joins when both are. (An outer join with an empty
//     NULL-supplying side is not empty: it pads the preserved rows.)
//   - A Union is empty when every input is. Empty inputs are dropped when
//     the union's schema stays the same without them (the first input
//     names the columns, and the common types must not change).
//
// Run after eliminate_filter and push_down_limit, which create empty
// relations.
type PropagateEmpty struct{}

// Name is "propagate_empty".
func (PropagateEmpty) Name() string { return "propagate_empty" }

// Order is BottomUp, so emptiness climbs as far as it goes in one walk.
func (PropagateEmpty) Order() Order { return BottomUp }

// Rewrite empties n when its inputs make it empty.
func (PropagateEmpty) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	empty := func() (plan.Node, bool, error) { return plan.NewEmpty(n.Schema()), true, nil }
	switch n := n.(type) {
	case *plan.Filter, *plan.Project, *plan.Sort, *plan.Limit, *plan.Distinct:
		if plan.IsEmpty(n.Children()[0]) {
			return empty()
		}
	case *plan.Aggregate:
		if len(n.GroupBy) > 0 && plan.IsEmpty(n.Input) {
			return empty()
		}
	case *plan.Join:
		l, r := plan.IsEmpty(n.Left), plan.IsEmpty(n.Right)
		switch n.Type {
		case plan.JoinInner, plan.JoinCross, plan.JoinSemi:
			if l || r {
				return empty()
			}
		case plan.JoinLeft, plan.JoinAnti:
			if l {
				return empty()
			}
		case plan.JoinRight:
			if r {
				return empty()
			}
		case plan.JoinFull:
			if l && r {
				return empty()
			}
		}
	case *plan.Union:
		return dropEmptyInputs(n)
	}
	return n, false, nil
}

// dropEmptyInputs removes the empty inputs of a union when that keeps its
// schema.
func dropEmptyInputs(u *plan.Union) (plan.Node, bool, error) {
	var kept []plan.Node
	for _, in := range u.Inputs {
		if !plan.IsEmpty(in) {
			kept = append(kept, in)
		}
	}
	switch {
	case len(kept) == len(u.Inputs):
		return u, false, nil
	case len(kept) == 0:
		return plan.NewEmpty(u.Schema()), true, nil
	}
	var out plan.Node = kept[0]
	if len(kept) > 1 {
		nu, err := plan.NewUnion(kept...)
		if err != nil {
			return u, false, nil
		}
		out = nu
	}
	if sameSchema(u.Schema(), out.Schema()) != nil {
		return u, false, nil
	}
	return out, true, nil
}
