package ipcio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/internal/fileio"
)

// Write writes the records returned by next to an Arrow IPC file at path,
// until next returns io.EOF. Write owns each record next returns and
// releases it. Every record must have the column types of schema; the
// file carries schema (names, metadata). Types Open cannot read back
// (unions, views, run-end encoded, extension types) fail with
// ErrUnsupportedType before next is first called.
//
// The file appears only when everything was written: Write writes a
// temporary file beside path and renames it into place. An error from
// next, a cancelled ctx or a bad record leave no file (and an existing
// file untouched). opts.Mode says what to do when path exists; Append
// copies the existing batches (which must have the same columns) into the
// new file, in opts.Format.
func Write(ctx context.Context, path string, schema *arrow.Schema, next func(context.Context) (arrow.Record, error), opts WriteOptions) error {
	ipcOpts, mem, err := opts.ipcOptions()
	if err != nil {
		return fmt.Errorf("ipc: write %s: %w", path, err)
	}
	if schema == nil || next == nil {
		return fmt.Errorf("ipc: write %s: %w: schema and next are required", path, ErrInvalidOption)
	}
	for _, f := range schema.Fields() {
		if err := checkType(f.Type); err != nil {
			return fmt.Errorf("ipc: write %s: column %q: %w", path, f.Name, err)
		}
	}
	ipcOpts = append(ipcOpts, ipc.WithSchema(schema))
	err = fileio.Write(ctx, path, opts.Mode, func(out io.Writer, existing *os.File) error {
		w, err := newRecordWriter(out, opts.Format, ipcOpts)
		if err != nil {
			return err
		}
		closed := false
		defer func() {
			if !closed {
				_ = w.Close() // frees compressors; the temporary file is removed
			}
		}()
		if existing != nil {
			if err := copyExisting(ctx, w, existing, schema, mem); err != nil {
				return err
			}
		}
		if err := writeAll(ctx, w, schema, next); err != nil {
			return err
		}
		closed = true
		return w.Close()
	})
	if err != nil {
		return fmt.Errorf("ipc: write %s: %w", path, err)
	}
	return nil
}

// recordWriter is what ipc.Writer and ipc.FileWriter have in common.
type recordWriter interface {
	Write(arrow.Record) error
	Close() error
}

func newRecordWriter(out io.Writer, format Format, opts []ipc.Option) (recordWriter, error) {
	if format == StreamFormat {
		return ipc.NewWriter(out, opts...), nil
	}
	fw, err := ipc.NewFileWriter(&posWriter{w: out}, opts...)
	if err != nil {
		return nil, err
	}
	return &fileWriter{FileWriter: fw}, nil
}

// fileWriter wraps arrow's file writer for dictionary columns. The file
// format holds one dictionary per column, so a record whose dictionary
// differs from the first one is refused with ErrDictionaryReplacement (arrow
// would refuse it too, leaking buffers on the way out). And arrow's file
// writer keeps a reference to the first dictionary it writes that it never
// drops, so it is given a copy from a private Go allocator, which the
// garbage collector reclaims, instead of the caller's.
type fileWriter struct {
	*ipc.FileWriter
	dicts map[int]arrow.Array // copy of the first dictionary of each column
}

func (w *fileWriter) Write(rec arrow.Record) error {
	var cols []arrow.Array // rec's columns with dictionaries swapped, if any
	for i, col := range rec.Columns() {
		d, ok := col.(*array.Dictionary)
		if !ok {
			continue
		}
		if first, seen := w.dicts[i]; seen {
			if !array.ApproxEqual(first, d.Dictionary(), array.WithNaNsEqual(true)) {
				return fmt.Errorf("%w: column %q (use the stream format)", ErrDictionaryReplacement, rec.Schema().Field(i).Name)
			}
			continue
		}
		dict, err := array.Concatenate([]arrow.Array{d.Dictionary()}, memory.NewGoAllocator())
		if err != nil {
			return err
		}
		if w.dicts == nil {
			w.dicts = map[int]arrow.Array{}
		}
		w.dicts[i] = dict
		if cols == nil {
			cols = append([]arrow.Array(nil), rec.Columns()...)
		}
		cols[i] = array.NewDictionaryArray(d.DataType(), d.Indices(), dict)
		defer cols[i].Release()
	}
	if cols != nil {
		rec = array.NewRecord(rec.Schema(), cols, rec.NumRows())
		defer rec.Release()
	}
	return w.FileWriter.Write(rec)
}

func (w *fileWriter) Close() error {
	for _, d := range w.dicts {
		d.Release()
	}
	w.dicts = nil
	return w.FileWriter.Close()
}

// posWriter gives the file writer the one Seek it uses: asking for the
// current position.
type posWriter struct {
	w   io.Writer
	pos int64
}

func (p *posWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *posWriter) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("internal error: ipc file writer seeks")
	}
	return p.pos, nil
}

// writeAll writes every record next returns.
func writeAll(ctx context.Context, w recordWriter, schema *arrow.Schema, next func(context.Context) (arrow.Record, error)) error {
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
		err = writeRecord(w, schema, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
}

// writeRecord checks rec against schema and writes it under schema.
func writeRecord(w recordWriter, schema *arrow.Schema, rec arrow.Record) (err error) {
	if int(rec.NumCols()) != schema.NumFields() {
		return fmt.Errorf("%w: record has %d columns, schema has %d", ErrSchemaMismatch, rec.NumCols(), schema.NumFields())
	}
	for i, col := range rec.Columns() {
		if want := schema.Field(i).Type; !arrow.TypeEqual(col.DataType(), want) {
			return fmt.Errorf("%w: column %q is %s, schema says %s", ErrSchemaMismatch, schema.Field(i).Name, col.DataType(), want)
		}
	}
	if !rec.Schema().Equal(schema) {
		rec = array.NewRecord(schema, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write record: %v", r)
		}
	}()
	return w.Write(rec)
}

// copyExisting writes the batches of the file being appended to.
func copyExisting(ctx context.Context, w recordWriter, existing *os.File, schema *arrow.Schema, mem memory.Allocator) error {
	st, err := existing.Stat()
	if err != nil {
		return err
	}
	path := existing.Name()
	l, old, err := scanLayout(existing, path, st.Size())
	if err != nil {
		return err
	}
	if err := sameColumns(schema, old); err != nil {
		return fmt.Errorf("%w: existing file: %w", ErrSchemaMismatch, err)
	}
	if len(l.batches) == 0 {
		return nil
	}
	cols := make([]int, schema.NumFields())
	for i := range cols {
		cols[i] = i
	}
	s := &split{
		file:  &file{path: path, size: st.Size(), layout: l},
		first: 0, last: len(l.batches),
		proj:  &projection{cols: cols, schema: schema},
		batch: math.MaxInt64,
	}
	r, err := newReader(s, mem)
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = writeRecord(w, schema, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
}
