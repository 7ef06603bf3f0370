package parquetio

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// Defaults of ReadOptions and WriteOptions.
const (
	// DefaultMaxSplitBytes is Spark's spark.sql.files.maxPartitionBytes.
	DefaultMaxSplitBytes = 128 << 20
	// DefaultOpenCostBytes is Spark's spark.sql.files.openCostInBytes.
	DefaultOpenCostBytes = 4 << 20
	// DefaultRowGroupRows is the row-group size Write uses: 30 batches of
	// 4096 rows, small enough that a file of a few million rows still gives
	// every core a row group to read.
	DefaultRowGroupRows = 122880
	// DefaultBatchSize is the number of rows per record when a ScanRequest
	// leaves BatchSize at zero.
	DefaultBatchSize = 4096
)

// ReadOptions configure Open.
type ReadOptions struct {
	// Schema is an optional explicit schema: data columns (looked up by name
	// in every file) followed by or mixed with partition columns. Without
	// it, the schema is the first file's columns (in file order), then
	// columns first seen in later files (UnifyByName), then partition
	// columns in directory order.
	Schema *arrow.Schema
	// UnifyByName lets files have different column sets: the dataset has
	// the union of the columns by name and a file missing a column reads
	// it as NULL. Without it a file whose columns differ from the first
	// file's is an error wrapping ErrSchemaMismatch. Column order may differ
	// between files either way; types must agree.
	UnifyByName bool
	// PartitionTypes fixes the types of hive partition columns by name.
	// Columns not listed are int64 when every value parses as one, string
	// otherwise. __HIVE_DEFAULT_PARTITION__ is NULL.
	PartitionTypes map[string]arrow.DataType
	// MaxSplitBytes is the target compressed size of the projected columns
	// per split (default DefaultMaxSplitBytes). Row groups are never cut.
	MaxSplitBytes int64
	// OpenCostBytes is the cost, in bytes, charged for each file a split
	// opens (default DefaultOpenCostBytes), so tiny files pack together.
	OpenCostBytes int64
	// Parallelism is the number of tasks expected to read the dataset
	// (default GOMAXPROCS). As in Spark, a split never targets more than
	// the projected bytes divided by Parallelism, so a small dataset still
	// spreads over every core when its row groups allow it.
	Parallelism int
}

// Compression is the codec Write uses for pages.
type Compression uint8

// Compression codecs.
const (
	Snappy Compression = iota // fast, the default (as in Spark)
	Zstd                      // about a quarter smaller, about 1.3x slower to read
	Uncompressed
)

func (c Compression) String() string {
	switch c {
	case Snappy:
		return "snappy"
	case Zstd:
		return "zstd"
	case Uncompressed:
		return "uncompressed"
	}
	return "unknown"
}

// SaveMode says what Write does when the output directory already holds
// data, with Spark's meanings.
type SaveMode uint8

// Save modes.
const (
	// ErrorIfExists fails with ErrPathExists when dir holds any entry.
	ErrorIfExists SaveMode = iota
	// Overwrite replaces the data in dir once the new data is complete.
	Overwrite
	// Append adds new files next to the existing ones.
	Append
	// Ignore writes nothing (and does not consume the input) when dir
	// holds any entry.
	Ignore
)

func (m SaveMode) String() string {
	switch m {
	case ErrorIfExists:
		return "error-if-exists"
	case Overwrite:
		return "overwrite"
	case Append:
		return "append"
	case Ignore:
		return "ignore"
	}
	return "unknown"
}

// WriteOptions configure Write.
type WriteOptions struct {
	// PartitionBy names columns whose values become hive-style key=value
	// directories; these columns are not stored in the files.
	PartitionBy []string
	// TargetRows caps the rows per file (0: unlimited).
	TargetRows int64
	// TargetBytes caps the approximate bytes per file (0: unlimited); the
	// estimate counts encoded, not yet compressed, data, so files come out
	// at or below the target.
	TargetBytes int64
	// RowGroupRows is the number of rows per row group (default
	// DefaultRowGroupRows).
	RowGroupRows int64
	// Compression is the page codec (default Snappy).
	Compression Compression
	// Mode is what to do when dir already holds data (default
	// ErrorIfExists).
	Mode SaveMode
}

// WriteResult describes the files a successful Write produced.
type WriteResult struct {
	Files []string // final paths, in creation order
	Rows  int64    // rows written
	Bytes int64    // total size of the files
}
