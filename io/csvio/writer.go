package csvio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/internal/fileio"
)

// Write writes the records returned by next to a CSV file at path, until
// next returns io.EOF. Write owns each record next returns and releases
// it. Every record must have the columns of schema (same count and types;
// names are taken from schema). Types: integers, floats, bool, utf8,
// large_utf8, date32, date64, timestamp (printed in UTC), decimal and
// dictionaries of these; others fail with ErrUnsupportedType before next
// is first called.
//
// The file appears only when everything was written: Write writes a
// temporary file beside path and renames it into place. An error from
// next, a cancelled ctx or a bad record leave no file (and an existing
// file untouched). opts.Mode says what to do when path exists.
func Write(ctx context.Context, path string, schema *arrow.Schema, next func(context.Context) (arrow.Record, error), opts WriteOptions) error {
	cfg, err := opts.config()
	if err != nil {
		return fmt.Errorf("csv: write %s: %w", path, err)
	}
	if schema == nil || next == nil {
		return fmt.Errorf("csv: write %s: %w: schema and next are required", path, ErrInvalidOption)
	}
	for _, f := range schema.Fields() {
		if err := checkWritable(f.Type); err != nil {
			return fmt.Errorf("csv: write %s: column %q: %w", path, f.Name, err)
		}
	}
	w := &csvWriter{cfg: cfg, schema: schema}
	err = fileio.Write(ctx, path, cfg.mode, func(out io.Writer, existing *os.File) error {
		w.out = out
		header := cfg.header
		if existing != nil {
			empty, err := w.copyExisting(existing)
			if err != nil {
				return err
			}
			header = header && empty
		}
		if header {
			w.writeHeader()
		}
		return w.writeAll(ctx, next)
	})
	if err != nil {
		return fmt.Errorf("csv: write %s: %w", path, err)
	}
	return nil
}

// csvWriter prints records as CSV lines.
type csvWriter struct {
	cfg    writeConfig
	schema *arrow.Schema
	out    io.Writer
	line   []byte
	val    []byte
	fmts   []formatter
}

// writeAll writes every record next returns.
func (w *csvWriter) writeAll(ctx context.Context, next func(context.Context) (arrow.Record, error)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if rec == nil {
			return fmt.Errorf("%w: next returned a nil record", ErrInvalidOption)
		}
		err = w.writeRecord(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
}

// writeRecord prints the rows of one record.
func (w *csvWriter) writeRecord(rec arrow.Record) error {
	if err := matchSchema(rec, w.schema); err != nil {
		return err
	}
	w.fmts = w.fmts[:0]
	for _, col := range rec.Columns() {
		w.fmts = append(w.fmts, newFormatter(col))
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		w.line = w.line[:0]
		for c, f := range w.fmts {
			if c > 0 {
				w.line = append(w.line, w.cfg.delim)
			}
			var ok bool
			if w.val, ok = f(w.val[:0], i); !ok {
				w.line = append(w.line, w.cfg.null...)
				continue
			}
			w.appendField(w.val)
		}
		w.line = append(w.line, '\n')
		if _, err := w.out.Write(w.line); err != nil {
			return err
		}
	}
	return nil
}

// writeHeader prints the column names.
func (w *csvWriter) writeHeader() {
	w.line = w.line[:0]
	for i, f := range w.schema.Fields() {
		if i > 0 {
			w.line = append(w.line, w.cfg.delim)
		}
		w.appendField([]byte(f.Name))
	}
	w.line = append(w.line, '\n')
	_, _ = w.out.Write(w.line) // errors surface at the next write or flush
}

// appendField adds a non-NULL value to the line, quoted when it holds a
// delimiter, quote or line break, is empty, or equals the NULL text.
func (w *csvWriter) appendField(v []byte) {
	if !w.needsQuotes(v) {
		w.line = append(w.line, v...)
		return
	}
	w.line = append(w.line, w.cfg.quote)
	for _, c := range v {
		if c == w.cfg.quote {
			w.line = append(w.line, c)
		}
		w.line = append(w.line, c)
	}
	w.line = append(w.line, w.cfg.quote)
}

func (w *csvWriter) needsQuotes(v []byte) bool {
	if len(v) == 0 || string(v) == w.cfg.null {
		return true
	}
	for _, c := range v {
		if c == w.cfg.delim || c == w.cfg.quote || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// copyExisting copies the file being appended to, after checking its
// header, and ends it with a line break. empty reports an empty file.
func (w *csvWriter) copyExisting(f *os.File) (empty bool, err error) {
	if w.cfg.header {
		rc := readConfig{delim: w.cfg.delim, quote: w.cfg.quote, quoting: true}
		sc := newScanner(f, &rc, 1, -1)
		sc.skipBOM()
		if nextNonBlank(sc) {
			got := sc.strings()
			if want := fieldNames(w.schema); !slices.Equal(got, want) {
				return false, fmt.Errorf("%w: existing header %q, writing %q", ErrSchemaMismatch, got, want)
			}
		} else if sc.err != nil {
			return false, fmt.Errorf("read existing file: %w", sc.err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, err
		}
	}
	t := &tailWriter{w: w.out}
	if _, err := io.Copy(t, f); err != nil {
		return false, fmt.Errorf("copy existing file: %w", err)
	}
	if t.n > 0 && t.last != '\n' {
		if _, err := w.out.Write([]byte{'\n'}); err != nil {
			return false, err
		}
	}
	return t.n == 0, nil
}

// tailWriter passes bytes through and remembers the last one.
type tailWriter struct {
	w    io.Writer
	n    int64
	last byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		t.last = p[len(p)-1]
	}
	n, err := t.w.Write(p)
	t.n += int64(n)
	return n, err
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// matchSchema checks that rec has the column types of schema.
func matchSchema(rec arrow.Record, schema *arrow.Schema) error {
	if int(rec.NumCols()) != schema.NumFields() {
		return fmt.Errorf("%w: record has %d columns, schema has %d", ErrSchemaMismatch, rec.NumCols(), schema.NumFields())
	}
	for i, col := range rec.Columns() {
		if want := schema.Field(i).Type; !arrow.TypeEqual(col.DataType(), want) {
			return fmt.Errorf("%w: column %q is %s, schema says %s", ErrSchemaMismatch, schema.Field(i).Name, col.DataType(), want)
		}
	}
	return nil
}
