// Package plan holds Grain's logical plan: one Go type per relational
// operator, an analyzer built into their constructors, and the EXPLAIN text.
//
// A logical plan is a tree of immutable Node values. Every constructor
// (NewScan, NewProject, NewFilter, NewAggregate, NewJoin, NewSort, NewLimit,
// NewDistinct, NewUnion) is the analyzer for its node kind: it resolves the
// column references of its expressions against its inputs' schemas, checks
// their types, and computes the output schema once. A Node that exists is
// therefore valid; rewrites go through WithChildren, which validates again.
//
//	frame.DataFrame ──► plan.New*(…) ──► Node tree ──► plan/optimize ──► plan/physical
//	                     (resolve, type,        │
//	                      schema, errors)       └──► Format (EXPLAIN, golden files)
//
// # Schemas and qualifiers
//
// Output fields carry the name of the relation they come from in their
// metadata (expr.QualifierKey): a Scan with an alias qualifies its fields,
// Project and Aggregate keep the qualifier of a bare column and drop it for
// computed or renamed columns, and Join concatenates both sides, so "f.grp"
// and "d.grp" stay distinguishable while a bare "grp" is ambiguous
// (expr.ErrAmbiguousColumn).
//
// # Errors
//
// Constructors return errors prefixed with the node kind ("filter: …") that
// wrap either an expr sentinel (expr.ErrUnknownColumn with suggestions,
// expr.ErrAmbiguousColumn, expr.ErrType naming the expression) or
// ErrInvalidPlan for structural problems: an aggregate in a filter, a wrong
// number of children, a negative offset.
//
// # Casts the physical planner inserts
//
// Union promotes each column to the common type of its inputs
// (expr.CommonType). The logical Union only records the promoted output type;
// the physical planner casts every branch whose column type differs
// (Union.CastColumns lists them). Likewise Join keys of different but
// compatible types are compared in their common type.
//
// # Walking and rewriting
//
// Inspect, Transform and TransformDown visit and rebuild trees as
// expr.Inspect and expr.Transform do for expressions. Transform returns its
// argument itself when nothing changed, so optimizer rules can report
// "changed" by pointer comparison.
package plan
