// Package csvio reads and writes CSV files for Grain.
//
// # Reading
//
// Open turns files, globs and directories into a Dataset, a source.Source:
//
//	Open ──► expand paths ──► explicit schema, or infer one from the first rows
//	Splits ──► one split per file; a file over SplitBytes is cut at record
//	           boundaries found by a pre-scan (memchr speed, done once)
//	split.Open ──► scanner (RFC 4180 records) ──► typed columns ──► records
//
// The scanner follows RFC 4180: fields may be quoted, a quote inside a
// quoted field is doubled, quoted fields may hold delimiters and line
// breaks; lines end with LF, CRLF or CR. A quote is special only at the
// start of a field. Empty lines are skipped, except in a one-column file
// where an empty line is a NULL value. A UTF-8 byte order mark is ignored.
//
// NULL: an unquoted field whose text is one of ReadOptions.NullValues (by
// default the empty field) is NULL; a quoted field never is, so "" is the
// empty string. Values of non-string columns may be surrounded by spaces.
//
// Types, explicit or inferred: bool (true/false; explicit schemas also take
// t/f, yes/no, y/n, 1/0), int64 and the other integer widths, float64 and
// float32 (decimal text, nan, inf), date32 (YYYY-MM-DD), timestamp
// (YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]][Z|±HH:MM], stored in UTC; inferred
// as microseconds) and utf8. Inference reads SampleRows rows and gives each
// column the first of int64, float64, bool, date32, timestamp, utf8 that
// parses all its non-NULL values.
//
// Malformed rows (wrong field count, an unparsable value, a stray
// character after a closing quote, an unterminated quote) fail the scan
// with a *ParseError (wrapping ErrMalformed) that names the file and the
// line where the row starts, or with SkipMalformed are dropped and counted
// (Dataset.SkippedRows). Only projected columns are parsed, so a bad value
// in a column the scan does not read goes unnoticed.
//
// Scans ignore ScanRequest.Filters: they are hints and the executor
// applies them. Stats report file sizes; row counts are unknown (-1).
// Records are built straight into Arrow buffers from the allocator given to
// Split.Open, never from a default allocator.
//
// # Writing
//
// Write prints records as CSV: a header line, values quoted only when
// needed (delimiter, quote, line break, empty string, or the NULL text),
// NULL as WriteOptions.NullString. Floats print in the shortest form that
// reads back exactly, integral ones with ".0"; timestamps print in UTC.
// The file is written to a temporary name and renamed into place, so
// readers never see half a file; save modes (ErrorIfExists, Overwrite,
// Append, Ignore) are shared with Grain's other formats.
package csvio
