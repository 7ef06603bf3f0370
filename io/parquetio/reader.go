package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/source"
)

// reader streams the row groups of a split, one batch of at most
// split.batch rows at a time; batches never span row groups.
type reader struct {
	s    *split
	mem  memory.Allocator
	next int // next unit

	file    *openFile
	rg      *rgReader
	bufs    [][]byte // chunk buffers, one per output column, reused
	closed  bool
	failure error
}

var _ source.Reader = (*reader)(nil)

// openFile is the file a reader is in, with its columns mapped onto the
// split's output columns.
type openFile struct {
	index  int
	pf     *parquetFile
	cols   []columnDesc
	colOf  []int         // per output column: index into cols, -1 for partitions and absent columns
	consts []arrow.Array // per output column: a batch-sized partition value array, or nil
}

// Next returns the next batch, or io.EOF after the last.
func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	if r.closed {
		return nil, errors.New("parquet: read from a closed reader")
	}
	if r.failure != nil {
		return nil, r.failure
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.rg == nil {
			if r.next >= len(r.s.units) {
				r.closeFile()
				return nil, io.EOF
			}
			if err := r.startUnit(r.s.units[r.next]); err != nil {
				r.failure = err
				return nil, err
			}
			r.next++
		}
		rec, err := r.rg.next(r.mem, r.s.schema)
		if errors.Is(err, io.EOF) {
			r.rg.close()
			r.rg = nil
			continue
		}
		if err != nil {
			r.failure = err
			return nil, err
		}
		return rec, nil
	}
}

// startUnit opens the unit's file if needed and its row group.
func (r *reader) startUnit(u unit) error {
	if r.file == nil || r.file.index != u.file {
		r.closeFile()
		f, err := r.openFile(u.file)
		if err != nil {
			return err
		}
		r.file = f
	}
	rg, err := r.openRowGroup(u)
	if err != nil {
		return err
	}
	r.rg = rg
	r.s.ctr.rowGroups.Add(1)
	return nil
}

// openFile opens a file and checks it still matches the dataset.
func (r *reader) openFile(index int) (*openFile, error) {
	meta := r.s.d.files[index]
	pf, err := openParquet(meta.path, true)
	if err != nil {
		return nil, err
	}
	f := &openFile{index: index, pf: pf}
	fail := func(err error) (*openFile, error) {
		r.releaseFile(f)
		return nil, err
	}
	changed := func(what string) (*openFile, error) {
		return fail(fmt.Errorf("%w: %s changed since the dataset was opened (%s)", ErrSchemaMismatch, meta.path, what))
	}
	if pf.size != meta.size || len(pf.md.RowGroups) != len(meta.rgs) || pf.md.NumRows != meta.rows {
		return changed("size or row groups")
	}
	if f.cols, err = fileColumns(pf.md); err != nil {
		return fail(corrupt(meta.path, "%w", err))
	}
	d := r.s.d
	f.colOf = make([]int, len(r.s.cols))
	f.consts = make([]arrow.Array, len(r.s.cols))
	for i, c := range r.s.cols {
		f.colOf[i] = -1
		field := d.schema.Field(c)
		if k := d.fields[c].part; k >= 0 {
			arr, err := constantArray(r.mem, field.Type, meta.parts[k], int(min(int64(r.s.batch), meta.rows)))
			if err != nil {
				return fail(err)
			}
			f.consts[i] = arr
			continue
		}
		if meta.cols[c] < 0 {
			continue
		}
		j := meta.cols[c]
		if j >= len(f.cols) || f.cols[j].name != field.Name || !arrow.TypeEqual(f.cols[j].typ, field.Type) {
			return changed("column " + field.Name)
		}
		if f.cols[j].unsupported != nil {
			return fail(f.cols[j].unsupported)
		}
		f.colOf[i] = j
	}
	return f, nil
}

func (r *reader) releaseFile(f *openFile) {
	for _, a := range f.consts {
		if a != nil {
			a.Release()
		}
	}
	f.consts = nil
	f.pf.Close()
}

func (r *reader) closeFile() {
	if r.rg != nil {
		r.rg.close()
		r.rg = nil
	}
	if r.file != nil {
		r.releaseFile(r.file)
		r.file = nil
	}
}

// Close releases the reader's files and buffers; it is idempotent.
func (r *reader) Close() error {
	r.closeFile()
	r.closed = true
	r.bufs = nil
	return nil
}

// rgReader reads one row group: a chunk reader per projected data column,
// constant arrays for partition columns, NULLs for absent columns. It
// reads rows rows: all of the row group's, or the unit's take.
type rgReader struct {
	rows, done int64
	batch      int
	file       *openFile
	chunks     []*chunkReader // per output column, nil when not read from the file
	types      []arrow.DataType
}

func (r *reader) openRowGroup(u unit) (*rgReader, error) {
	f := r.file
	rg := &rgReader{rows: u.rows, batch: r.s.batch, file: f,
		chunks: make([]*chunkReader, len(f.colOf)), types: make([]arrow.DataType, len(f.colOf))}
	if u.take > 0 {
		rg.rows = min(u.take, u.rows)
	}
	if r.bufs == nil {
		r.bufs = make([][]byte, len(f.colOf))
	}
	opened := false
	for i, j := range f.colOf {
		rg.types[i] = r.s.schema.Field(i).Type
		if j < 0 {
			continue
		}
		c, buf, err := openChunk(f.pf, u.rg, &f.cols[j], u.rows, r.bufs[i])
		r.bufs[i] = buf
		if err != nil {
			rg.close()
			return nil, err
		}
		rg.chunks[i] = c
		opened = true
		r.s.ctr.chunks.Add(1)
		r.s.ctr.bytes.Add(int64(len(buf)))
	}
	if !opened {
		if err := r.checkRowCount(u); err != nil {
			return nil, err
		}
	}
	return rg, nil
}

// checkRowCount backs a row group's row count with page headers when no
// column of it is decoded (COUNT(*), partition columns only): the pages of
// its smallest column chunk must hold that many values, so a footer cannot
// make a scan produce rows the file does not have.
func (r *reader) checkRowCount(u unit) error {
	f := r.file
	md := &f.pf.md.RowGroups[u.rg]
	best := -1
	for j := range f.cols {
		c := &f.cols[j]
		if c.unsupported == nil && (best < 0 || md.Columns[c.leaf].MetaData.TotalCompressedSize < md.Columns[f.cols[best].leaf].MetaData.TotalCompressedSize) {
			best = j
		}
	}
	if best < 0 {
		return nil // only nested columns: nothing Grain can check
	}
	m := &md.Columns[f.cols[best].leaf].MetaData
	if m.NumValues != u.rows {
		return corrupt(f.pf.path, "column %q: %d values in a row group of %d rows", f.cols[best].name, m.NumValues, u.rows)
	}
	buf := make([]byte, m.TotalCompressedSize)
	if _, err := f.pf.r.ReadAt(buf, chunkStart(m)); err != nil {
		return corrupt(f.pf.path, "column %q: read chunk: %w", f.cols[best].name, err)
	}
	r.s.ctr.bytes.Add(int64(len(buf)))
	err := guard(f.pf.path, func() error { return checkPages(buf, m.Codec, u.rows) })
	if err != nil {
		return asCorrupt(f.pf.path, fmt.Errorf("column %q: %w", f.cols[best].name, err))
	}
	return nil
}

// next returns the next batch of the row group, or io.EOF.
func (g *rgReader) next(mem memory.Allocator, schema *arrow.Schema) (arrow.Record, error) {
	if g.done >= g.rows {
		return nil, io.EOF
	}
	n := int(min(int64(g.batch), g.rows-g.done))
	cols := make([]arrow.Array, len(g.chunks))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range g.chunks {
		switch {
		case c != nil:
			arr, err := c.read(mem, n)
			if err != nil {
				return nil, err
			}
			cols[i] = arr
		case g.file.consts[i] != nil:
			cols[i] = array.NewSlice(g.file.consts[i], 0, int64(n))
		default:
			cols[i] = array.MakeArrayOfNull(mem, g.types[i], n)
		}
	}
	g.done += int64(n)
	return array.NewRecord(schema, cols, int64(n)), nil
}

func (g *rgReader) close() {
	for _, c := range g.chunks {
		if c != nil {
			c.close()
		}
	}
	g.chunks = nil
}

// constantArray builds an array of n copies of a partition value (NULL
// when v is nil).
func constantArray(mem memory.Allocator, t arrow.DataType, v any, n int) (arrow.Array, error) {
	if v == nil {
		return array.MakeArrayOfNull(mem, t, n), nil
	}
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(n)
	for range n {
		if err := appendScalar(b, v); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// appendScalar appends a Go value of the kind literals use to a builder.
func appendScalar(b array.Builder, v any) error {
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(v.(int8))
	case *array.Int16Builder:
		b.Append(v.(int16))
	case *array.Int32Builder:
		b.Append(v.(int32))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Uint8Builder:
		b.Append(v.(uint8))
	case *array.Uint16Builder:
		b.Append(v.(uint16))
	case *array.Uint32Builder:
		b.Append(v.(uint32))
	case *array.Uint64Builder:
		b.Append(v.(uint64))
	case *array.Float32Builder:
		b.Append(v.(float32))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.BinaryBuilder:
		b.Append(v.([]byte))
	case *array.Date32Builder:
		b.Append(v.(arrow.Date32))
	default:
		return fmt.Errorf("%w: partition column of type %s", ErrUnsupportedType, b.Type())
	}
	return nil
}
