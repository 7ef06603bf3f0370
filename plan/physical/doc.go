// Package physical turns a logical plan into running exec operators.
//
//	plan.Node tree ──Compile──► exec.Operator tree (+ one exec.Metrics per node)
//
// For now every query runs as one partition: each logical node becomes one
// operator (or a short chain), wired bottom-up. The rules that decide the
// chains:
//
//   - Scan reads the pushed projection plus any column its pushed filters
//     need, re-applies the filters (sources treat them as hints), then drops
//     the filter-only columns.
//   - Aggregate, Join and Sort work on column indexes, so expressions they
//     need (group keys, aggregate arguments, join keys cast to their common
//     type, sort keys) are first computed by a projection that appends them
//     to the input.
//   - Limit over Sort becomes a top-k that keeps offset+count rows.
//   - Union branches whose column types differ from the union's are cast.
//
// Pass-through columns are never resolved by name: the input is relabelled
// with positional names (#0, #1, …) so duplicate names after a self-join
// cannot make a projection ambiguous. Every operator is relabelled with its
// logical node's exact schema, so expressions above resolve as the analyzer
// did.
package physical
