// Package agg implements Grain's hash aggregation (GROUP BY with COUNT, SUM,
// MIN, MAX and AVG, including their DISTINCT forms) and DISTINCT.
//
// # Shape
//
// The physical planner puts a projection below every aggregate, so group keys
// and aggregate arguments are plain input columns, named by index in a Spec.
// An aggregation runs in one of three modes:
//
//	Single:  raw rows ──► final values
//	Partial: raw rows ──► partial states ──exchange by key──► Final: states ──► final values
//
// StateFields lists the state columns of each aggregate (sum → [sum],
// count → [count], avg → [sum, count], min/max → [value]); OutputSchema gives
// the output of any mode. The optimizer's eager pre-aggregation below joins
// uses the same states: a state duplicated by a join's fan-out still merges
// correctly in the Final aggregate above it.
//
// # Execution
//
// Per input batch, all at once:
//
//  1. the hashtable.Table maps every live row's key to a dense group id
//     (hash every row, then probe);
//  2. each aggregate's accumulator folds the batch in a typed generic loop
//     over (row, group id) pairs; state lives in one Go slice per component
//     indexed by group id (sums []int64, seen []bool, ...), with no per-group
//     pointers, so GC cost stays flat as groups grow.
//
// Kernels have a dense loop (no selection vector) and a selected loop. NULL
// inputs are dropped first by a branch-free compaction when, and only when,
// the column has NULLs, so the kernels themselves never test validity. MIN
// and MAX start new groups at the identity of the fold (the greatest value
// for MIN, NaN for floats; the least for MAX), so their loops need no
// first-value test. Signed SUM checks overflow branch-free and reports it
// once per batch. All scratch buffers are reused across batches.
//
// DISTINCT aggregates (Single mode only) pass rows through a second table
// keyed by (group id, value) and fold only the rows that created a new
// entry. DISTINCT itself (NewDistinct) streams: it narrows each input batch
// to the rows with a new key, zero-copy.
//
// # Adaptive partial aggregation
//
// A Partial aggregation earns its cost only when it reduces rows before the
// exchange. Like Spark and DataFusion, it measures that: after the first
// SkipPartial.ProbeRows input rows of its partition (default 100,000) it
// compares groups ÷ rows with SkipPartial.RatioThreshold (default 0.8),
// once. At or above it, the operator outputs the groups it holds, frees its
// table and accumulators, and converts every further batch into
// partial-state rows, one per input row, without hashing:
//
//	probe window ──► aggregate ──► groups/rows ≥ threshold? ──no──► aggregate to the end
//	                                        │yes
//	                                        ▼
//	   output held groups, free state ──► per batch: keys as they are,
//	                                      sum → value (widened), count → 1/0,
//	                                      avg → (float64 value, 1/0), min/max → value
//
// Those rows are valid partial states (a group of one row), so Final merges
// them unchanged and the result is the same. Keys, min/max states and
// states of the argument's own type are the input arrays, zero-copy; the
// batch keeps its selection vector, and the exchange compacts it. The
// counters "skipped partial" (partitions that switched) and "passthrough
// rows" show the switch in EXPLAIN ANALYZE.
//
// # Semantics
//
// NULL keys form one group, as do NaNs; -0 and +0 are one key. Aggregates
// ignore NULL inputs: COUNT over nothing is 0, SUM, MIN, MAX and AVG over no
// non-NULL value are NULL. Integer SUM overflow is an error wrapping
// expr.ErrOverflow; float SUM follows IEEE (NaN propagates). MIN and MAX
// order NaN above every number (as Spark does), false before true, and
// strings and binaries bytewise. A global aggregate outputs one row even for
// empty input; a grouped one outputs no rows then.
//
// # Memory
//
// The state reserves from the query's mempool.Pool before it grows: before
// each batch the operator reserves an upper bound of what the table and
// accumulators will hold afterwards (a doubled slot array when the batch
// may cross the table's load limit, the batch's key bytes, doubled
// accumulator slices), and after the batch it settles the reservation to
// what they really hold. The aggregation cannot spill yet, so a refusal is
// returned as an error wrapping mempool.ErrMemoryLimit that names the
// "hash aggregate" consumer. The state is freed when the last batch has been
// output, and in Close.
package agg
