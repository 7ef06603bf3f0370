// Package ipcio reads and writes Arrow IPC files (the file format, also
// known as Feather v2, and the stream format) for Grain.
//
// # Reading
//
//	Open ──► expand paths ──► per file: detect the format ("ARROW1" magic),
//	         walk the message headers (metadata only, bodies skipped):
//	         schema, dictionaries, record batches with their offsets and rows
//	Splits ──► consecutive record batches of one file, about SplitRows rows each
//	split.Open ──► arrow's stream reader over [schema][dictionaries][batches]
//	         ──► validate ──► slice to BatchSize ──► project
//
// Both formats are read the same way: the file format embeds a stream
// between its magic and its footer, so a split stitches the schema
// message, the dictionary batches and its own run of record batches into
// one stream. Because the header walk knows every batch's row count,
// Stats.Rows and Split.Rows are exact. A file whose dictionaries change
// between batches (replacement or delta dictionaries) is one split.
//
// Scans read whole record batches and then drop the columns not
// requested; batches larger than ScanRequest.BatchSize are sliced
// (zero-copy), smaller ones are passed on as they are. Filters are hints
// and are ignored. Buffers are allocated from the allocator given to
// Split.Open.
//
// Bad input never panics: lengths are checked against the file size while
// walking the headers, allocations arrow's reader makes from lengths in the
// file are capped (a refusal panics inside arrow's reader, which recovers
// it), every record is validated (buffer sizes, monotonic offsets,
// dictionary indexes) before it is returned, and a recover boundary
// surrounds every call into arrow. Each failure is an error wrapping
// ErrCorruptFile that names the file. Types whose layout Grain does not
// validate (unions, views, run-end encoded, extension types) are refused
// at Open with ErrUnsupportedType.
//
// # Writing
//
// Write streams records into the file or stream format, optionally
// compressed with LZ4 or Zstandard, through a temporary file renamed into
// place on success; save modes (ErrorIfExists, Overwrite, Append, Ignore)
// are shared with Grain's other formats. The file format holds one
// dictionary per dictionary-encoded column, so records whose dictionaries
// differ fail with ErrDictionaryReplacement there; the stream format
// writes replacement dictionaries.
package ipcio
