package optimize

import (
	"github.com/grainql/grain/plan"
)

// PushDownLimit moves limits towards the data and removes trivial ones:
//
//   - Limit over Project → Project over Limit (a projection keeps the row
//     count), which also lets a Limit reach a Sort below the projection, so
//     the physical planner can run a top-k;
//   - Limit(offset o, count c) over Union keeps the outer limit and limits
//     every input to its first o+c rows: no input contributes more to the
//     first o+c rows of the union. Inputs already limited as much are left
//     alone, so the rule applies once;
//   - Limit over Limit merges into one (offsets add; the count is what the
//     inner limit leaves after the outer offset);
//   - a Limit with count 0 becomes an empty relation, and a limit that
//     keeps everything (no offset, no count) disappears.
//
// Correctness: a Limit over an unsorted input may return any rows, and all
// these rewrites return rows the original could return; over a Sort the
// order is untouched (the Project stays above the Limit that is above the
// Sort). Rows a limit skips are not computed any more.
type PushDownLimit struct{}

// Name is "push_down_limit".
func (PushDownLimit) Name() string { return "push_down_limit" }

// Order is TopDown, so a limit keeps moving once pushed.
func (PushDownLimit) Order() Order { return TopDown }

// Rewrite pushes, merges or removes a Limit.
func (PushDownLimit) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	l, ok := n.(*plan.Limit)
	if !ok {
		return n, false, nil
	}
	switch {
	case l.Count == 0:
		return plan.NewEmpty(l.Schema()), true, nil
	case l.Count == plan.NoLimit && l.Offset == 0:
		return l.Input, true, nil
	}
	var out plan.Node
	var err error
	switch c := l.Input.(type) {
	case *plan.Project:
		var nl *plan.Limit
		if nl, err = plan.NewLimit(c.Input, l.Offset, l.Count); err == nil {
			out, err = plan.NewProject(nl, c.Exprs())
		}
	case *plan.Limit:
		out, err = plan.NewLimit(c.Input, c.Offset+l.Offset, mergedCount(c, l))
	case *plan.Union:
		return limitUnionInputs(l, c)
	default:
		return n, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// mergedCount is the count of Limit(outer) over Limit(inner) as one limit
// with offset inner.Offset+outer.Offset.
func mergedCount(inner, outer *plan.Limit) int64 {
	if inner.Count == plan.NoLimit {
		return outer.Count
	}
	left := max(inner.Count-outer.Offset, 0)
	if outer.Count == plan.NoLimit {
		return left
	}
	return min(left, outer.Count)
}

// limitUnionInputs limits every input of u to l.Offset+l.Count rows.
func limitUnionInputs(l *plan.Limit, u *plan.Union) (plan.Node, bool, error) {
	if l.Count == plan.NoLimit {
		return l, false, nil
	}
	k := l.Offset + l.Count
	ins := make([]plan.Node, len(u.Inputs))
	changed := false
	for i, in := range u.Inputs {
		ins[i] = in
		if il, ok := in.(*plan.Limit); ok && il.Offset == 0 && il.Count != plan.NoLimit && il.Count <= k {
			continue
		}
		nl, err := plan.NewLimit(in, 0, k)
		if err != nil {
			return nil, false, err
		}
		ins[i], changed = nl, true
	}
	if !changed {
		return l, false, nil
	}
	nu, err := plan.NewUnion(ins...)
	if err != nil {
		return nil, false, err
	}
	out, err := plan.NewLimit(nu, l.Offset, l.Count)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}
