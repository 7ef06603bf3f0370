// Package join implements Grain's joins: the hash join for every join type
// (Inner, Left, Right, Full, Semi, Anti) and the cross join, and the
// sort-merge join for the same equi-join types.
//
// The build side and the probe side are separate so that one build table
// can serve many probe tasks (a broadcast hash join):
//
//	right input ──Build──► *Table (immutable, reference counted, shared)
//	                          │ hashtable.Table: key → group id
//	                          │ CSR offsets: group g = positions offsets[g]..offsets[g+1]
//	                          │ payload: build columns copied into CSR order
//	                          ▼
//	left input[p] ──NewProbe──► probe operator[p] ──► joined batches
//
// NewHashJoin wires the two together for a single task: it builds on Open
// and owns the table.
//
// # Why this layout
//
// Probing maps each probe key to a group id with one batched hash-then-probe
// lookup (hashtable.Prober, one per probe operator, so concurrent probes
// share nothing mutable). Output is then a pure gather: the left columns by
// probe row, the right columns by CSR position, both with exec.Take. Copying
// the build columns into group order once at build time makes that gather
// read contiguous runs, which measured 1.5-2x faster than gathering through
// row ids (MACHINE-FACTS.md §5). When the build keys are unique and arrive
// in first-seen order the rows are already in group order and the copy is
// skipped.
//
// Semi and Anti joins without a residual never build pairs: the probe batch
// itself is emitted with a narrower selection vector (no gather at all), and
// NewHashJoin builds a keys-only table that keeps no right columns.
//
// # Semantics
//
// SQL semantics, checked against a nested-loop oracle: a row with a NULL in
// any key column matches nothing unless Spec.NullsEqual; Left and Full emit
// unmatched left rows with a NULL right side; Right and Full emit the
// unmatched build rows (NULL keys included) with a NULL left side after the
// left input ends; Semi emits a left row once if it has a match; Anti emits
// the left rows without one (NOT EXISTS: NULL-key rows included). A
// residual predicate (Spec.Residual) is part of the match condition, as in
// an ON clause. Output batches never exceed the Env's batch size: a probe
// row with a large fan-out continues in the next batch.
//
// # Sort-merge join
//
// NewSortMergeJoin joins inputs that both arrive sorted on their keys
// (ascending, NULLs last: SortKeys; the planner puts order.NewSort below
// each side) by walking them in step, so it holds no hash table: only the
// current left batch and the current run of equal right keys, copied only
// when it crosses a right batch boundary.
//
//	left (sorted)  ─► left batch ──┐ order.Comparator: left row vs run key
//	                               ├─► <: left row unmatched   >: next run
//	right (sorted) ─► run of equal ┘   =: pairs ─► exec.Take ─► residual ─► batch
//	                  right keys        finished right batches ─► unmatched right rows
//
// Its semantics, output schema and metrics counters are the hash join's;
// the tests check both against the same nested-loop oracle and against
// each other. Keys compare through order.Comparator, whose equality is
// the hash table's (NaN = NaN, -0 = +0). It suits inputs that are already
// sorted, build sides too large for memory (a run is the unit of memory,
// not the whole side), and Right/Full joins whose preserved side must not
// be built.
//
// # Memory and metrics
//
// The build reserves every byte it keeps, before allocating it, under the
// consumer "hash join build"; a refusal is an error wrapping
// mempool.ErrMemoryLimit. Right and Full probes also reserve their bitmap
// of matched build rows ("hash join probe"). The sort-merge join reserves
// its copied runs ("sort-merge join"). Metrics counters: "build rows"
// (right rows), "probe rows" (left rows) and "output rows" (fan-out =
// output ÷ probe), plus the peak reservation.
package join
