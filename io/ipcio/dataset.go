package ipcio

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/internal/fileio"
	"github.com/grainql/grain/io/source"
)

// extensions are the file names a directory scan picks up.
var extensions = []string{".arrow", ".arrows", ".ipc", ".feather"}

// DefaultBatchSize is the number of rows per record when a ScanRequest
// leaves BatchSize at zero.
const DefaultBatchSize = 4096

// Dataset is a set of Arrow IPC files (file or stream format) with one
// schema. It implements source.Source and is safe for concurrent use.
type Dataset struct {
	name      string
	files     []file
	schema    *arrow.Schema
	splitRows int64
}

// file is one scanned file of a dataset.
type file struct {
	path string
	size int64
	*layout
}

var (
	_ source.Source = (*Dataset)(nil)
	_ source.Split  = (*split)(nil)
	_ source.Reader = (*reader)(nil)
)

// Open describes the Arrow IPC files named by paths: files, globs or
// directories (searched recursively for *.arrow, *.arrows, *.ipc and
// *.feather; names starting with "." or "_" are skipped). Each file may be
// in the file or the stream format (told apart by the "ARROW1" magic). Open
// reads each file's message headers, not its data, to learn the schema,
// where the record batches lie and how many rows they hold. All files must
// have the same column names and types.
func Open(ctx context.Context, paths []string, opts ReadOptions) (*Dataset, error) {
	files, err := fileio.Expand(paths, extensions)
	if err != nil {
		return nil, fmt.Errorf("ipc: %w", err)
	}
	d := &Dataset{name: strings.Join(paths, ","), splitRows: opts.SplitRows}
	if d.splitRows == 0 {
		d.splitRows = DefaultSplitRows
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fi, schema, err := scanFile(f.Path)
		if err != nil {
			return nil, err
		}
		if d.schema == nil {
			for _, fd := range schema.Fields() {
				if err := checkType(fd.Type); err != nil {
					return nil, fmt.Errorf("ipc: %s: column %q: %w", f.Path, fd.Name, err)
				}
			}
			d.schema = schema
		} else if err := sameColumns(d.schema, schema); err != nil {
			return nil, fmt.Errorf("ipc: %w: %s: %w", ErrSchemaMismatch, f.Path, err)
		}
		d.files = append(d.files, fi)
	}
	return d, nil
}

// scanFile reads the layout and schema of one file.
func scanFile(path string) (file, *arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return file{}, nil, fmt.Errorf("ipc: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return file{}, nil, fmt.Errorf("ipc: %w", err)
	}
	l, schema, err := scanLayout(f, path, st.Size())
	if err != nil {
		return file{}, nil, err
	}
	return file{path: path, size: st.Size(), layout: l}, schema, nil
}

// scanLayout reads the message layout and the schema of an open file.
func scanLayout(f io.ReaderAt, path string, size int64) (*layout, *arrow.Schema, error) {
	var l *layout
	var schema *arrow.Schema
	err := guard(path, func() error {
		var err error
		if l, err = scanMessages(f, size); err != nil {
			return corrupt(path, err)
		}
		sr := io.NewSectionReader(f, l.schema.off, l.schema.end-l.schema.off)
		r, err := ipc.NewReader(sr, ipc.WithAllocator(memory.NewGoAllocator()))
		if err != nil {
			return corrupt(path, err)
		}
		defer r.Release()
		schema = r.Schema()
		return nil
	})
	return l, schema, err
}

// sameColumns checks that b has a's column names and types.
func sameColumns(a, b *arrow.Schema) error {
	if a.NumFields() != b.NumFields() {
		return fmt.Errorf("%d columns, want %d", b.NumFields(), a.NumFields())
	}
	for i, f := range a.Fields() {
		g := b.Field(i)
		if f.Name != g.Name || !arrow.TypeEqual(f.Type, g.Type) {
			return fmt.Errorf("column %d is %s %s, want %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}

// Name returns the paths the dataset was opened with.
func (d *Dataset) Name() string { return d.name }

// Schema returns the schema of the first file.
func (d *Dataset) Schema() *arrow.Schema { return d.schema }

// Files returns the paths of the dataset's files, in scan order.
func (d *Dataset) Files() []string {
	out := make([]string, len(d.files))
	for i, f := range d.files {
		out[i] = f.path
	}
	return out
}

// Stats returns the exact row count (from the batch headers) and the
// total file size.
func (d *Dataset) Stats() source.Stats {
	st := source.Stats{}
	for _, f := range d.files {
		st.Rows += f.rows
		st.Bytes += f.size
	}
	return st
}

// Splits groups consecutive record batches of each file into splits of
// about SplitRows rows. A file whose dictionaries change between batches
// is read as one split. Filters are not used; Columns are applied after
// reading whole batches (IPC stores a batch's columns together).
func (d *Dataset) Splits(ctx context.Context, req source.ScanRequest) ([]source.Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	proj, err := d.projection(req.Columns)
	if err != nil {
		return nil, err
	}
	batch := int64(req.BatchSize)
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	var out []source.Split
	for i := range d.files {
		f := &d.files[i]
		for first := 0; first < len(f.batches); {
			last, rows := first, int64(0)
			for last < len(f.batches) && (last == first || f.lateDicts || d.splitRows < 0 || rows+f.batches[last].rows <= d.splitRows) {
				rows += f.batches[last].rows
				last++
			}
			out = append(out, &split{d: d, file: f, first: first, last: last, rows: rows, proj: proj, batch: batch})
			first = last
		}
	}
	return out, nil
}

// projection is the output shape of a scan.
type projection struct {
	cols   []int // source column of each output column
	schema *arrow.Schema
}

func (d *Dataset) projection(cols []int) (*projection, error) {
	p := &projection{cols: cols}
	if cols == nil {
		p.cols = make([]int, d.schema.NumFields())
		for i := range p.cols {
			p.cols[i] = i
		}
	}
	fields := make([]arrow.Field, len(p.cols))
	for i, c := range p.cols {
		if c < 0 || c >= d.schema.NumFields() {
			return nil, fmt.Errorf("ipc %s: column index %d out of range", d.name, c)
		}
		fields[i] = d.schema.Field(c)
	}
	md := d.schema.Metadata()
	p.schema = arrow.NewSchema(fields, &md)
	return p, nil
}

// split is a run of consecutive record batches of one file.
type split struct {
	d           *Dataset
	file        *file
	first, last int // batches [first, last)
	rows        int64
	proj        *projection
	batch       int64
}

// Rows is the exact number of rows of the split's batches.
func (s *split) Rows() int64 { return s.rows }

// String names the file and the batches.
func (s *split) String() string {
	if s.first == 0 && s.last == len(s.file.batches) {
		return s.file.path
	}
	return fmt.Sprintf("%s[batches %d-%d]", s.file.path, s.first, s.last-1)
}

// sections returns the byte ranges to read, in order: the schema, the
// dictionaries, then the batches (with any dictionaries between them).
func (s *split) sections() []section {
	l := s.file.layout
	out := []section{l.schema}
	if l.lateDicts {
		// One split per file: everything after the schema, in file order.
		return append(out, section{off: l.schema.end, end: l.batches[len(l.batches)-1].end})
	}
	for _, m := range l.dicts {
		out = append(out, m.section)
	}
	return append(out, section{off: l.batches[s.first].off, end: l.batches[s.last-1].end})
}

// maxAlloc bounds any single allocation while reading the split: no buffer
// of an uncompressed body is larger than the body; compressed buffers may
// expand, up to a generous ratio.
func (s *split) maxAlloc() int {
	l := s.file.layout
	var body int64
	compressed := false
	for _, m := range l.dicts {
		body = max(body, m.body)
	}
	for _, m := range l.batches[s.first:s.last] {
		body = max(body, m.body)
		compressed = compressed || m.compressed
	}
	if compressed || len(l.dicts) > 0 && anyCompressed(l.batches) {
		return int(max(256<<20, 1024*body))
	}
	return int(body) + 4096
}

func anyCompressed(ms []message) bool {
	for _, m := range ms {
		if m.compressed {
			return true
		}
	}
	return false
}

// Open starts reading the split; records are allocated from mem.
func (s *split) Open(ctx context.Context, mem memory.Allocator) (source.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return newReader(s, mem)
}
