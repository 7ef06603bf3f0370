// Package order runs ORDER BY: an in-memory sort, a k-way merge of sorted
// partitions, a top-k for ORDER BY … LIMIT k, and LIMIT/OFFSET itself.
//
// # Operators
//
//   - NewSort buffers its whole input and emits it ordered, in batches of
//     Env.BatchSize rows. It is a pipeline breaker and reserves what it holds
//     under the spillable consumer "sort".
//   - NewMerge merges inputs that are each already in that order into one
//     ordered stream (the sort-preserving merge of a global ORDER BY: sort
//     every partition in parallel, then merge), holding one batch per input
//     under the consumer "merge".
//   - NewTopK (and NewTopKOffset) emit only the first k rows of that order,
//     holding about 2·k rows plus a batch, never the whole input.
//   - NewLimit skips and keeps rows in input order without copying, and stops
//     pulling its input once it has enough.
//
// # Order
//
// Keys compare left to right, each ascending or descending, with NULLs first
// or last independently of the direction. Floats follow Spark: -0 equals +0,
// NaNs are all equal and greater than every other value. Strings and binary
// compare bytewise, false sorts before true, dates and timestamps by their
// integer encodings. Every sort is stable: rows with equal keys keep their
// input order, so results do not depend on batch sizes or selection vectors.
// The oracle in internal/reference implements the same order row by row.
//
// # How a sort runs
//
//	Next ─► pull batch ─► reserve live bytes ─► compact (exec.Compact) ─► buffer chunks
//	          ▲                                                              │ EOF
//	          └──────────────────────────────────────────────────────────────┤
//	                                                                         ▼
//	  concat chunks into one record (column by column: one extra column at a time)
//	                                                                         ▼
//	  entries (rank, prefix, row) of the first key ─► LSD radix sort ─► typed tie-break
//	                                                                         ▼
//	  run: record + permutation ─► exec.TakeRecord, BatchSize rows per output batch
//
// The first key is normalized once per sort: each row becomes a 16-byte
// entry holding its NULL rank, a 64-bit prefix whose unsigned order is the
// key's order (sign bit flipped for integers, IEEE bits flipped for floats
// with -0 and NaN canonicalized, the first 8 bytes of strings, all bits
// inverted for a descending key) and its row index. A stable radix sort
// orders the entries by (rank, prefix), skipping bytes that never vary.
// Runs of equal (rank, prefix), if any, are ordered by typed comparers built
// once per sort over the concatenated columns (generic over the value
// slices, no Arrow interface call per row): the full first key when its
// prefix is inexact (strings), then the other keys, then the row index.
//
// # Comparing rows across records
//
// Comparator exposes the same order to code that compares rows of
// different records: it keeps one slot per record (a merge input, a join
// side), normalizes the first key of each slot's rows into the sort's
// (rank, prefix) entries once per batch, and compares the other keys with
// the same typed comparers the sort's tie-break uses. The merge caches the
// current row's entry of each input, so a match of its loser tree is
// usually two integer comparisons:
//
//	input 0 ─┐                                       ┌─► chunk of input 0's batch ─┐
//	input 1 ─┼─► loser tree (log2 k matches per row) ┼─► chunk of input 1's batch ─┼─► concat ─► exec.Take ─► batch
//	input 2 ─┘   ties: typed keys, then input index  └─► copied chunk (batch ended) ┘
//
// The join package's sort-merge join compares its two sides through a
// Comparator too, so its key equality is the sort's: NULL equals NULL
// (the join decides what a NULL key means), all NaNs are equal and -0
// equals +0, as in exec/hashtable.
//
// Top-k uses the same sorter on its bounded buffer: when the buffer reaches
// twice the limit it sorts and keeps the first limit rows, whose last row
// becomes a boundary; incoming rows whose first-key (rank, prefix) sorts
// after the boundary's are dropped before they are copied.
//
// # Memory
//
// Bytes are reserved before they are held: each batch's live bytes before
// compaction, the sort scratch (two entry buffers, the permutation, one
// column's worth for concatenation) before sorting. A refusal returns an
// error wrapping mempool.ErrMemoryLimit that names the consumer. The
// buffer is the run builder of the external sort to come: there a refusal
// will sort the buffer into a run, spill it and retry, and the output will
// k-way merge the runs (run.go holds the in-memory run that merge will
// consume beside runs read back from disk).
//
// # Placement of limit
//
// NewLimit uses nothing of this package but ErrInvalidLimit; it lives here
// because ORDER BY and LIMIT are planned together. exec's documentation
// lists limit among the core streaming operators, and the operator can move
// there unchanged.
package order
