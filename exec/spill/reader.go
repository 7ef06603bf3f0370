package spill

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// readBufSize is the read buffer in front of a spill file. Headers and small
// batches come through it; a body larger than the buffer is read straight
// into its Arrow buffer (bufio skips its own buffer for large reads), so
// big batches are copied once, from the page cache into Arrow memory.
const readBufSize = 64 << 10

// maxRecycled is how many released batch bodies a Reader keeps for reuse.
// A streaming consumer releases each batch before it asks for the next, so
// two would do; a few more cover consumers that hold a batch or two back.
const maxRecycled = 4

// readerPool recycles read buffers across spill files.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufSize) }}

// Reader streams the batches of a spill file, or of one section of it, back
// as Arrow records.
//
// Ownership: every record Next returns is new and the caller releases it;
// the Reader keeps no reference. Its buffers are slices of one allocation
// per batch from the allocator given to Open. The Reader recycles up to
// four released batch allocations for later batches (a streaming consumer
// thus reuses warm memory) and hands them back to the allocator on Close;
// batches released after Close go straight back. So once the caller has
// released every record and closed the Reader, the allocator holds nothing.
//
// Errors: a file shorter than its File says, a batch that overruns its
// section, a bad magic or checksum, buffer lengths that do not fit the row
// count, string offsets out of order or out of range, a null count that does
// not match its bitmap, or a column type other than the schema's all return
// an error wrapping ErrCorruptSpill. Errors are final: later calls to Next
// return the same error.
//
// A Reader is used by one goroutine at a time; Close is idempotent.
type Reader struct {
	f      *os.File
	br     *bufio.Reader
	schema *arrow.Schema
	lays   []layout
	bodies *Recycler
	sec    Section
	read   Position // consumed so far, relative to the section's start
	err    error

	hdr  []byte
	cols []colEntry
}

// Open opens a whole spill file for reading with the given schema (which
// must have the column types the file was written with).
func Open(f *File, schema *arrow.Schema, mem memory.Allocator) (*Reader, error) {
	return open(f, f.Whole(), schema, mem, true)
}

// OpenSection opens one section of a spill file, as marked with Position and
// Between while writing. Sections of one file may be read concurrently, each
// by its own Reader.
func OpenSection(f *File, s Section, schema *arrow.Schema, mem memory.Allocator) (*Reader, error) {
	return open(f, s, schema, mem, false)
}

// open checks the section against the file on disk and starts reading it.
// exact requires the file to have exactly f.Bytes bytes.
func open(f *File, s Section, schema *arrow.Schema, mem memory.Allocator, exact bool) (*Reader, error) {
	if s.Offset < 0 || s.Bytes < 0 || s.Batches < 0 || s.Rows < 0 || s.Offset+s.Bytes > f.Bytes {
		return nil, fmt.Errorf("spill: open %s: section %+v outside a file of %d bytes: %w", f.Path, s, f.Bytes, ErrCorruptSpill)
	}
	if schema.NumFields() > maxCols {
		return nil, fmt.Errorf("spill: open %s: %d columns exceed %d", f.Path, schema.NumFields(), maxCols)
	}
	lays := make([]layout, schema.NumFields())
	for i, fld := range schema.Fields() {
		l, err := layoutOf(fld.Type)
		if err != nil {
			return nil, fmt.Errorf("spill: open %s: %w", f.Path, err)
		}
		lays[i] = l
	}
	file, err := os.Open(f.Path)
	if err != nil {
		return nil, fmt.Errorf("spill: open: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		_ = file.Close()
		return nil, fmt.Errorf("spill: open: %w", err)
	}
	if size := st.Size(); size < s.Offset+s.Bytes || (exact && size != f.Bytes) {
		_ = file.Close()
		return nil, fmt.Errorf("spill: open %s: %d bytes on disk, %d expected: %w", f.Path, size, f.Bytes, ErrCorruptSpill)
	}
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(io.NewSectionReader(file, s.Offset, s.Bytes))
	return &Reader{
		f: file, br: br, schema: schema, lays: lays, bodies: NewRecycler(mem, maxRecycled), sec: s,
		cols: make([]colEntry, len(lays)),
	}, nil
}

// Next returns the next batch as a record with the Reader's schema, or
// io.EOF after the last one. The caller releases the record.
func (r *Reader) Next() (arrow.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.f == nil {
		return nil, errors.New("spill: next after close")
	}
	if r.read.Batches == r.sec.Batches {
		if r.read.Offset != r.sec.Bytes || r.read.Rows != r.sec.Rows {
			r.err = r.fail(corrupt("section ends after %d of %d bytes and %d of %d rows",
				r.read.Offset, r.sec.Bytes, r.read.Rows, r.sec.Rows))
			return nil, r.err
		}
		return nil, io.EOF
	}
	rec, err := r.next()
	if err != nil {
		r.err = r.fail(err)
		return nil, r.err
	}
	return rec, nil
}

// fail adds the file and batch to err.
func (r *Reader) fail(err error) error {
	return fmt.Errorf("spill: read %s batch %d: %w", r.f.Name(), r.read.Batches, err)
}

// next reads, checks and builds one batch.
func (r *Reader) next() (arrow.Record, error) {
	h, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	var body *memory.Buffer
	if h.body > 0 {
		body = memory.NewResizableBuffer(r.bodies)
		defer body.Release()
		body.Resize(int(h.body))
		if _, err := io.ReadFull(r.br, body.Bytes()); err != nil {
			return nil, truncated(err)
		}
	}
	arrs := make([]arrow.Array, len(r.cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	pos := 0
	for i, c := range r.cols {
		arr, err := r.column(i, c, h.rows, body, &pos)
		if err != nil {
			return nil, err
		}
		arrs[i] = arr
	}
	r.read.Offset += int64(headerSize+colEntrySize*h.cols) + h.body
	r.read.Rows += h.rows
	r.read.Batches++
	return array.NewRecord(r.schema, arrs, h.rows), nil
}

// readHeader reads and checks a batch header and its column table.
func (r *Reader) readHeader() (header, error) {
	r.hdr = grow(r.hdr, headerSize)
	if _, err := io.ReadFull(r.br, r.hdr); err != nil {
		return header{}, truncated(err)
	}
	h, err := decodeFixed(r.hdr)
	if err != nil {
		return header{}, err
	}
	if h.cols != len(r.cols) {
		return header{}, corrupt("batch of %d columns for a schema of %d", h.cols, len(r.cols))
	}
	size := headerSize + colEntrySize*h.cols
	if r.read.Offset+int64(size)+h.body > r.sec.Bytes {
		return header{}, corrupt("batch of %d bytes overruns its section", int64(size)+h.body)
	}
	if cap(r.hdr) < size {
		r.hdr = append(r.hdr[:headerSize], make([]byte, size-headerSize)...)
	}
	r.hdr = r.hdr[:size]
	if _, err := io.ReadFull(r.br, r.hdr[headerSize:]); err != nil {
		return header{}, truncated(err)
	}
	if err := decodeColumns(r.hdr, r.cols); err != nil {
		return header{}, err
	}
	total := int64(0)
	for i, c := range r.cols {
		dt := r.schema.Field(i).Type
		if c.typ != dt.ID() {
			return header{}, corrupt("column %d has type id %d, the schema says %s", i, c.typ, dt)
		}
		if err := r.lays[i].expectLens(c, h.rows); err != nil {
			return header{}, fmt.Errorf("column %d: %w", i, err)
		}
		for _, n := range c.lens {
			total += padded(n)
		}
	}
	if total != h.body {
		return header{}, corrupt("body of %d bytes, columns need %d", h.body, total)
	}
	return h, nil
}

// column builds column i from its buffers in body, starting at *pos, and
// advances *pos past them. It checks the contents that could otherwise make
// Arrow index out of range: string offsets and the null count.
func (r *Reader) column(i int, c colEntry, rows int64, body *memory.Buffer, pos *int) (arrow.Array, error) {
	dt := r.schema.Field(i).Type
	l := r.lays[i]
	if l.kind == kNull {
		return array.NewNull(int(rows)), nil
	}
	var bufs [3]*memory.Buffer
	defer func() {
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
	}()
	for j, n := range c.lens {
		if n > 0 {
			bufs[j] = memory.SliceBuffer(body, *pos, int(n))
		}
		*pos += int(padded(n))
	}
	if c.nulls > 0 {
		if set := bitutil.CountSetBits(bufs[0].Bytes(), 0, int(rows)); int64(set) != rows-c.nulls {
			return nil, corrupt("column %d: %d nulls declared, bitmap has %d", i, c.nulls, rows-int64(set))
		}
	}
	var err error
	switch l.kind {
	case kVar32:
		err = checkOffsets(asSlice[int32](bufs[1].Bytes()), c.lens[2])
	case kVar64:
		err = checkOffsets(asSlice[int64](bufs[1].Bytes()), c.lens[2])
	}
	if err != nil {
		return nil, fmt.Errorf("column %d: %w", i, err)
	}
	n := 2
	if l.kind == kVar32 || l.kind == kVar64 {
		n = 3
	}
	data := array.NewData(dt, int(rows), bufs[:n], nil, int(c.nulls), 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// checkOffsets checks that string offsets start at 0, never decrease and end
// at the length of the value bytes.
func checkOffsets[O int32 | int64](offs []O, data int64) error {
	if len(offs) == 0 || offs[0] != 0 || int64(offs[len(offs)-1]) != data {
		return corrupt("string offsets do not span the %d value bytes", data)
	}
	prev := offs[0]
	bad := false
	for _, o := range offs[1:] {
		bad = bad || o < prev
		prev = o
	}
	if bad {
		return corrupt("string offsets decrease")
	}
	return nil
}

// truncated turns a short read into ErrCorruptSpill; other I/O errors pass
// through.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt("truncated")
	}
	return err
}

// Close closes the file and recycles the read buffer. It is idempotent.
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	r.bodies.Close()
	r.br.Reset(nil)
	readerPool.Put(r.br)
	r.br = nil
	err := r.f.Close()
	r.f = nil
	if err != nil {
		return fmt.Errorf("spill: close: %w", err)
	}
	return nil
}
