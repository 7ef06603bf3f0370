// Package spill is Grain's on-disk batch format: operators that run out of
// memory (shuffle blocks, sort runs, aggregation partitions) write Arrow
// record batches to a temporary file with a Writer and stream them back with
// a Reader.
//
// # Why not Arrow IPC
//
// A spill file is written and read by the same process within one query, so
// it needs no schema message, no flatbuffers metadata, no alignment to
// 64 bytes and no compression. The format is a raw dump of each column's
// buffers behind a small header. BenchmarkFormat (64K-row batches of one
// int64, float64 or string column, 16 per file, hot page cache, medians of
// five runs on the shared 2-core reference machine) measured:
//
//	          write MB/s      read MB/s
//	          spill   IPC     spill   IPC
//	int64     2050    2470     5980   1490
//	float64   1980    1540    11570    930
//	string    2180     980     2950    810
//
// Writes are bound by the write system call either way; reads are 3–12×
// faster because a batch is one read into one allocation (recycled from the
// previous batch) that its buffers slice, with no metadata to decode. The
// machine is shared and the spread between runs is large (reads of the raw
// format reach 10–19 GB/s when it is quiet); re-measure before relying on
// the exact numbers. Compression does not pay on numeric spill data
// (MACHINE-FACTS.md §8) and is not used.
//
// # Layout
//
// A file is a sequence of batches; each batch is self-describing:
//
//	offset  size  field
//	0       4     magic "GRSP"
//	4       2     version (1)
//	6       2     number of columns c
//	8       8     rows
//	16      8     body bytes (after the column table)
//	24      4     CRC-32C of header and column table (this field zeroed)
//	28      4     reserved
//	32      40·c  column table: type id (4), reserved (4), null count (8),
//	              byte lengths of buffers 0, 1, 2 (8 each)
//	…       body  buffers in column order, each zero-padded to 8 bytes
//
// Buffers are validity (absent when the column has no nulls), then values
// (fixed-width values, boolean bits, or string offsets), then string bytes.
// Arrays with a non-zero offset are written as if they were not sliced:
// bitmaps are shifted to bit 0 and string offsets rebased to 0, so a slice
// round-trips to the same values.
//
// # Integrity
//
// The reader trusts nothing it reads: a file shorter than its File, a batch
// overrunning its Section, a bad magic or header checksum, buffer lengths
// that do not match the row count, string offsets that decrease or leave the
// value bytes, a null count that disagrees with its bitmap, or a column type
// other than the schema's each return an error wrapping ErrCorruptSpill,
// never a panic. Only the header is checksummed: a CRC over the body would
// halve hot read throughput (CRC-32C runs at ~10 GB/s here), and the
// structural checks already keep corrupt bytes from reaching out-of-range
// memory. A flipped bit inside values goes unnoticed, as in Spark's
// unchecked shuffle files.
//
// # Files and sections
//
// One file can hold the data of many consumers: a writer marks Positions
// before and after each consumer's batches, Between turns them into a
// Section, and OpenSection reads just that run (concurrently with other
// sections of the same file). The shuffle writes one file per spill event,
// ordered by reducer partition, and gives each reducer its section.
//
// Files are created with os.CreateTemp in a directory the caller owns (the
// query's spill directory); the caller removes them with File.Remove, or
// Writer.Abort before Finish. Write buffers (1 MiB) and read buffers are
// pooled across files.
package spill
