package ipcio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/internal/fileio"
)

// SaveMode says what Write does when the destination exists. It is shared with
// Grain's other file formats.
type SaveMode = fileio.SaveMode

// Save modes (see SaveMode).
const (
	ErrorIfExists = fileio.ErrorIfExists // fail with ErrPathExists (default)
	Overwrite     = fileio.Overwrite     // replace the file
	Append        = fileio.Append        // add records after the existing ones
	Ignore        = fileio.Ignore        // keep the existing file, write nothing
)

// Format is an Arrow IPC format.
type Format int

const (
	// FileFormat is the random-access file format ("Feather v2", *.arrow):
	// magic, a stream of messages, and a footer indexing the batches.
	FileFormat Format = iota
	// StreamFormat is the streaming format (*.arrows): messages only.
	StreamFormat
)

// String returns "file" or "stream".
func (f Format) String() string {
	switch f {
	case FileFormat:
		return "file"
	case StreamFormat:
		return "stream"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Compression is the codec of record batch bodies written by Write. Reading
// detects it.
type Compression int

// Compression codecs.
const (
	Uncompressed Compression = iota
	LZ4                      // LZ4 frame
	Zstd                     // Zstandard
)

// DefaultSplitRows is the default target number of rows per split.
const DefaultSplitRows = 1 << 17

// ReadOptions configure Open.
type ReadOptions struct {
	// SplitRows is the target number of rows per scan split: consecutive
	// record batches are grouped up to about this many rows. Zero means
	// DefaultSplitRows; negative means one split per file.
	SplitRows int64
}

// DefaultReadOptions returns the default read options.
func DefaultReadOptions() ReadOptions { return ReadOptions{SplitRows: DefaultSplitRows} }

// WriteOptions configure Write. The zero value writes an uncompressed file
// in the file format and fails if the file exists.
type WriteOptions struct {
	Mode        SaveMode
	Format      Format
	Compression Compression
	// Allocator serves the writer's scratch buffers (compression) and,
	// when appending, the records read back from the existing file. Nil
	// means a Go allocator.
	Allocator memory.Allocator
}

// DefaultWriteOptions returns the zero WriteOptions.
func DefaultWriteOptions() WriteOptions { return WriteOptions{} }

// ipcOptions checks o and returns the matching arrow writer options.
func (o WriteOptions) ipcOptions() ([]ipc.Option, memory.Allocator, error) {
	if !o.Mode.Valid() {
		return nil, nil, fmt.Errorf("%w: save mode %v", ErrInvalidOption, o.Mode)
	}
	if o.Format != FileFormat && o.Format != StreamFormat {
		return nil, nil, fmt.Errorf("%w: format %v", ErrInvalidOption, o.Format)
	}
	mem := o.Allocator
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	opts := []ipc.Option{ipc.WithAllocator(mem)}
	switch o.Compression {
	case Uncompressed:
	case LZ4:
		opts = append(opts, ipc.WithLZ4())
	case Zstd:
		opts = append(opts, ipc.WithZstd())
	default:
		return nil, nil, fmt.Errorf("%w: compression %d", ErrInvalidOption, o.Compression)
	}
	return opts, mem, nil
}
