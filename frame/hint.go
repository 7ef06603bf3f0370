package frame

import (
	"fmt"

	"github.com/grainql/grain/plan"
)

// Join strategy hints, as PySpark's DataFrame.hint names them.
const (
	HintBroadcast   = "broadcast"    // build a hash table of this side once and send it to every task
	HintShuffleHash = "shuffle_hash" // hash-exchange both sides and hash-join each partition
	HintMerge       = "merge"        // hash-exchange both sides, sort and merge each partition
)

// Hint asks the planner to use a join strategy for joins this DataFrame is
// a side of: HintBroadcast, HintShuffleHash or HintMerge (Spark's
// "shuffle_merge" and "sort_merge" are accepted for HintMerge). A
// broadcast hint is ignored where it would be wrong: the preserved side of
// an outer join is never broadcast.
func (df *DataFrame) Hint(name string) *DataFrame {
	if df.err != nil {
		return df
	}
	switch name {
	case HintBroadcast, HintShuffleHash, HintMerge:
	case "shuffle_merge", "sort_merge":
		name = HintMerge
	default:
		return failed(df.s, fmt.Sprintf("Hint(%q)", name), invalidInput("unknown hint %q; use %q, %q or %q", name, HintBroadcast, HintShuffleHash, HintMerge))
	}
	out := *df
	out.hint = name
	return &out
}

// Broadcast marks df to be broadcast in joins, as pyspark.sql.functions.
// broadcast does.
func Broadcast(df *DataFrame) *DataFrame { return df.Hint(HintBroadcast) }

// applyHints sets the join hint of the join of l and r inside n (a join,
// possibly under the projection of a USING join) from the sides' hints.
func applyHints(n, l, r plan.Node, left, right string) (plan.Node, error) {
	if left == "" && right == "" {
		return n, nil
	}
	var h plan.JoinHint
	for _, side := range []struct {
		hint string
		bc   plan.BroadcastSide
	}{{left, plan.BroadcastLeft}, {right, plan.BroadcastRight}} {
		switch side.hint {
		case HintBroadcast:
			h.Broadcast = side.bc
		case HintShuffleHash:
			h.Strategy = plan.StrategyShuffleHash
		case HintMerge:
			h.Strategy = plan.StrategySortMerge
		}
	}
	if h.Broadcast != plan.BroadcastNone {
		h.Strategy = plan.StrategyAuto // an explicit broadcast wins over a strategy hint
	}
	return plan.Transform(n, func(x plan.Node) (plan.Node, error) {
		j, ok := x.(*plan.Join)
		if !ok || j.Left != l || j.Right != r {
			return x, nil
		}
		if len(j.On) == 0 {
			h.Strategy = plan.StrategyAuto // no keys: nothing to shuffle or merge on
		}
		return j.WithHint(h)
	})
}
