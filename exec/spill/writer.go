package spill

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// bufSize is the size of the buffered writer and reader in front of each
// spill file (MACHINE-FACTS.md §8: 1 MiB keeps syscalls large).
const bufSize = 1 << 20

// writerPool recycles the 1 MiB write buffers across spill files.
var writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}

// zeros supplies padding bytes.
var zeros [bufAlign]byte

// File is a finished spill file: where it is and what it holds. It is a
// plain value; Remove deletes the file. The file's batches all have the same
// column types (those of the first batch written).
type File struct {
	Path    string // absolute or dir-relative path given by os.CreateTemp
	Bytes   int64  // file size
	Rows    int64  // rows over all batches
	Batches int    // number of batches
}

// Whole returns the section spanning the whole file.
func (f *File) Whole() Section {
	return Section{Bytes: f.Bytes, Rows: f.Rows, Batches: f.Batches}
}

// Remove deletes the file. Removing a file that is already gone is not an
// error, so Remove is idempotent.
func (f *File) Remove() error {
	if err := os.Remove(f.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spill: remove: %w", err)
	}
	return nil
}

// Section is a run of consecutive batches inside a spill file: it starts
// Offset bytes into the file, spans Bytes bytes and holds Batches batches
// with Rows rows in all. Writers mark sections with Position and Between so
// that one file can hold the data of many consumers (one section each).
type Section struct {
	Offset  int64
	Bytes   int64
	Rows    int64
	Batches int
}

// Position is a point in a file being written: the bytes, rows and batches
// written before it.
type Position struct {
	Offset  int64
	Rows    int64
	Batches int
}

// Between returns the section holding the batches written between positions
// from and to (from taken before to, on the same Writer).
func Between(from, to Position) Section {
	return Section{
		Offset:  from.Offset,
		Bytes:   to.Offset - from.Offset,
		Rows:    to.Rows - from.Rows,
		Batches: to.Batches - from.Batches,
	}
}

// Writer appends record batches to one file in Grain's raw spill format.
//
// Call order: NewWriter, any number of Write calls, then Finish (keep the
// file) or Abort (delete it). After an error from Write the file is useless:
// Finish then returns the error and deletes it; Abort is always safe and
// idempotent, also after Finish (when it does nothing).
//
// A Writer is used by one goroutine at a time. It does not retain the
// records it is given.
type Writer struct {
	f     *os.File
	bw    *bufio.Writer
	types []arrow.DataType
	lays  []layout
	pos   Position
	err   error
	done  bool

	// scratch is reused across batches: the header, and the buffers that
	// need rewriting (bitmaps at unaligned offsets, rebased offsets).
	hdr     []byte
	cols    []colEntry
	bufs    [][3][]byte
	scratch [][]byte
}

// NewWriter creates a uniquely named file in dir (os.CreateTemp with the
// pattern prefix + "-*.spill") and returns a Writer appending to it.
func NewWriter(dir, prefix string) (*Writer, error) {
	if dir == "" {
		return nil, errors.New("spill: new writer: empty directory")
	}
	f, err := os.CreateTemp(dir, prefix+"-*.spill")
	if err != nil {
		return nil, fmt.Errorf("spill: create file: %w", err)
	}
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(f)
	return &Writer{f: f, bw: bw}, nil
}

// Path returns the path of the file being written.
func (w *Writer) Path() string { return w.f.Name() }

// Position returns the current end of the file: the bytes, rows and batches
// written so far. Use it with Between to mark sections.
func (w *Writer) Position() Position { return w.pos }

// Write appends rec as one batch. Array offsets are honoured: a sliced
// record round-trips to the same values. Every batch of a file must have the
// column types of the first one; an unsupported type returns an error
// wrapping ErrUnsupportedType. The record is not retained.
func (w *Writer) Write(rec arrow.Record) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("spill: write after finish")
	}
	if err := w.checkTypes(rec); err != nil {
		return err
	}
	rows := rec.NumRows()
	if rows > maxRows {
		return fmt.Errorf("spill: batch of %d rows exceeds %d", rows, maxRows)
	}
	body := int64(0)
	for i, col := range rec.Columns() {
		w.describe(i, col)
		for _, b := range w.bufs[i] {
			body += padded(int64(len(b)))
		}
	}
	size := headerSize + colEntrySize*len(w.cols)
	w.hdr = grow(w.hdr, size)
	encodeHeader(w.hdr, header{rows: rows, cols: len(w.cols), body: body}, w.cols)
	if err := w.emit(w.hdr); err != nil {
		return err
	}
	for i := range w.bufs {
		for _, b := range w.bufs[i] {
			if err := w.emit(b); err != nil {
				return err
			}
			if pad := padded(int64(len(b))) - int64(len(b)); pad > 0 {
				if err := w.emit(zeros[:pad]); err != nil {
					return err
				}
			}
		}
		w.bufs[i] = [3][]byte{}
	}
	w.pos.Offset += int64(size) + body
	w.pos.Rows += rows
	w.pos.Batches++
	return nil
}

// checkTypes fixes the file's column types on the first batch and checks
// every later batch against them.
func (w *Writer) checkTypes(rec arrow.Record) error {
	if w.types == nil {
		n := int(rec.NumCols())
		if n > maxCols {
			return fmt.Errorf("spill: %d columns exceed %d", n, maxCols)
		}
		w.types = make([]arrow.DataType, n)
		w.lays = make([]layout, n)
		for i := range n {
			dt := rec.Column(i).DataType()
			l, err := layoutOf(dt)
			if err != nil {
				w.types = nil
				return err
			}
			w.types[i], w.lays[i] = dt, l
		}
		w.cols = make([]colEntry, n)
		w.bufs = make([][3][]byte, n)
		w.scratch = make([][]byte, 3*n)
		return nil
	}
	if int(rec.NumCols()) != len(w.types) {
		return fmt.Errorf("spill: batch of %d columns in a file of %d", rec.NumCols(), len(w.types))
	}
	for i, dt := range w.types {
		if !arrow.TypeEqual(rec.Column(i).DataType(), dt) {
			return fmt.Errorf("spill: column %d is %s in a file of %s", i, rec.Column(i).DataType(), dt)
		}
	}
	return nil
}

// describe fills column i's table entry and the byte slices of its buffers,
// rewriting into scratch what the array's offset makes unwritable as is.
func (w *Writer) describe(i int, col arrow.Array) {
	d := col.Data()
	n, off := d.Len(), d.Offset()
	bufs := d.Buffers()
	l := w.lays[i]
	out := &w.bufs[i]
	*out = [3][]byte{}
	w.cols[i] = colEntry{typ: col.DataType().ID(), nulls: int64(col.NullN())}
	if l.kind == kNull {
		w.cols[i].nulls = int64(n)
		return
	}
	if col.NullN() > 0 {
		out[0] = w.bitmap(3*i, bufs[0].Bytes(), off, n)
	}
	switch l.kind {
	case kBool:
		out[1] = w.bitmap(3*i+1, bytesOf(bufs[1]), off, n)
	case kFixed:
		if n > 0 {
			out[1] = bytesOf(bufs[1])[off*l.width : (off+n)*l.width]
		}
	case kVar32:
		out[1], out[2] = varBuffers[int32](w, 3*i+1, bufs, off, n)
	case kVar64:
		out[1], out[2] = varBuffers[int64](w, 3*i+1, bufs, off, n)
	}
	for j, b := range out {
		w.cols[i].lens[j] = int64(len(b))
	}
}

// bitmap returns n bits of src starting at bit off, as whole bytes: a
// subslice when off is byte-aligned, otherwise a copy in scratch slot s.
func (w *Writer) bitmap(s int, src []byte, off, n int) []byte {
	size := int(bitutil.BytesForBits(int64(n)))
	if off%8 == 0 {
		return src[off/8 : off/8+size]
	}
	dst := grow(w.scratch[s], size)
	w.scratch[s] = dst
	clear(dst)
	bitutil.CopyBitmap(src, off, n, dst, 0)
	return dst
}

// varBuffers returns the offsets (rebased to start at 0, in scratch slot s
// unless already so) and the value bytes of rows off..off+n-1.
func varBuffers[O int32 | int64](w *Writer, s int, bufs []*memory.Buffer, off, n int) ([]byte, []byte) {
	size := int(unsafe.Sizeof(O(0)))
	var offs []O
	if n > 0 {
		offs = asSlice[O](bytesOf(bufs[1]))[off : off+n+1]
	}
	if n > 0 && offs[0] == 0 {
		return bytesOf(bufs[1])[off*size : (off+n+1)*size], bytesOf(bufs[2])[:offs[n]]
	}
	dst := grow(w.scratch[s], (n+1)*size)
	w.scratch[s] = dst
	out := asSlice[O](dst)
	if n == 0 {
		out[0] = 0
		return dst, nil
	}
	base := offs[0]
	for k, o := range offs {
		out[k] = o - base
	}
	return dst, bytesOf(bufs[2])[base:offs[n]]
}

// emit writes b to the file, remembering the first error.
func (w *Writer) emit(b []byte) error {
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("spill: write %s: %w", w.f.Name(), err)
		return w.err
	}
	return nil
}

// Finish flushes and closes the file and describes it. On any error
// (including an earlier one from Write) it deletes the file and returns the
// error.
func (w *Writer) Finish() (*File, error) {
	if w.done {
		return nil, errors.New("spill: finish twice")
	}
	err := w.err
	if err == nil {
		if ferr := w.bw.Flush(); ferr != nil {
			err = fmt.Errorf("spill: flush %s: %w", w.f.Name(), ferr)
		}
	}
	w.recycle()
	if cerr := w.f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("spill: close %s: %w", w.f.Name(), cerr)
	}
	w.done = true
	if err != nil {
		_ = os.Remove(w.f.Name())
		return nil, err
	}
	return &File{Path: w.f.Name(), Bytes: w.pos.Offset, Rows: w.pos.Rows, Batches: w.pos.Batches}, nil
}

// Abort closes and deletes the file unless Finish already succeeded or
// failed. It is idempotent.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.recycle()
	_ = w.f.Close()
	_ = os.Remove(w.f.Name())
}

// recycle returns the write buffer to the pool.
func (w *Writer) recycle() {
	if w.bw != nil {
		w.bw.Reset(io.Discard)
		writerPool.Put(w.bw)
		w.bw = nil
	}
}

// grow returns b resized to n bytes, reallocating only when too small.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n, n+n/4)
	}
	return b[:n]
}
