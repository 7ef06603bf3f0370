// Package parquetio reads and writes Parquet files for Grain: a data set of
// files (hive-partitioned or not) is a source.Source, and Write turns a
// stream of Arrow records into a data set.
//
// # Reading
//
//	Open(paths)                           Plan(req)                    split.Open → Reader.Next
//	───────────                           ─────────                    ────────────────────────
//	files, globs, directories             prune files by partition     per row group, per projected column:
//	  └ key=value dirs → partition cols     values, row groups by        one pread of the column chunk
//	footers (checked, then parsed)          footer min/max/nulls        checkPages (every page header)
//	  └ schema, Stats, per-chunk stats    pack row groups into         parquet-go FilePages.ReadPage
//	                                        splits (Spark's rule)       page.Data() views → Arrow buffers
//
// A Dataset keeps the footers' statistics, never open files; every split
// reopens its files and checks they did not change since Open.
//
// Decoding uses parquet-go's page API, the fast path measured in
// MACHINE-FACTS §7 (GenericReader is an order of magnitude slower). A page's
// values arrive as zero-copy views (encoding.Values: raw fixed-width
// bytes, byte arrays as data plus offsets, dictionary pages as int32
// indexes plus the dictionary's values) and typed builders copy them into
// buffers from the caller's allocator: a memmove when the Parquet and Arrow
// types share their bits, a conversion loop otherwise, a gather for
// dictionary pages. Definition levels become the validity bitmap, which
// is allocated only when a batch holds a NULL. Pages are released as soon
// as they are copied. Batches hold req.BatchSize rows (default 4096) and
// never span row groups.
//
// Each column chunk is fetched with a single read into a buffer reused
// across row groups, so parquet-go parses from memory. Its read buffer is
// therefore small (4 KiB, not the 1 MiB that suits reading from a file):
// pages larger than it bypass it. Scans measured the same with either size
// (within this machine's noise); the small one saves a MiB per open column.
//
// # Types
//
// Booleans, INT32/INT64 with or without INT(8/16/32/64, signed or
// unsigned) annotations, FLOAT, DOUBLE, DATE (date32), TIME (time32[ms],
// time64[us|ns]), TIMESTAMP in milliseconds, microseconds or nanoseconds
// (timestamp with that unit; time zone "UTC" when isAdjustedToUTC, none
// otherwise), INT96 (timestamp[ns, UTC]), BYTE_ARRAY (string when annotated
// STRING/UTF8/ENUM/JSON, binary otherwise) and FIXED_LEN_BYTE_ARRAY (binary),
// required or optional, plain or dictionary encoded.
//
// DECIMAL columns (on INT32, INT64, BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY) read
// as float64: unscaled / 10^scale, exact up to 2^53 before the division
// and within a few ulps beyond. Grain's kernels do not handle decimal128
// yet; float64 keeps decimal data usable at the price of exactness, so
// money columns should be compared with a tolerance.
//
// Nested columns (lists, structs, maps) appear in the schema with their
// Arrow type, and planning a scan that projects one fails with an error
// wrapping ErrUnsupportedType that names the column; scans that leave it
// out work.
//
// # Data sets
//
// Directories are searched recursively; names starting with '.' or '_'
// (unless they contain '=') are skipped, as Spark skips _SUCCESS and
// _temporary. Path segments key=value become partition columns after the
// data columns, typed int64 when every value parses as one, else string
// (ReadOptions.PartitionTypes overrides), with __HIVE_DEFAULT_PARTITION__
// as NULL. Files may order their columns differently; with UnifyByName
// they may also have different columns (missing ones read as NULL).
// Conflicting types or layouts wrap ErrSchemaMismatch and name the files.
//
// # Pruning
//
// Pushed filters are hints (source.ScanRequest): whatever is not
// understood prunes nothing, so pruning is never wrong. Understood are
// column op literal with = != < <= > >= (either side), IN lists, IS [NOT]
// NULL, and AND/OR of those; BETWEEN arrives as two comparisons. They are
// evaluated against partition values (a file whose values exclude every
// match is skipped without opening it) and against row-group statistics.
// Comparisons run in the type the executor promotes both sides to
// (expr.CommonType), so the bounds stay valid. A row group whose column is
// entirely NULL fails every comparison. Because Grain orders NaN above all
// numbers and Parquet statistics leave NaN out, float columns are never
// pruned by >, >= or !=. The deprecated min/max fields are used only for
// signed sort orders, and a null count of zero is believed only when the
// statistics also hold bounds (thrift cannot tell an absent count from 0).
// The page index is not used yet.
//
// # Statistics
//
// Stats holds what the footers say: rows, compressed bytes, and per column
// the NULL count and min/max (merged over row groups; unknown when a row
// group lacks them). Partition columns get exact NULL and distinct counts
// from the partition values.
//
// Distinct counts of data columns, which the optimizer needs for join
// fan-out and group counts, are not in footers (the optional
// distinct_count field is almost never written), so the first Stats call
// estimates them from a sample, read through the scan path (splits and
// readers, with every check of "Damaged files" below) and cached:
//
//	row groups in scan order: ▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮▮
//	sampled (B = 8 here):        ▲    ▲    ▲    ▲    ▲    ▲    ▲    ▲    the middle of B equal strata
//	from each, its first 128K/B rows → one segment of a sketch.Sample per column
//
// At most 128K values are decoded per column. B is at least 8 row groups
// (or all of them) and grows up to 64 when row groups are small, so that
// the budget is filled from many places; each sampled row group costs a
// fetch of its whole column chunk, which is why large row groups are
// sampled only 8 times. A data set of at most 128K rows in at most 64 row
// groups is therefore read whole and its counts are exact (up to 64-bit
// hash collisions). Columns are sampled 8 at a time, so that the exact
// frequency tables (up to 4 MiB per column) stay under 32 MiB; every pass
// reopens the sampled files. The sample's reads are counted apart from
// scans (Counters.Sample*).
//
// sketch.Sample turns a column's sample into an estimate (its comment has
// the formulas): PostgreSQL's Duj1 estimator when the sample's frequencies
// look uniform, Shlosser's when they are skewed, plus a correction for
// sorted or clustered columns, whose values stay inside one segment and
// are therefore extrapolated to the unsampled rows; a sample without a
// repeated value estimates every row distinct, as PostgreSQL does. A
// sample from a single row group is cut into 8 segments, so that
// clustering still shows. The footers then bound the estimate: it is at
// least the number of distinct row-group min/max values (each is a value
// of the column; byte arrays are left out because writers may truncate
// their bounds), which catches sorted columns whose values change at row
// group boundaries, and at most max − min + 1 for integers, dates, times
// and timestamps. With at most 128K values per column, an exact frequency
// table costs little and keeps what the estimators need (how many values
// were seen once, twice…), which HyperLogLog cannot; in-memory tables,
// counted over all their rows, use HyperLogLog (sketch.Distinct).
//
// Measured (TestStatsDistinct*, BenchmarkStatsDistinct, sketch tests):
// with the sample shrunk to 8% of duckdb_sorted_100k, the key and the
// sorted date are exact and a 1,000-value column 1.5% high; at 41% of
// duckdb_types, 15 of 16 columns are within 1.1% and a string column
// mixing unique values with a 1,000-row cycle 13% low; at 5% of a 300K-row data
// set, the key, a 5-value column and a sorted date are exact and a uniform
// 30K-value column 9% low. On synthetic columns sampled at 12.5%, keys and
// run-length columns are within 4%, uniform high-cardinality ones 4–20%
// low (Duj1's known bias), Zipf ones 8–16% high. A column that repeats
// with a period the sample cannot see (a value cycle aligned with the row
// groups) can be off by a factor of 2 or more. On the 10M-row benchmark
// set (1.6% sampled) the first Stats call takes about 35 ms and fetches
// 12 MiB; the key, a random double and a 16-value string are exact, a
// date sorted in runs of 10,000 rows 23% low (few value changes are seen,
// so that estimate is noisy); on 10,000 files of 1,000 rows all four are
// exact, in about 37 ms. A column
// whose sample cannot be read (a damaged or changed file) keeps
// DistinctCount -1; Stats never fails.
//
// # Splits
//
// A split is a list of row groups read by one task. Row groups are packed
// in file order, next-fit, into splits of at most
// min(MaxSplitBytes, max(OpenCostBytes, projected bytes / Parallelism))
// bytes of projected compressed data, each file a split touches costing
// OpenCostBytes more: Spark's maxPartitionBytes/openCostInBytes rule, so
// 10,000 tiny files make a few dozen tasks while a single large file still
// spreads over every core (a row group is never cut).
//
// # Damaged files
//
// Every call into parquet-go that parses file contents runs behind a
// recover boundary (guard) that turns a panic into a CorruptError, which
// wraps ErrCorruptFile and carries the path. Size claims are checked
// before anything is allocated from them, because parquet-go trusts them:
// the footer length against the file size; the footer's thrift encoding
// by a non-allocating walk that rejects list and string lengths larger
// than the bytes that remain (checkThrift); column chunks against the
// data area; row counts against what chunks of that size can hold; every
// page header against its chunk and row group; snappy and zstd blocks
// (and large gzip streams) against the page's announced size
// (checkPages). Brotli, LZ4_RAW and the deprecated LZ4/LZO codecs wrap
// ErrUnsupportedType: parquet-go's decoders for them either grow without
// bound or, for LZ4_RAW, can return a page that does not hold the
// decoded bytes (see prescan.go). A scan that decodes no column (COUNT(*)) still
// checks the pages of the row group's smallest chunk, so a footer cannot
// make it return rows the file does not hold. Dictionary indexes, level
// values and value counts are checked while decoding. FuzzReadParquet
// exercises all of it.
//
// # Writing
//
// Write stores each column with parquet-go's column writers (strings and
// binary dictionary encoded, falling back to plain past 1 MiB of
// dictionary), a row group every RowGroupRows rows (122,880 by default:
// parquet-go's default of one row group per file would leave one task per
// file), min/max/null-count statistics and a page index, and Snappy by
// default. Seconds-resolution times and timestamps are stored in
// milliseconds (Parquet has no seconds unit); time zones other than UTC
// read back as UTC.
//
// Writes are atomic: files are written under dir/_temporary/<write id>/
// and renamed into place only after the input is exhausted and every
// footer is written. A failed or cancelled write removes its staging
// directory (and dir, if the write created it). Overwrite deletes the old
// files only after the new ones are in place; ErrorIfExists (the default,
// as in Spark) fails with ErrPathExists, Ignore returns without consuming
// the input, Append adds files with fresh names.
//
// Partition values become key=value directories with Hive's escaping
// (control characters, DEL and " # % ' * / : = ? \ { [ ] ^ as %XX), plus
// the bytes of invalid UTF-8, a leading '.' in a column name, and the
// first '_' of a value equal to __HIVE_DEFAULT_PARTITION__; NULL is
// __HIVE_DEFAULT_PARTITION__ and the empty string an empty value. Every
// segment therefore contains '=' and no '/', so no value can name a
// parent directory or leave dir, and every value reads back as itself.
//
// # Not yet
//
// Page-index pruning, nested types, decimal128 output, brotli and LZ4
// pages, and batches that span row groups (tiny files give small batches).
package parquetio
