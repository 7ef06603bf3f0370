package exec

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
)

// Operator is one running step of a task's pipeline: a pull-based iterator
// over batches.
//
// Call order: Open once, then Next until it returns io.EOF or an error, then
// Close. Close is idempotent and safe when Open was never called or failed; it
// releases every batch, reservation, goroutine and file the operator holds.
//
// Next returns a batch with at least one live row, or io.EOF at the end. The
// caller owns the returned batch and must Release it. Errors other than io.EOF
// are final: the caller stops calling Next and calls Close.
//
// Concurrency: an Operator is used by one goroutine at a time. Operators check
// ctx.Err() once per batch (not once per row) and return it promptly.
type Operator interface {
	// Schema is the schema of every batch Next returns. It is fixed at
	// construction.
	Schema() *arrow.Schema
	// Open prepares the operator and its inputs. Blocking operators (hash
	// build, sort) may consume their input here or on the first Next.
	Open(ctx context.Context) error
	// Next returns the next non-empty batch, or io.EOF.
	Next(ctx context.Context) (Batch, error)
	// Close releases all resources. It returns the first error from closing
	// inputs, if any.
	Close() error
}

// Selector narrows a batch's selection to the rows that satisfy a predicate.
// SQL semantics apply: rows where the predicate is NULL are dropped.
//
// Select returns the new selection vector (increasing row indexes into
// b.Rec, a subset of the batch's live rows). The returned slice may be a
// buffer reused by the Selector on the next call; it may also alias b.Sel.
// A Selector is used by one goroutine at a time.
type Selector interface {
	Select(ctx context.Context, b Batch) ([]int32, error)
}
