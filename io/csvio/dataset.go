package csvio

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/internal/fileio"
	"github.com/grainql/grain/io/source"
)

// extensions are the file names a directory scan picks up.
var extensions = []string{".csv", ".tsv", ".csv.gz", ".tsv.gz"}

// Dataset is a set of CSV files with one schema. It implements
// source.Source and is safe for concurrent use.
type Dataset struct {
	name    string
	files   []fileio.File
	schema  *arrow.Schema
	header  []string // header every file must repeat (inferred schemas only)
	cfg     readConfig
	skipped atomic.Int64

	mu     sync.Mutex
	bounds map[int][]boundary // record boundaries found per file
}

var (
	_ source.Source = (*Dataset)(nil)
	_ source.Split  = (*split)(nil)
	_ source.Reader = (*reader)(nil)
)

// Open describes the CSV files named by paths: files, globs or directories
// (searched recursively for *.csv, *.tsv and their .gz forms; names
// starting with "." or "_" are skipped). Files ending in .gz are
// decompressed. With no explicit schema, Open reads the first rows to infer
// one; otherwise it only lists the files. Every file must have the same
// columns; with a header, the same header.
func Open(ctx context.Context, paths []string, opts ReadOptions) (*Dataset, error) {
	cfg, err := opts.config()
	if err != nil {
		return nil, err
	}
	files, err := fileio.Expand(paths, extensions)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	d := &Dataset{name: strings.Join(paths, ","), files: files, cfg: cfg, bounds: map[int][]boundary{}}
	if opts.Schema != nil {
		for _, f := range opts.Schema.Fields() {
			if _, err := newColumn(nil, f.Type); err != nil { // checks the type only
				return nil, fmt.Errorf("csv: column %q: %w", f.Name, err)
			}
		}
		d.schema = opts.Schema
		return d, nil
	}
	if d.schema, d.header, err = inferSchema(ctx, files, &d.cfg); err != nil {
		return nil, err
	}
	return d, nil
}

// Name returns the paths the dataset was opened with.
func (d *Dataset) Name() string { return d.name }

// Schema returns the explicit or inferred schema.
func (d *Dataset) Schema() *arrow.Schema { return d.schema }

// Files returns the paths of the dataset's files, in scan order.
func (d *Dataset) Files() []string {
	out := make([]string, len(d.files))
	for i, f := range d.files {
		out[i] = f.Path
	}
	return out
}

// Stats returns the total file size; the row count is unknown (-1)
// without reading the files.
func (d *Dataset) Stats() source.Stats {
	var bytes int64
	for _, f := range d.files {
		bytes += f.Size
	}
	return source.Stats{Rows: -1, Bytes: bytes}
}

// SkippedRows returns how many malformed rows scans of this dataset have
// dropped so far (with SkipMalformed). It is cumulative over all readers.
func (d *Dataset) SkippedRows() int64 { return d.skipped.Load() }

// Splits returns one split per file, or several for a file larger than
// SplitBytes (not for .gz files), cut at record boundaries found by a
// pre-scan of the file that is done once and remembered. Filters are not
// used. Columns select the columns to build; every field of every row is
// still split, so a malformed row is found whatever the projection, but
// values of columns left out are not parsed.
func (d *Dataset) Splits(ctx context.Context, req source.ScanRequest) ([]source.Split, error) {
	proj, err := d.projection(req.Columns)
	if err != nil {
		return nil, err
	}
	batch := req.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	var out []source.Split
	for i, f := range d.files {
		if f.Size == 0 {
			continue
		}
		bounds, err := d.boundaries(ctx, i)
		if err != nil {
			return nil, err
		}
		start := boundary{off: 0, line: 1}
		for k := 0; k <= len(bounds); k++ {
			end := int64(-1) // to the end of the file
			if k < len(bounds) {
				end = bounds[k].off
			}
			out = append(out, &split{d: d, file: i, start: start, end: end, proj: proj, batch: batch})
			if k < len(bounds) {
				start = bounds[k]
			}
		}
	}
	return out, nil
}

// projection checks cols and returns the projected schema.
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
			return nil, fmt.Errorf("csv %s: column index %d out of range", d.name, c)
		}
		fields[i] = d.schema.Field(c)
	}
	md := d.schema.Metadata()
	p.schema = arrow.NewSchema(fields, &md)
	return p, nil
}

// projection is the output shape of a scan.
type projection struct {
	cols   []int // source column of each output column
	schema *arrow.Schema
}

// boundaries returns (and caches) the split points of file i; none for
// files that are small, compressed, or when splitting is off.
func (d *Dataset) boundaries(ctx context.Context, i int) ([]boundary, error) {
	f := d.files[i]
	if d.cfg.splitBytes < 0 || f.Size <= d.cfg.splitBytes || isGzip(f.Path) {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if b, ok := d.bounds[i]; ok {
		return b, nil
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	defer fh.Close()
	b, err := findBoundaries(ctx, fh, &d.cfg, d.cfg.splitBytes)
	if err != nil {
		return nil, fmt.Errorf("csv: find splits of %s: %w", f.Path, err)
	}
	if d.cfg.header {
		// The first split must hold the header, which may follow blank lines.
		if _, err := fh.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		sc := newScanner(fh, &d.cfg, 1, f.Size)
		sc.skipBOM()
		nextNonBlank(sc)
		if err := scanErr(f.Path, sc); err != nil {
			return nil, err
		}
		end := sc.offset()
		for len(b) > 0 && b[0].off < end {
			b = b[1:]
		}
	}
	d.bounds[i] = b
	return b, nil
}

// split is a byte range of one file, starting at a record boundary.
type split struct {
	d     *Dataset
	file  int
	start boundary
	end   int64 // -1: end of file
	proj  *projection
	batch int
}

// Rows is unknown (-1) for CSV.
func (s *split) Rows() int64 { return -1 }

// String names the file and, for part of a file, the byte range.
func (s *split) String() string {
	p := s.d.files[s.file].Path
	if s.start.off == 0 && s.end < 0 {
		return p
	}
	end := s.end
	if end < 0 {
		end = s.d.files[s.file].Size
	}
	return fmt.Sprintf("%s[bytes %d-%d]", p, s.start.off, end)
}

// Open starts reading the split; records are allocated from mem.
func (s *split) Open(ctx context.Context, mem memory.Allocator) (source.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return newReader(s, mem)
}

// isGzip reports whether path names a gzip-compressed file.
func isGzip(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".gz") }

// openFile opens path for reading from the start, decompressing .gz files.
func openFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	if !isGzip(path) {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, &ParseError{Path: path, Line: 1, Msg: fmt.Sprintf("gzip: %v", err)}
	}
	return gzipFile{zr, f}, nil
}

// gzipFile closes both the decompressor and the file.
type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g gzipFile) Close() error {
	return errors.Join(g.Reader.Close(), g.f.Close())
}

// scanErr turns a scanner's read error, if any, into an error naming path.
func scanErr(path string, sc *scanner) error {
	switch {
	case sc.err == nil:
		return nil
	case errors.Is(sc.err, errTooLarge):
		return &ParseError{Path: path, Line: sc.line, Msg: sc.err.Error()}
	case errors.Is(sc.err, gzip.ErrChecksum), errors.Is(sc.err, gzip.ErrHeader), errors.Is(sc.err, io.ErrUnexpectedEOF):
		return &ParseError{Path: path, Line: sc.line, Msg: fmt.Sprintf("gzip: %v", sc.err)}
	}
	return fmt.Errorf("csv: read %s: %w", path, sc.err)
}

// isNull reports whether an unquoted field is one of the NULL texts.
func (c *readConfig) isNull(f []byte) bool {
	for _, n := range c.nulls {
		if string(f) == n {
			return true
		}
	}
	return false
}
