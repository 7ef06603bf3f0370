package parquetio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go"
)

// Atomic writes.
//
//	dir/_temporary/<id>/k=v/part-00000-<id>.parquet   written here first
//	        │  every input record consumed, every footer written
//	        ▼  rename, one file at a time
//	dir/k=v/part-00000-<id>.parquet                    then old files removed (Overwrite)
//
// Readers skip _temporary, so they never see a partial file. A failed or
// cancelled write removes its staging directory and leaves dir as it was;
// Overwrite deletes the old files only after every new file is in place.

// stagingDir is the directory, inside the output directory, where files
// are written before they are committed.
const stagingDir = "_temporary"

// maxOpenWriters bounds the files a partitioned write keeps open; beyond
// it the least recently used file is finished (its partition continues in
// a new file).
const maxOpenWriters = 64

// Write consumes records from next until it returns io.EOF and writes them
// as Parquet files under dir. Write releases every record next returns.
// Records must have schema's column names and types. Errors wrap
// ErrPathExists (ErrorIfExists mode), ErrSchemaMismatch,
// ErrUnsupportedType, the context's error or next's error; after an error
// dir holds exactly what it held before.
func Write(ctx context.Context, dir string, schema *arrow.Schema, next func(context.Context) (arrow.Record, error), opts WriteOptions) (*WriteResult, error) {
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	if opts.TargetRows < 0 || opts.TargetBytes < 0 {
		return nil, errors.New("parquet write: negative file target")
	}
	w, err := newDatasetWriter(dir, schema, &opts)
	if err != nil {
		return nil, err
	}
	exists, err := hasEntries(dir)
	if err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	switch {
	case exists && opts.Mode == ErrorIfExists:
		return nil, fmt.Errorf("%w: %s", ErrPathExists, dir)
	case exists && opts.Mode == Ignore:
		return &WriteResult{}, nil
	}
	created := false
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(w.stage, 0o755); err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			w.abort()
			removeStaging(dir, w.stage, created)
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("parquet write: %w", err)
		}
		rec, err := next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parquet write: %w", err)
		}
		if rec == nil {
			return nil, errors.New("parquet write: next returned neither a record nor an error")
		}
		if err := ctx.Err(); err != nil {
			rec.Release()
			return nil, fmt.Errorf("parquet write: %w", err)
		}
		err = w.write(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	res, err := w.commit(opts.Mode == Overwrite)
	if err != nil {
		return nil, err
	}
	committed = true
	removeStaging(dir, w.stage, false)
	return res, nil
}

// hasEntries reports whether dir exists and holds anything besides the
// staging directory of other writes.
func hasEntries(dir string) (bool, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range ents {
		if e.Name() != stagingDir {
			return true, nil
		}
	}
	return false, nil
}

// removeStaging deletes a write's staging directory, _temporary when no
// other write uses it, and dir when the write created it and it is empty.
func removeStaging(dir, stage string, created bool) {
	os.RemoveAll(stage)
	os.Remove(filepath.Join(dir, stagingDir))
	if created {
		os.Remove(dir)
	}
}

// datasetWriter routes rows to one open file per partition directory.
type datasetWriter struct {
	dir, stage, id string
	schema         *arrow.Schema
	dataIdx        []int // schema indexes of stored columns
	partIdx        []int // schema indexes of partition columns
	fields         []arrow.Field
	pschema        *parquet.Schema
	opts           *WriteOptions
	open           map[string]*fileWriter // by partition path ("" when unpartitioned)
	done           []*fileWriter
	seq            int
	clock          int64
	rows           int64
}

func newDatasetWriter(dir string, schema *arrow.Schema, opts *WriteOptions) (*datasetWriter, error) {
	var idb [8]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	w := &datasetWriter{dir: dir, schema: schema, opts: opts, id: hex.EncodeToString(idb[:]), open: map[string]*fileWriter{}}
	w.stage = filepath.Join(dir, stagingDir, w.id)
	isPart := map[int]bool{}
	for _, name := range opts.PartitionBy {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%w: partition column %q is not exactly one column of the schema", ErrSchemaMismatch, name)
		}
		if isPart[idx[0]] {
			return nil, fmt.Errorf("%w: partition column %q listed twice", ErrSchemaMismatch, name)
		}
		if err := checkPartitionType(schema.Field(idx[0])); err != nil {
			return nil, err
		}
		isPart[idx[0]] = true
		w.partIdx = append(w.partIdx, idx[0])
	}
	for i, f := range schema.Fields() {
		if !isPart[i] {
			w.dataIdx = append(w.dataIdx, i)
			w.fields = append(w.fields, f)
		}
	}
	if len(w.fields) == 0 {
		return nil, fmt.Errorf("%w: every column is a partition column; nothing would be stored in the files", ErrSchemaMismatch)
	}
	var err error
	if w.pschema, err = parquetSchema(w.fields); err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	return w, nil
}

func checkPartitionType(f arrow.Field) error {
	switch f.Type.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.BINARY, arrow.DATE32:
		return nil
	}
	return fmt.Errorf("%w: cannot partition by %q of type %s", ErrUnsupportedType, f.Name, f.Type)
}

// write routes the rows of one record.
func (w *datasetWriter) write(rec arrow.Record) error {
	if err := w.checkSchema(rec.Schema()); err != nil {
		return err
	}
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(w.dataIdx))
	for i, c := range w.dataIdx {
		cols[i] = rec.Column(c)
	}
	if len(w.partIdx) == 0 {
		return w.writeRows("", cols, nil, 0, n)
	}
	for _, g := range w.groupRows(rec) {
		if err := w.writeRows(g.rel, cols, g.sel, 0, len(g.sel)); err != nil {
			return err
		}
	}
	return nil
}

func (w *datasetWriter) checkSchema(s *arrow.Schema) error {
	ok := s.NumFields() == w.schema.NumFields()
	for i := 0; ok && i < s.NumFields(); i++ {
		a, b := s.Field(i), w.schema.Field(i)
		ok = a.Name == b.Name && arrow.TypeEqual(a.Type, b.Type)
	}
	if !ok {
		return fmt.Errorf("%w: record schema %s differs from the write's schema %s", ErrSchemaMismatch, s, w.schema)
	}
	return nil
}

// writeRows writes rows [lo, hi) (of sel when set) to the partition's
// files, starting a new file whenever one reaches its target.
func (w *datasetWriter) writeRows(rel string, cols []arrow.Array, sel []int32, lo, hi int) error {
	for lo < hi {
		fw, err := w.writer(rel)
		if err != nil {
			return err
		}
		k := hi - lo
		if t := w.opts.TargetRows; t > 0 {
			k = int(min(int64(k), t-fw.rows))
		}
		if w.opts.TargetBytes > 0 {
			k = min(k, DefaultBatchSize) // check the size every few thousand rows
		}
		if err := fw.write(cols, sel, lo, lo+k, w.opts.RowGroupRows); err != nil {
			return fmt.Errorf("parquet write %s: %w", fw.final, err)
		}
		w.rows += int64(k)
		lo += k
		if (w.opts.TargetRows > 0 && fw.rows >= w.opts.TargetRows) || (w.opts.TargetBytes > 0 && fw.size() >= w.opts.TargetBytes) {
			if err := w.closeWriter(rel); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer returns the open file of a partition, starting one if needed.
func (w *datasetWriter) writer(rel string) (*fileWriter, error) {
	w.clock++
	if fw, ok := w.open[rel]; ok {
		fw.used = w.clock
		return fw, nil
	}
	if len(w.open) >= maxOpenWriters {
		oldest, first := "", true
		for k, fw := range w.open {
			if first || fw.used < w.open[oldest].used {
				oldest, first = k, false
			}
		}
		if err := w.closeWriter(oldest); err != nil {
			return nil, err
		}
	}
	name := fmt.Sprintf("part-%05d-%s.parquet", w.seq, w.id)
	w.seq++
	stageDir := filepath.Join(w.stage, filepath.FromSlash(rel))
	if err := os.MkdirAll(stageDir, 0o755); err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	final := filepath.Join(w.dir, filepath.FromSlash(rel), name)
	fw, err := newFileWriter(filepath.Join(stageDir, name), final, w.pschema, w.fields, w.opts)
	if err != nil {
		return nil, fmt.Errorf("parquet write: %w", err)
	}
	fw.used = w.clock
	w.open[rel] = fw
	return fw, nil
}

func (w *datasetWriter) closeWriter(rel string) error {
	fw := w.open[rel]
	delete(w.open, rel)
	w.done = append(w.done, fw)
	if err := fw.close(); err != nil {
		return fmt.Errorf("parquet write %s: %w", fw.final, err)
	}
	return nil
}

// finish closes every open file. An unpartitioned write of no rows still
// produces one file, so the data set can be read back with its schema.
func (w *datasetWriter) finish() error {
	if len(w.partIdx) == 0 && len(w.done) == 0 && len(w.open) == 0 {
		if _, err := w.writer(""); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(w.open))
	for k := range w.open {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := w.closeWriter(k); err != nil {
			return err
		}
	}
	return nil
}

// abort closes open files without finishing them.
func (w *datasetWriter) abort() {
	for _, fw := range w.open {
		fw.abort()
	}
	w.open = nil
}

// commit moves the staged files into dir; with overwrite it then deletes
// the files dir held before.
func (w *datasetWriter) commit(overwrite bool) (*WriteResult, error) {
	var old []string
	var oldDirs []string
	if overwrite {
		err := filepath.WalkDir(w.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path == filepath.Join(w.dir, stagingDir) {
				return filepath.SkipDir
			}
			if d.IsDir() {
				if path != w.dir {
					oldDirs = append(oldDirs, path)
				}
				return nil
			}
			old = append(old, path)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("parquet write: list old data: %w", err)
		}
	}
	res := &WriteResult{Rows: w.rows}
	for _, fw := range w.done {
		err := os.MkdirAll(filepath.Dir(fw.final), 0o755)
		if err == nil {
			err = os.Rename(fw.path, fw.final)
		}
		if err != nil {
			for _, f := range res.Files {
				os.Remove(f)
			}
			return nil, fmt.Errorf("parquet write: commit %s: %w", fw.final, err)
		}
		res.Files = append(res.Files, fw.final)
		if st, err := os.Stat(fw.final); err == nil {
			res.Bytes += st.Size()
		}
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, fmt.Errorf("parquet write: new data is in place but removing old file %s failed: %w", f, err)
		}
	}
	// Deepest first, so emptied parents go too; directories holding new
	// files are not empty and stay.
	slices.SortFunc(oldDirs, func(a, b string) int {
		return strings.Count(b, string(filepath.Separator)) - strings.Count(a, string(filepath.Separator))
	})
	for _, d := range oldDirs {
		os.Remove(d)
	}
	return res, nil
}
