package source

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
)

// Source is something a query scans. Implementations are immutable and safe
// for concurrent use.
type Source interface {
	// Name identifies the source in EXPLAIN output ("memory", a path…).
	Name() string
	// Schema is the full schema of the source, before projection.
	Schema() *arrow.Schema
	// Stats returns what is known about the data without reading it.
	Stats() Stats
	// Splits plans the scan: the columns to read and the filters the
	// source may use to skip data. Each split is read by one task.
	Splits(ctx context.Context, req ScanRequest) ([]Split, error)
}

// ScanRequest is what the planner pushes into a scan.
type ScanRequest struct {
	// Columns are the indexes (into Source.Schema) of the columns to read,
	// in output order. Nil means every column.
	Columns []int
	// Filters are conjuncts over Source.Schema column names that rows must
	// satisfy; a source may use them to prune data it can prove does not
	// match. They are hints: the executor re-applies them.
	Filters []expr.Expr
	// BatchSize is the target number of rows per record.
	BatchSize int
}

// Split is one independent unit of a scan.
type Split interface {
	// Open starts reading the split. Records are allocated from mem (or,
	// for in-memory data, shared zero-copy). The caller closes the Reader.
	Open(ctx context.Context, mem memory.Allocator) (Reader, error)
	// Rows estimates the number of rows the split holds (-1 if unknown).
	Rows() int64
	// String describes the split for EXPLAIN ANALYZE and errors.
	String() string
}

// Reader streams the records of one split.
type Reader interface {
	// Next returns the next non-empty record, or io.EOF. The caller owns
	// the record and must Release it.
	Next(ctx context.Context) (arrow.Record, error)
	// Close releases the reader's resources; it is idempotent.
	Close() error
}

// Stats is what a source knows about its data without reading it. Unknown
// numbers are -1.
type Stats struct {
	Rows    int64
	Bytes   int64
	Columns []ColumnStats // one per schema field, or nil when unknown
}

// ColumnStats describes one column. Min and Max hold Go values of the kind
// expr.Literal uses (nil when unknown).
type ColumnStats struct {
	NullCount     int64
	DistinctCount int64
	Min, Max      any
}

// UnknownStats returns Stats with every number unknown.
func UnknownStats() Stats { return Stats{Rows: -1, Bytes: -1} }
