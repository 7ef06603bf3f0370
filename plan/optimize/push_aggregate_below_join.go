package optimize

import (
	"errors"
	"fmt"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// PushAggregateBelowJoin is eager pre-aggregation, Grain's signature rule.
// For an Aggregate over a Join where every aggregate reads one input R, it
// aggregates R first, grouped by the columns of R that the grouping, the
// join keys and the join's residual condition read, and merges the partial
// results above the join:
//
//	Aggregate: group=[entity, dim_key] aggs=[sum(metric * weight) AS total]
//	  Join: inner on [grp = grp]                      (fan-out ×20)
//	    Scan: fact
//	    Scan: dim
//	→
//	Aggregate: group=[entity, dim_key] aggs=[sum(_p1 * weight) AS total]
//	  Join: inner on [grp = grp]
//	    Aggregate: group=[entity, grp] aggs=[sum(metric) AS _p1]
//	      Scan: fact
//	    Scan: dim
//
// Each aggregate splits into ordinary aggregates (no special state types):
// SUM(x) → sum(x) below, sum of it above; COUNT(x) and COUNT(*) → count
// below, coalesce(sum, 0) above (COUNT is 0, not NULL, when nothing
// matched); MIN/MAX → min/max of min/max; AVG(x) → sum(float64(x)) and
// count(x) below, their sums divided above (NULL when the count is 0, as
// AVG); SUM(r * s) with r over R and s over the other input → sum(r) below,
// sum(partial * s) above; MIN/MAX over the other input stay as they are. A
// final Project restores the original names and types where needed.
//
// Why it is correct: the lower keys include every R column the join and
// the grouping look at, so all rows of a lower group meet the same rows of
// the other input and land in the same upper group. A partial state copied
// k times by the join is merged k times, exactly as its k·n source rows
// would have been (sums and counts add, min/max ignore copies).
//
// It does not apply (each case is tested) when:
//   - R is the NULL-supplying side of an outer join (or the join is full,
//     semi or anti): padded rows would not come from R's groups;
//   - an aggregate is DISTINCT, or reads both inputs other than as
//     sum(r * s) in float64/int64, or is not MIN/MAX over the other input;
//   - a grouping item reads both inputs;
//   - a lower key column is a float used other than bare or as an operand
//     of a comparison (grouping merges -0/+0 and NaNs into one group, whose
//     representative an expression like CAST(x AS string) could tell from
//     a row's own value), or has a type that cannot be grouped, or there is
//     no lower key at all;
//   - R is already unique on its join keys or on the lower keys (a
//     previous pre-aggregation, a key column): there is nothing to reduce.
//
// Grain has no volatile expressions (random, now), so none can break the
// rewrite; a future volatile function must block it. Integer SUM may report
// ErrOverflow when a partial sum leaves int64 although the running total of
// the original order would not have; floats may round differently.
//
// When it fires: with R's estimated rows n, lower groups g (Estimates) and
// join output m, it fires when the reduction n/g reaches
// Config.PreAggMinReduction, or when the join rows it saves, m·(1 − g/n),
// are at least the n rows the partial aggregate reads (a fan-out join
// multiplies every saved row). When both inputs qualify it picks the one
// saving more. The trace notes the estimate that made it fire.
//
// An Aggregate over a Project over the Join is handled by inlining the
// projection. Run after push_down_filter (estimates are best with filters
// at the scans) and before prune_columns.
type PushAggregateBelowJoin struct{}

// Name is "push_aggregate_below_join".
func (PushAggregateBelowJoin) Name() string { return "push_aggregate_below_join" }

// Order is BottomUp.
func (PushAggregateBelowJoin) Order() Order { return BottomUp }

// Rewrite pre-aggregates one input of the join below n when it pays.
func (PushAggregateBelowJoin) Rewrite(n plan.Node, cfg *Config) (plan.Node, bool, error) {
	a, ok := n.(*plan.Aggregate)
	if !ok {
		return n, false, nil
	}
	j, groupBy, items, ok := joinBelow(a)
	if !ok {
		return n, false, nil
	}
	est := cfg.Estimates()
	var best *preAggChoice
	for side := 0; side < 2; side++ {
		sp, _ := analyzeSplit(j, groupBy, items, side)
		if sp == nil {
			continue
		}
		if c := choose(sp, est, cfg); c != nil && (best == nil || c.saved > best.saved) {
			best = c
		}
	}
	if best == nil {
		return n, false, nil
	}
	out, err := best.sp.build(a)
	if err != nil {
		if errors.Is(err, errInternal) {
			return nil, false, err
		}
		return n, false, nil // a name the rewrite cannot reference
	}
	cfg.Note("%s", best.note)
	return out, true, nil
}

// errInternal marks a rewrite that came out inconsistent: a bug.
var errInternal = errors.New("internal error")

// joinBelow returns the join under a (looking through one Project, whose
// expressions are inlined into the grouping and aggregate items).
func joinBelow(a *plan.Aggregate) (*plan.Join, []expr.Expr, []expr.Expr, bool) {
	if j, ok := a.Input.(*plan.Join); ok {
		return j, a.GroupBy, a.Aggs, true
	}
	p, ok := a.Input.(*plan.Project)
	if !ok {
		return nil, nil, nil, false
	}
	j, ok := p.Input.(*plan.Join)
	if !ok {
		return nil, nil, nil, false
	}
	s, es := p.Schema(), p.Exprs()
	inline := func(items []expr.Expr) ([]expr.Expr, bool) {
		out := make([]expr.Expr, len(items))
		for i, it := range items {
			var ok bool
			if out[i], ok = inlineItem(it, s, es); !ok {
				return nil, false
			}
		}
		return out, true
	}
	g, ok1 := inline(a.GroupBy)
	items, ok2 := inline(a.Aggs)
	return j, g, items, ok1 && ok2
}

// preAggChoice is a split that passed the cost test.
type preAggChoice struct {
	sp    *split
	saved float64 // join output rows saved
	note  string
}

// choose applies the cost test of the rule to a split.
func choose(sp *split, est *Estimates, cfg *Config) *preAggChoice {
	r := est.Of(sp.r)
	n := r.Rows
	if n <= 0 || (len(sp.rKeys) > 0 && r.isUnique(sp.rKeys)) || r.isUnique(sp.keys) {
		return nil
	}
	g := groupCount(r, sp.keys)
	red := n / g
	m := est.Of(sp.j).Rows
	saved := m * (1 - g/n)
	if red < cfg.preAggMinReduction() && saved < n {
		return nil
	}
	note := fmt.Sprintf("pre-aggregated %s: est. %s → %s rows (%s× reduction), join fan-out ×%s",
		inputName(sp), FormatCount(n), FormatCount(g), FormatRatio(red), FormatRatio(m/n))
	return &preAggChoice{sp: sp, saved: saved, note: note}
}

// inputName names R for notes: the scanned table when R is a scan (through
// filters and projections), else its side.
func inputName(sp *split) string {
	for n := sp.r; ; {
		switch x := n.(type) {
		case *plan.Scan:
			return x.Name()
		case *plan.Filter, *plan.Project:
			n = x.Children()[0]
			continue
		}
		break
	}
	return [...]string{"the left input", "the right input"}[sp.side]
}
