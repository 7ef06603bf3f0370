package optimize

import "github.com/grainql/grain/plan"

// Order says how the optimizer applies a rule to a plan.
type Order uint8

// Rule orders.
const (
	// TopDown calls Rewrite on every node, parents before children; after a
	// rewrite the walk continues into the children of the node returned.
	TopDown Order = iota
	// BottomUp calls Rewrite on every node, children before parents.
	BottomUp
	// Self calls Rewrite once, on the root; the rule walks the tree itself.
	Self
)

// Rule is one named, stateless rewrite of logical plans.
//
// Rewrite returns the replacement for n (n itself when nothing applies) and
// whether it changed anything; changed must be false whenever out == n, as
// the optimizer stops iterating when a whole pass changes nothing. The
// replacement must produce the same rows as n (up to row order where n has
// no Sort) with the same output column names, types and qualifiers. cfg is
// the optimizer's configuration; rules read thresholds from it, estimate
// cardinalities with cfg.Estimates and explain decisions with cfg.Note.
//
// An error aborts the optimization: rules return one only when the plan
// cannot be rewritten consistently (a bug), never to say "does not apply".
type Rule interface {
	// Name is the rule's stable snake_case identifier, as Config.Disabled
	// and traces use it.
	Name() string
	// Order is how the optimizer walks the plan for this rule.
	Order() Order
	// Rewrite rewrites one node (TopDown, BottomUp) or the whole plan (Self).
	Rewrite(n plan.Node, cfg *Config) (out plan.Node, changed bool, err error)
}

// DefaultRules returns the rules Optimize runs, in order. Each pass runs
// them all:
//
//  1. simplify_expressions folds constants so that
//  2. eliminate_filter can drop filters that are always true and replace
//     those that are never true with an empty relation, which
//  3. propagate_empty spreads upwards;
//  4. merge_filters and merge_projections combine adjacent nodes;
//  5. push_down_filter moves predicates towards the scans and into them,
//  6. push_down_limit moves limits under projections and into unions;
//  7. push_aggregate_below_join pre-aggregates below fan-out joins, using
//     estimates that are best once filters sit at the scans;
//  8. prune_columns runs last, so the scans read only the columns the
//     final shape of the plan needs.
func DefaultRules() []Rule {
	return []Rule{
		SimplifyExpressions{},
		EliminateFilter{},
		PropagateEmpty{},
		MergeFilters{},
		PushDownFilter{},
		MergeProjections{},
		PushDownLimit{},
		PushAggregateBelowJoin{},
		PruneColumns{},
	}
}
