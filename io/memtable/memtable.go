package memtable

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/source"
)

// splitRows is the target number of rows per split.
const splitRows = 1 << 17

// Table is an in-memory Source. It is immutable once built.
type Table struct {
	name   string
	schema *arrow.Schema
	recs   []arrow.Record
	stats  source.Stats

	distinctOnce sync.Once // computes stats.Columns[*].DistinctCount lazily
}

var _ source.Source = (*Table)(nil)

// New builds a table from records sharing schema. It retains the records;
// the caller keeps its own references and releases them as usual. The
// returned table must be released with Release when no longer needed.
func New(name string, schema *arrow.Schema, recs []arrow.Record) (*Table, error) {
	t := &Table{name: name, schema: schema}
	var rows, bytes int64
	nulls := make([]int64, schema.NumFields())
	for i, r := range recs {
		if !r.Schema().Equal(schema) {
			t.Release()
			return nil, fmt.Errorf("memtable %q: record %d has schema %s, want %s", name, i, r.Schema(), schema)
		}
		if r.NumRows() == 0 {
			continue
		}
		r.Retain()
		t.recs = append(t.recs, r)
		rows += r.NumRows()
		for c, col := range r.Columns() {
			nulls[c] += int64(col.NullN())
			for _, buf := range col.Data().Buffers() {
				if buf != nil {
					bytes += int64(buf.Len())
				}
			}
		}
	}
	t.stats = source.Stats{Rows: rows, Bytes: bytes, Columns: make([]source.ColumnStats, len(nulls))}
	for c, n := range nulls {
		t.stats.Columns[c] = source.ColumnStats{NullCount: n, DistinctCount: -1}
	}
	return t, nil
}

// Release drops the table's references to its records.
func (t *Table) Release() {
	for _, r := range t.recs {
		r.Release()
	}
	t.recs = nil
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// Schema returns the table's schema.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Stats returns exact row, byte and null counts, and distinct counts that
// are exact up to 65,536 distinct values per column and a HyperLogLog
// estimate (about 0.8% standard error) above; columns of nested types have
// DistinctCount -1. The distinct counts are computed by the first call,
// which reads every value once (a few nanoseconds per value); later calls
// return the cached result. Stats is safe for concurrent use.
func (t *Table) Stats() source.Stats {
	t.distinctOnce.Do(t.computeDistinct)
	out := t.stats
	out.Columns = append([]source.ColumnStats(nil), t.stats.Columns...)
	return out
}

// Splits groups consecutive records into splits of about splitRows rows.
// Filters are not used: every row is returned.
func (t *Table) Splits(_ context.Context, req source.ScanRequest) ([]source.Split, error) {
	for _, c := range req.Columns {
		if c < 0 || c >= t.schema.NumFields() {
			return nil, fmt.Errorf("memtable %q: column index %d out of range", t.name, c)
		}
	}
	batch := req.BatchSize
	if batch <= 0 {
		batch = 4096
	}
	var splits []source.Split
	cur := &split{t: t, cols: req.Columns, batch: batch}
	for _, r := range t.recs {
		for off := int64(0); off < r.NumRows(); {
			n := min(r.NumRows()-off, splitRows-cur.rows)
			cur.parts = append(cur.parts, part{rec: r, off: off, n: n})
			cur.rows += n
			off += n
			if cur.rows >= splitRows {
				splits = append(splits, cur)
				cur = &split{t: t, cols: req.Columns, batch: batch}
			}
		}
	}
	if cur.rows > 0 {
		splits = append(splits, cur)
	}
	return splits, nil
}

type part struct {
	rec    arrow.Record
	off, n int64
}

type split struct {
	t     *Table
	cols  []int
	batch int
	parts []part
	rows  int64
}

func (s *split) Rows() int64 { return s.rows }

func (s *split) String() string {
	return fmt.Sprintf("%s[%d rows in %d records]", s.t.name, s.rows, len(s.parts))
}

func (s *split) Open(context.Context, memory.Allocator) (source.Reader, error) {
	return &reader{s: s}, nil
}

type reader struct {
	s    *split
	part int
	off  int64
}

func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for r.part < len(r.s.parts) {
		p := r.s.parts[r.part]
		if r.off >= p.n {
			r.part++
			r.off = 0
			continue
		}
		n := min(int64(r.s.batch), p.n-r.off)
		rec := p.rec.NewSlice(p.off+r.off, p.off+r.off+n)
		r.off += n
		return project(rec, r.s.cols), nil
	}
	return nil, io.EOF
}

func (r *reader) Close() error { return nil }

// project returns rec restricted to cols (nil: all), taking over rec's reference.
func project(rec arrow.Record, cols []int) arrow.Record {
	if cols == nil {
		return rec
	}
	defer rec.Release()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = rec.Schema().Field(c)
		arrs[i] = rec.Column(c)
	}
	md := rec.Schema().Metadata()
	return array.NewRecord(arrow.NewSchema(fields, &md), arrs, rec.NumRows())
}
