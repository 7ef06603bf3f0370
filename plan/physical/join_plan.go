package physical

import (
	"fmt"
	"strings"

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
	broadcast bool // broadcast hash join (else shuffled hash join)
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
	case h.Strategy == plan.StrategyShuffleHash || h.Strategy == plan.StrategySortMerge:
		return strategy{reason: "hint: " + h.Strategy.String()}
	}
	if n.Type == plan.JoinCross || len(n.On) == 0 {
		// Without keys nothing can be partitioned: build one side whole.
		if canRight {
			return strategy{broadcast: true, reason: "no equi-join keys"}
		}
		return strategy{broadcast: true, swap: true, reason: "no equi-join keys"}
	}
	lb, rb := estimateBytes(n.Left), estimateBytes(n.Right)
	limit := pl.cfg.BroadcastThreshold
	switch {
	case canRight && rb >= 0 && rb <= limit && (lb < 0 || rb <= lb || !canLeft):
		return strategy{broadcast: true, reason: fmt.Sprintf("right est. %s ≤ threshold %s", bytesText(rb), bytesText(limit))}
	case canLeft && lb >= 0 && lb <= limit:
		return strategy{broadcast: true, swap: true, reason: fmt.Sprintf("left est. %s ≤ threshold %s", bytesText(lb), bytesText(limit))}
	}
	return strategy{reason: fmt.Sprintf("sides est. %s and %s > threshold %s", bytesText(lb), bytesText(rb), bytesText(limit))}
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
		LeftKeys:   iota(nl, len(n.On)),
		RightKeys:  iota(nr, len(n.On)),
		NullsEqual: n.NullsEqual,
	}, residual: n.Filter}
	js.combined = concat(l.Schema(), r.Schema())
	out := join.OutputSchema(js.spec.Type, l.Schema(), r.Schema())
	label := strings.TrimPrefix(n.String(), "Join: ")
	var j Node
	if st.broadcast {
		label = fmt.Sprintf("BroadcastHashJoin %s (%s)", label, st.reason)
		j = newBroadcastJoin(l, newExchange(r, nil, 1), js, out, label)
	} else {
		label = fmt.Sprintf("ShuffledHashJoin %s (%s)", label, st.reason)
		keysL, keysR := js.spec.LeftKeys, js.spec.RightKeys
		j = newPartitionedJoin(pl.exchangeN(l, keysL), pl.exchangeN(r, keysR), js, out, label)
	}
	// Drop the appended keys and restore the logical column order.
	var keep []int
	lcols, rcols := iota(0, nl), iota(l.Schema().NumFields(), nr)
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
