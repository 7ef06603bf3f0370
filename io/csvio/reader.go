package csvio

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// maxBatchData ends a batch early once a string column holds this many
// bytes, keeping int32 offsets far from overflow.
const maxBatchData = 1 << 30

// reader reads one split into records of up to batch rows.
type reader struct {
	d       *Dataset
	path    string
	proj    *projection
	rc      io.ReadCloser
	sc      *scanner
	cols    []column // one per output column
	strCols []column // the variable-length ones
	ncols   int      // fields per row
	batch   int
	err     error // sticky error
	done    bool
}

func newReader(s *split, mem memory.Allocator) (*reader, error) {
	d := s.d
	path := d.files[s.file].Path
	var rc io.ReadCloser
	size := int64(-1)
	if isGzip(path) {
		var err error
		if rc, err = openFile(path); err != nil {
			return nil, err
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		n := int64(math.MaxInt64 - s.start.off)
		if s.end >= 0 {
			n = s.end - s.start.off
			size = n
		}
		rc = sectionFile{io.NewSectionReader(f, s.start.off, n), f}
	}
	r := &reader{d: d, path: path, proj: s.proj, rc: rc, ncols: d.schema.NumFields(), batch: s.batch}
	r.sc = newScanner(rc, &d.cfg, s.start.line, size)
	for i, c := range s.proj.cols {
		col, err := newColumn(mem, d.schema.Field(c).Type)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("csv: column %q: %w", s.proj.schema.Field(i).Name, err)
		}
		r.cols = append(r.cols, col)
		if _, ok := col.(*stringColumn); ok {
			r.strCols = append(r.strCols, col)
		}
	}
	if s.start.off == 0 {
		r.sc.skipBOM()
		if d.cfg.header {
			if err := r.checkHeader(); err != nil {
				r.Close()
				return nil, err
			}
		}
	}
	return r, nil
}

// sectionFile reads a byte range of a file and closes the file.
type sectionFile struct {
	*io.SectionReader
	f *os.File
}

func (s sectionFile) Close() error { return s.f.Close() }

// checkHeader reads the header line and checks it against the dataset.
func (r *reader) checkHeader() error {
	if !nextNonBlank(r.sc) {
		r.done = true
		return scanErr(r.path, r.sc)
	}
	got := r.sc.strings()
	switch {
	case r.d.header != nil && !slices.Equal(got, r.d.header):
		return fmt.Errorf("csv: %w: %s: header %q differs from %q", ErrSchemaMismatch, r.path, got, r.d.header)
	case len(got) != r.ncols:
		return fmt.Errorf("csv: %w: %s: header has %d fields, schema has %d", ErrSchemaMismatch, r.path, len(got), r.ncols)
	}
	return nil
}

// Next returns the next record of up to batch rows, or io.EOF.
func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	capRows := min(r.batch, 1<<16)
	for _, c := range r.cols {
		c.reset(capRows)
	}
	n := 0
	for n < r.batch {
		if !r.sc.next() {
			if r.sc.err != nil {
				return nil, r.fail(scanErr(r.path, r.sc))
			}
			r.done = true
			break
		}
		ok, err := r.row(n)
		if err != nil {
			return nil, r.fail(err)
		}
		if !ok {
			continue
		}
		n++
		if n == capRows && n < r.batch {
			capRows = min(2*capRows, r.batch)
			for _, c := range r.cols {
				c.grow(capRows)
			}
		}
		if r.tooMuchData() {
			break
		}
	}
	if n == 0 {
		r.releaseCols()
		return nil, io.EOF
	}
	arrs := make([]arrow.Array, len(r.cols))
	for i, c := range r.cols {
		arrs[i] = c.finish(n)
		defer arrs[i].Release()
	}
	return array.NewRecord(r.proj.schema, arrs, int64(n)), nil
}

// row checks the scanner's current record and writes it as row n. It
// returns false for a row that is skipped (blank or malformed).
func (r *reader) row(n int) (bool, error) {
	sc := r.sc
	switch {
	case sc.blank && r.ncols > 1:
		return false, nil
	case sc.bad != "":
		return r.malformed("", sc.bad)
	case sc.nfields() != r.ncols:
		return r.malformed("", fmt.Sprintf("row has %d fields, want %d", sc.nfields(), r.ncols))
	}
	for i, c := range r.proj.cols {
		f, quoted := sc.field(c)
		if !quoted && r.d.cfg.isNull(f) {
			r.cols[i].setNull(n)
		} else if !r.cols[i].set(n, f) {
			field := r.d.schema.Field(c)
			return r.malformed(field.Name, fmt.Sprintf("cannot parse %q as %s", clip(f), field.Type))
		}
	}
	return true, nil
}

// malformed skips and counts the current row, or reports it.
func (r *reader) malformed(column, msg string) (bool, error) {
	if r.d.cfg.skip {
		r.d.skipped.Add(1)
		return false, nil
	}
	return false, &ParseError{Path: r.path, Line: r.sc.recLine, Column: column, Msg: msg}
}

// tooMuchData reports whether a string column is near the int32 limit.
func (r *reader) tooMuchData() bool {
	for _, c := range r.strCols {
		if c.dataBytes() >= maxBatchData {
			return true
		}
	}
	return false
}

// fail records a sticky error and frees the unfinished batch.
func (r *reader) fail(err error) error {
	r.err = err
	r.releaseCols()
	return err
}

func (r *reader) releaseCols() {
	for _, c := range r.cols {
		c.release()
	}
}

// Close releases the reader's buffers and closes the file; it is
// idempotent.
func (r *reader) Close() error {
	r.releaseCols()
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	r.done = true
	return err
}

// clip shortens a value quoted in an error message.
func clip(b []byte) string {
	const max = 40
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
