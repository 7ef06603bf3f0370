package physical

import (
	"fmt"
	"strings"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/order"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

var joinTypes = map[plan.JoinType]join.Type{
	plan.JoinInner: join.Inner, plan.JoinLeft: join.Left, plan.JoinRight: join.Right,
	plan.JoinFull: join.Full, plan.JoinSemi: join.Semi, plan.JoinAnti: join.Anti,
	plan.JoinCross: join.Cross,
}

// strategy is the physical join algorithm chosen for a logical join.
type strategy struct {
	broadcast bool // broadcast hash join
	sortMerge bool // sort-merge join (else, without broadcast, shuffled hash join)
	single    bool // both sides gathered into one partition (a full join without keys)
	swap      bool // build the left side (inner, cross and right joins only)
	reason    string
}

// chooseJoin picks the join strategy: hints first (as PySpark's
// broadcast() and join strategy hints), then the estimated size of the
// build side against the broadcast threshold. The preserved side of an
// outer join is never broadcast: its unmatched rows could only be found
// by one task that saw every probe row.
func (pl *planner) chooseJoin(n *plan.Join) strategy {
	canRight := n.Type != plan.JoinRight && n.Type != plan.JoinFull
	canLeft := n.Type == plan.JoinInner || n.Type == plan.JoinCross || n.Type == plan.JoinRight
	h := n.Hint
	switch {
	case h.Broadcast == plan.BroadcastRight && canRight:
		return strategy{broadcast: true, reason: "hint: broadcast right"}
	case h.Broadcast == plan.BroadcastLeft && canLeft:
		return strategy{broadcast: true, swap: true, reason: "hint: broadcast left"}
	case h.Strategy == plan.StrategyShuffleHash:
		return strategy{reason: "hint: " + h.Strategy.String()}
	case h.Strategy == plan.StrategySortMerge && len(n.On) > 0:
		return strategy{sortMerge: true, reason: "hint: " + h.Strategy.String()}
	}
	if n.Type == plan.JoinCross || len(n.On) == 0 {
		// Without keys nothing can be partitioned: build one side whole.
		switch {
		case canRight:
			return strategy{broadcast: true, reason: "no equi-join keys"}
		case canLeft:
			return strategy{broadcast: true, swap: true, reason: "no equi-join keys"}
		}
		// A full join preserves both sides: join in one task.
		return strategy{single: true, reason: "full join without equi-join keys"}
	}
	lb, rb := estimateBytes(n.Left), estimateBytes(n.Right)
	limit := pl.cfg.BroadcastThreshold
	switch {
	case canRight && rb >= 0 && rb <= limit && (lb < 0 || rb <= lb || !canLeft):
		return strategy{broadcast: true, reason: fmt.Sprintf("right est. %s ≤ threshold %s", bytesText(rb), bytesText(limit))}
	case canLeft && lb >= 0 && lb <= limit:
		return strategy{broadcast: true, swap: true, reason: fmt.Sprintf("left est. %s ≤ threshold %s", bytesText(lb), bytesText(limit))}
	}
	reason := fmt.Sprintf("sides est. %s and %s > threshold %s", bytesText(lb), bytesText(rb), bytesText(limit))
	return strategy{sortMerge: pl.cfg.PreferSortMerge, reason: reason}
}

// join plans a hash join: each side gets its keys (cast to their common
// type) appended, then either the build side is broadcast to every probe
// partition or both sides are hash-exchanged on the keys.
func (pl *planner) join(n *plan.Join) (Node, error) {
	st := pl.chooseJoin(n)
	left, right := n.Left, n.Right
	typ := n.Type
	if st.swap {
		left, right = right, left
		if typ == plan.JoinRight {
			typ = plan.JoinLeft
		}
	}
	l, err := pl.node(left)
	if err != nil {
		return nil, err
	}
	r, err := pl.node(right)
	if err != nil {
		return nil, err
	}
	lexprs := make([]expr.Expr, len(n.On))
	rexprs := make([]expr.Expr, len(n.On))
	for i, k := range n.On {
		lk, rk := k.Left, k.Right
		if st.swap {
			lk, rk = rk, lk
		}
		if lexprs[i], err = castTo(lk, n.KeyType(i), l.Schema()); err != nil {
			return nil, err
		}
		if rexprs[i], err = castTo(rk, n.KeyType(i), r.Schema()); err != nil {
			return nil, err
		}
	}
	nl, nr := l.Schema().NumFields(), r.Schema().NumFields()
	if len(n.On) > 0 {
		if l, err = projectNode(l, lexprs, true); err != nil {
			return nil, err
		}
		if r, err = projectNode(r, rexprs, true); err != nil {
			return nil, err
		}
	}
	js := joinSpec{spec: join.Spec{
		Type:       joinTypes[typ],
		LeftKeys:   seq(nl, len(n.On)),
		RightKeys:  seq(nr, len(n.On)),
		NullsEqual: n.NullsEqual,
	}, residual: n.Filter}
	js.combined = concat(l.Schema(), r.Schema())
	out := join.OutputSchema(js.spec.Type, l.Schema(), r.Schema())
	label := strings.TrimPrefix(n.String(), "Join: ")
	var j Node
	if st.broadcast {
		label = fmt.Sprintf("BroadcastHashJoin %s (%s)", label, st.reason)
		j = newBroadcastJoin(l, newExchange(r, nil, 1), js, out, label)
	} else if st.single {
		label = fmt.Sprintf("NestedLoopJoin %s (%s)", label, st.reason)
		j = newPartitionedJoin(gather(l), gather(r), js, out, label)
	} else if st.sortMerge {
		label = fmt.Sprintf("SortMergeJoin %s (%s)", label, st.reason)
		le := sortedBy(pl.exchangeN(l, js.spec.LeftKeys), js.spec.LeftKeys)
		re := sortedBy(pl.exchangeN(r, js.spec.RightKeys), js.spec.RightKeys)
		j = newPartitionedJoin(le, re, js, out, label)
		j.(*partitionedJoinNode).sortMerge = true
	} else {
		label = fmt.Sprintf("ShuffledHashJoin %s (%s)", label, st.reason)
		j = newPartitionedJoin(pl.exchangeN(l, js.spec.LeftKeys), pl.exchangeN(r, js.spec.RightKeys), js, out, label)
	}
	// Drop the appended keys and restore the logical column order.
	var keep []int
	lcols, rcols := seq(0, nl), seq(l.Schema().NumFields(), nr)
	if typ.LeftOnly() {
		keep = lcols
	} else if st.swap {
		keep = append(rcols, lcols...)
	} else {
		keep = append(lcols, rcols...)
	}
	return selectNode(j, keep, n.Schema()), nil
}

// exchangeN hash-partitions child on keys into ShufflePartitions partitions.
func (pl *planner) exchangeN(child Node, keys []int) Node {
	return newExchange(child, keys, pl.cfg.ShufflePartitions)
}

func concat(a, b *arrow.Schema) *arrow.Schema {
	return arrow.NewSchema(append(append([]arrow.Field(nil), a.Fields()...), b.Fields()...), nil)
}

// bytesText formats a byte count for EXPLAIN ("unknown" when negative).
func bytesText(n int64) string {
	switch {
	case n < 0:
		return "unknown"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
}

// sortedBy sorts every partition of child by keys in the order the
// sort-merge join expects (join.SortKeys).
func sortedBy(child Node, keys []int) Node {
	sk := join.SortKeys(keys)
	return newUnary(child, child.Schema(), "Sort "+strings.Join(colNames(child.Schema(), keys), ", "), func(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
		return order.NewSort(in, sk, x.Env, m)
	})
}
