// Package optimize rewrites logical plans with named rules run to a
// fixpoint, estimates cardinalities, and explains both.
//
//	plan.Node ──Optimize(cfg)──► pass 1: rule 1, rule 2, … ──► pass 2 … ──► plan.Node
//	                              │ after each rule: root schema unchanged?
//	                              └─► Trace: (pass, rule, before, after, notes)
//
// # Rules
//
// A Rule has a stable snake_case Name, an Order (TopDown, BottomUp or Self)
// and a Rewrite that reports whether it changed anything. DefaultRules lists
// them in the order they run within a pass (see its documentation);
// Optimize repeats the passes until one changes nothing or
// Config.MaxPasses (3) is reached. Any rule can be disabled by name
// (Config.Disabled). Each rule lives in a file named after it and documents
// what it rewrites, why that is correct and when it does not apply.
//
//	simplify_expressions       constant folding, boolean simplification
//	eliminate_filter           Filter(true) → input, Filter(false/NULL) → empty
//	propagate_empty            empty inputs make empty results
//	merge_filters              Filter over Filter → one Filter
//	push_down_filter           predicates through projections, joins, unions,
//	                           grouping, into scans
//	merge_projections          Project over Project → one Project
//	push_down_limit            limits under projections, into unions
//	push_aggregate_below_join  eager pre-aggregation below fan-out joins
//	prune_columns              scans read only the columns the plan needs
//
// An empty result is represented by plan.NewEmpty, an ordinary Scan of a
// source without rows, so the physical planner and the reference evaluator
// need nothing new for it.
//
// # Estimates
//
// Estimates (Estimate, NewEstimates, Config.Estimates) derive row counts
// and per-column distinct counts and NULL fractions from source statistics
// (exact for in-memory tables), through every node kind; Selectivity covers
// predicates. FormatWithEstimates is EXPLAIN with estimated rows per node,
// flagging joins that multiply rows ("fan-out ×20"). The rule
// push_aggregate_below_join decides with them, and notes the numbers in the
// trace.
//
// # Errors and evaluation
//
// Rules keep the result rows, the output schema (names, types, qualifiers)
// and the errors of every expression that is still evaluated: constant
// folding never folds an operation that would fail (1/0 still raises
// expr.ErrDivideByZero at run time), and no expression that may fail
// (integer arithmetic, narrowing casts; see mayFail) is dropped from an
// evaluated position or moved to where it sees more rows. Like every SQL
// optimizer, rules may avoid computing values the result does not need:
// pruned columns, inputs of an empty result, rows beyond a limit, rows a
// predicate pushed below removes. An error those would have raised is then
// not raised. Plans never get new errors.
package optimize
