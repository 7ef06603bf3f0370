// Package eval compiles expressions (package expr) into vectorized
// evaluators and provides the Filter and Project operators.
//
// # Compilation
//
// Compile type-checks an expression against the input schema and builds a
// tree of nodes, one per expression node, plus implicit casts where operand
// types are promoted (expr.CommonNumeric for arithmetic, expr.CommonType for
// comparisons, IN, CASE and COALESCE). Casts of literals are folded at
// compile time. Columns are resolved once with expr.Resolve.
//
//	expr.Expr ──Compile──► node tree ──Eval(batch)──► vec per node ──► arrow.Array
//	                                 └─where(batch)──► selection vector (Filter)
//
// # Evaluation
//
// A node evaluates over the live rows of a batch (the selection vector, or
// every row) and returns a vec: a scalar, or one slot per physical row with
// a validity bitmap. Only live slots are meaningful; others hold garbage.
// Kernels are generic loops over typed slices (Int64Values-style views of
// the Arrow buffers), each with a dense loop (Sel == nil) and a selected
// loop, and vector-vector, vector-scalar and scalar-vector forms where
// literals are common. Validity work is skipped for columns without NULLs.
// There are no per-row interface calls or allocations in the numeric
// kernels; strings are processed as Arrow offsets and bytes.
//
// Inputs are zero-copy: numeric, date, timestamp and string columns are
// read in place; only booleans (unpacked to one byte per row) and large
// strings (offsets narrowed to int32) are converted. Intermediate results
// live in buffers each node owns and reuses from batch to batch; the root
// node writes its fixed-width result directly into a buffer from the
// caller's allocator, which becomes the result array's buffer. A bare
// column is returned as the input array itself.
//
// # Errors only for live rows
//
// Integer overflow (expr.ErrOverflow) and integer division by zero
// (expr.ErrDivideByZero) are raised only for live, non-NULL rows: loops
// accumulate a branch-free "suspect" flag over the rows they compute, and
// only when it is set the kernel is re-run on the valid live rows to
// decide. A zero divisor in a NULL slot is replaced by 1 so it never traps.
// AND/OR, CASE and COALESCE evaluate their later operands only on the rows
// that need them (AND: left not FALSE; OR: left not TRUE; CASE: rows no
// earlier condition took; COALESCE: rows still NULL), so `CASE WHEN b <> 0
// THEN a / b END` never fails. A node is never run on zero live rows.
// Run-time errors name the expression: "evaluate a / b: division by zero".
//
// The semantics are exactly those of the row-at-a-time oracle in
// internal/reference (see its package documentation): NaN equals NaN and
// sorts above every other float (Spark), -0 equals +0, strings compare
// bytewise, casts to and from strings use the formats documented there.
// A differential test and FuzzEval compare both on random expressions.
//
// # Filter, Project, Selector
//
// NewFilter narrows selection vectors with branch-free kernels: a
// comparison of a column with a literal or another column writes the
// selection directly, and AND feeds the rows where its left side is TRUE to
// its right side. Batches with no surviving row are skipped; batches with
// fewer than 1/8 of their rows live are compacted with exec.Compact.
// NewProject evaluates one Evaluator per output column and keeps the input
// selection. NewSelector exposes the filter kernel for join residuals.
//
// An Evaluator keeps scratch buffers and is used by one goroutine at a
// time; operators compile their own.
package eval
