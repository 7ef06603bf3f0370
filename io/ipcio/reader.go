package ipcio

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// reader streams a split: arrow's stream reader runs over the split's
// sections (schema, dictionaries, batches) stitched into one stream. Every
// record is validated, then cut into slices of at most batch rows and
// projected; slices share the record's buffers.
type reader struct {
	path  string
	f     *os.File
	ir    *ipc.Reader
	proj  *projection
	batch int64
	cur   arrow.Record // record being sliced
	off   int64        // next row of cur
	err   error        // sticky error
}

func newReader(s *split, mem memory.Allocator) (*reader, error) {
	path := s.file.path
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ipc: %w", err)
	}
	secs := s.sections()
	parts := make([]io.Reader, len(secs))
	for i, sec := range secs {
		parts[i] = io.NewSectionReader(f, sec.off, sec.end-sec.off)
	}
	stream := bufio.NewReaderSize(io.MultiReader(parts...), 64<<10)
	bounded := &boundedAllocator{Allocator: mem, max: s.maxAlloc()}
	r := &reader{path: path, f: f, proj: s.proj, batch: s.batch}
	err = guard(path, func() error {
		var err error
		if r.ir, err = ipc.NewReader(stream, ipc.WithAllocator(bounded)); err != nil {
			return corrupt(path, err)
		}
		return nil
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Next returns the next record of up to batch rows, or io.EOF.
func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rec arrow.Record
	err := guard(r.path, func() error {
		var err error
		rec, err = r.next()
		return err
	})
	if err != nil {
		r.err = err
		return nil, err
	}
	return rec, nil
}

func (r *reader) next() (arrow.Record, error) {
	for {
		if r.cur != nil {
			if n := r.cur.NumRows() - r.off; n > 0 {
				n = min(n, r.batch)
				rec := r.project(r.off, n)
				r.off += n
				return rec, nil
			}
			r.cur.Release()
			r.cur = nil
		}
		rec, err := r.ir.Read()
		// arrow returns a bare io.EOF at the end of the stream; an error
		// that merely wraps io.EOF is a truncated message (arrow recovers a
		// panic and wraps its value), so it must not end the scan quietly.
		if err == io.EOF { //nolint:errorlint // see above
			return nil, io.EOF
		}
		if err != nil {
			return nil, corrupt(r.path, err)
		}
		if err := validateRecord(rec); err != nil {
			return nil, corrupt(r.path, err)
		}
		rec.Retain()
		r.cur, r.off = rec, 0
	}
}

// project returns rows [off, off+n) of the current record with the
// projected columns, under the dataset's schema.
func (r *reader) project(off, n int64) arrow.Record {
	cols := make([]arrow.Array, len(r.proj.cols))
	for i, c := range r.proj.cols {
		col := r.cur.Column(c)
		if off == 0 && n == int64(col.Len()) {
			col.Retain()
		} else {
			col = array.NewSlice(col, off, off+n)
		}
		cols[i] = col
		defer col.Release()
	}
	return array.NewRecord(r.proj.schema, cols, n)
}

// validateRecord checks every column of a record read from a file.
func validateRecord(rec arrow.Record) error {
	for i, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			return fmt.Errorf("column %d has %d rows, batch has %d", i, col.Len(), rec.NumRows())
		}
		if err := validate(col.Data()); err != nil {
			return fmt.Errorf("column %q: %w", rec.Schema().Field(i).Name, err)
		}
	}
	return nil
}

// Close releases the reader's records and closes the file; it is
// idempotent.
func (r *reader) Close() error {
	if r.f == nil {
		return nil
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	_ = guard(r.path, func() error {
		r.ir.Release()
		return nil
	})
	err := r.f.Close()
	r.f = nil
	if r.err == nil {
		r.err = io.EOF
	}
	return err
}

// boundedAllocator refuses allocations larger than a file can need. arrow's
// reader sizes buffers from lengths stored in the file, and has no way to
// report an allocation failure, so the refusal is a panic, which arrow's
// reader and guard turn into an error wrapping ErrCorruptFile.
type boundedAllocator struct {
	memory.Allocator
	max int
}

func (a *boundedAllocator) Allocate(n int) []byte {
	a.check(n)
	return a.Allocator.Allocate(n)
}

func (a *boundedAllocator) Reallocate(n int, b []byte) []byte {
	a.check(n)
	return a.Allocator.Reallocate(n, b)
}

func (a *boundedAllocator) check(n int) {
	if n < 0 || n > a.max {
		panic(fmt.Sprintf("allocation of %d bytes exceeds the %d bytes the file can need", n, a.max))
	}
}
