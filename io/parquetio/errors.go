package parquetio

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers check them with errors.Is; CorruptError carries
// the path of a damaged file and is reachable with errors.As.
var (
	// ErrCorruptFile reports a file that is not valid Parquet: truncated,
	// damaged, not Parquet at all, or with metadata that contradicts itself.
	ErrCorruptFile = errors.New("corrupt parquet file")
	// ErrUnsupportedType reports a column whose type Grain cannot read or
	// write (nested lists, structs and maps, intervals, ...).
	ErrUnsupportedType = errors.New("unsupported parquet type")
	// ErrSchemaMismatch reports files of one dataset whose columns do not
	// agree, or a partition layout that differs between files.
	ErrSchemaMismatch = errors.New("parquet schema mismatch")
	// ErrNoFiles reports paths that match no data file.
	ErrNoFiles = errors.New("no parquet files")
	// ErrPathExists reports a write in ErrorIfExists mode to a directory
	// that already holds data.
	ErrPathExists = errors.New("output path already exists")
	// ErrBadPartition reports a partition directory or value that cannot be
	// parsed as the partition column's type.
	ErrBadPartition = errors.New("bad partition value")
)

// CorruptError describes a damaged file. It unwraps to ErrCorruptFile and
// to the underlying cause.
type CorruptError struct {
	Path string // the file
	Err  error  // what is wrong
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt parquet file %s: %v", e.Path, e.Err)
}

// Unwrap returns ErrCorruptFile and the cause.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorruptFile, e.Err} }

// corrupt builds a CorruptError for path.
func corrupt(path string, format string, args ...any) error {
	return &CorruptError{Path: path, Err: fmt.Errorf(format, args...)}
}

// asCorrupt wraps err as a CorruptError for path unless it already is one;
// an unsupported type gets the path in its message instead.
func asCorrupt(path string, err error) error {
	var ce *CorruptError
	switch {
	case err == nil || errors.As(err, &ce):
		return err
	case errors.Is(err, ErrUnsupportedType):
		return fmt.Errorf("%s: %w", path, err)
	}
	return &CorruptError{Path: path, Err: err}
}
