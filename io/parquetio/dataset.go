package parquetio

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/source"
)

// Dataset is a set of Parquet files read as one table. It implements
// source.Source. It keeps the footers' statistics, not open files, and is
// safe for concurrent use.
type Dataset struct {
	name   string
	schema *arrow.Schema
	fields []fieldInfo // one per schema field
	keys   []string    // partition columns, outermost directory first
	files  []*fileMeta
	stats  source.Stats // DistinctCount of data columns filled by the first Stats call
	opts   ReadOptions

	distinctOnce sync.Once
	sample       sampleConfig // bounds of the distinct-count sample (tests shrink them)

	scanCtr, sampleCtr ioCounters
	sampleValues       atomic.Int64
}

// ioCounters count the work of the readers of one kind (scans, or the
// distinct-count sample).
type ioCounters struct {
	rowGroups atomic.Int64
	chunks    atomic.Int64
	bytes     atomic.Int64
}

var _ source.Source = (*Dataset)(nil)

// fieldInfo says where a schema field comes from.
type fieldInfo struct {
	part        int   // index into keys for partition columns, -1 for data columns
	unsupported error // set for data columns Grain cannot read
}

// fileMeta is what the dataset keeps about one file.
type fileMeta struct {
	path  string
	size  int64
	rows  int64
	parts []any // partition values, one per key (nil: NULL)
	cols  []int // per field: index of the file's column, -1 when absent or a partition
	rgs   []rgMeta
}

// rgMeta describes one row group.
type rgMeta struct {
	rows   int64
	bytes  int64       // compressed bytes of all its columns
	chunks []chunkMeta // per field; zero for partitions and absent columns
}

// scannedFile is a file's footer reduced to what planning needs.
type scannedFile struct {
	found foundFile
	size  int64
	rows  int64
	cols  []columnDesc
	rgs   []scannedRG
}

type scannedRG struct {
	rows   int64
	bytes  int64
	chunks []chunkMeta // per file column
}

// Open reads the footers of the Parquet files named by paths (files,
// directories searched recursively, or glob patterns) and returns them as
// one dataset. Hive-style directories key=value become partition columns.
// Errors wrap ErrNoFiles, ErrCorruptFile (with the path),
// ErrSchemaMismatch, ErrBadPartition or the operating system's error.
func Open(ctx context.Context, paths []string, opts ReadOptions) (*Dataset, error) {
	found, err := discover(paths)
	if err != nil {
		return nil, err
	}
	scanned, err := scanFiles(ctx, found)
	if err != nil {
		return nil, err
	}
	d := &Dataset{name: "parquet " + strings.Join(paths, ", "), opts: opts, keys: found[0].keys, sample: defaultSample()}
	if err := d.resolveSchema(scanned); err != nil {
		return nil, err
	}
	d.stats = d.computeStats()
	return d, nil
}

// scanFiles reads every footer, a few files at a time.
func scanFiles(ctx context.Context, found []foundFile) ([]scannedFile, error) {
	out := make([]scannedFile, len(found))
	errs := make([]error, len(found))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(found), 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(found) || ctx.Err() != nil {
					return
				}
				out[i], errs[i] = scanFile(found[i])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanFile(ff foundFile) (scannedFile, error) {
	pf, err := openParquet(ff.path, false)
	if err != nil {
		return scannedFile{}, err
	}
	defer pf.Close()
	cols, err := fileColumns(pf.md)
	if err != nil {
		return scannedFile{}, corrupt(ff.path, "%w", err)
	}
	sf := scannedFile{found: ff, size: pf.size, rows: pf.md.NumRows, cols: cols}
	for i := range pf.md.RowGroups {
		rg := &pf.md.RowGroups[i]
		srg := scannedRG{rows: rg.NumRows, chunks: make([]chunkMeta, len(cols))}
		for j := range cols {
			c := &cols[j]
			if c.unsupported != nil {
				for k := c.leaf; k < c.leaf+c.leaves; k++ {
					srg.chunks[j].bytes += rg.Columns[k].MetaData.TotalCompressedSize
				}
				srg.chunks[j].nulls = -1
			} else {
				srg.chunks[j] = readChunkMeta(c, &rg.Columns[c.leaf].MetaData)
			}
			srg.bytes += srg.chunks[j].bytes
		}
		sf.rgs = append(sf.rgs, srg)
	}
	return sf, nil
}

// Name identifies the dataset in EXPLAIN output.
func (d *Dataset) Name() string { return d.name }

// Schema returns the data columns followed by the partition columns (or
// the explicit schema given to Open).
func (d *Dataset) Schema() *arrow.Schema { return d.schema }

// Stats returns row count, compressed bytes and per-column null counts and
// min/max from the footers and partition values, timestamps in the
// column's unit and decimals as float64. Distinct counts are exact for
// partition columns; for data columns the first call estimates them from a
// bounded sample of the data (see doc.go, "Statistics"), and leaves them at
// -1 for columns it cannot sample or when reading the sample fails. Later
// calls return the cached result. Stats is safe for concurrent use.
func (d *Dataset) Stats() source.Stats {
	d.distinctOnce.Do(d.sampleDistinct)
	out := d.stats
	out.Columns = append([]source.ColumnStats(nil), d.stats.Columns...)
	return out
}

// Files returns the paths of the dataset's files in scan order.
func (d *Dataset) Files() []string {
	out := make([]string, len(d.files))
	for i, f := range d.files {
		out[i] = f.path
	}
	return out
}

// PartitionColumns returns the names of the hive partition columns,
// outermost directory first.
func (d *Dataset) PartitionColumns() []string { return append([]string(nil), d.keys...) }

// Counters counts the work readers of a dataset have done. The reads of
// the distinct-count sample (the first Stats call) are counted apart, in
// the Sample fields, so that the scan counters describe scans only.
type Counters struct {
	RowGroups    int64 // row groups opened by scans
	ColumnChunks int64 // column chunks fetched and decoded by scans
	Bytes        int64 // compressed bytes fetched from files by scans

	SampleRowGroups int64 // row groups opened by the distinct-count sample
	SampleValues    int64 // column values it decoded (rows × columns)
	SampleBytes     int64 // compressed bytes it fetched
}

// Counters returns what the dataset's readers have read so far. Tests use
// it to prove that pruned row groups are never read and that the
// distinct-count sample stays within its bounds.
func (d *Dataset) Counters() Counters {
	return Counters{
		RowGroups:       d.scanCtr.rowGroups.Load(),
		ColumnChunks:    d.scanCtr.chunks.Load(),
		Bytes:           d.scanCtr.bytes.Load(),
		SampleRowGroups: d.sampleCtr.rowGroups.Load(),
		SampleValues:    d.sampleValues.Load(),
		SampleBytes:     d.sampleCtr.bytes.Load(),
	}
}

// computeStats aggregates footer statistics per field.
func (d *Dataset) computeStats() source.Stats {
	st := source.Stats{Columns: make([]source.ColumnStats, len(d.fields))}
	for _, f := range d.files {
		st.Rows += f.rows
		for _, rg := range f.rgs {
			st.Bytes += rg.bytes
		}
	}
	for i, fi := range d.fields {
		typ := d.schema.Field(i).Type
		if fi.part >= 0 {
			st.Columns[i] = partitionStats(d.files, fi.part, typ)
		} else {
			st.Columns[i] = columnStats(d.files, i, typ)
		}
	}
	return st
}

func partitionStats(files []*fileMeta, key int, typ arrow.DataType) source.ColumnStats {
	cs := source.ColumnStats{}
	distinct := map[string]bool{}
	for _, f := range files {
		v := f.parts[key]
		if v == nil {
			cs.NullCount += f.rows
			continue
		}
		distinct[formatPartitionValue(v)] = true
		cs.Min = minMax(typ, cs.Min, v, -1)
		cs.Max = minMax(typ, cs.Max, v, 1)
	}
	cs.DistinctCount = int64(len(distinct))
	return cs
}

func columnStats(files []*fileMeta, field int, typ arrow.DataType) source.ColumnStats {
	cs := source.ColumnStats{DistinctCount: -1}
	minOK := true
	for _, f := range files {
		if f.cols[field] < 0 {
			cs.NullCount += f.rows
			continue
		}
		for _, rg := range f.rgs {
			c := rg.chunks[field]
			if cs.NullCount >= 0 {
				if c.nulls < 0 {
					cs.NullCount = -1
				} else {
					cs.NullCount += c.nulls
				}
			}
			switch {
			case c.nulls == rg.rows:
				// all NULL: no bounds needed
			case c.min == nil || c.max == nil:
				minOK = false
			default:
				cs.Min = minMax(typ, cs.Min, c.min, -1)
				cs.Max = minMax(typ, cs.Max, c.max, 1)
			}
		}
	}
	if !minOK {
		cs.Min, cs.Max = nil, nil
	}
	return cs
}

// minMax keeps the smaller (dir -1) or larger (dir 1) of cur and v.
func minMax(typ arrow.DataType, cur, v any, dir int) any {
	if cur == nil {
		return v
	}
	c, ok := compareValues(typ, v, cur)
	if ok && c*dir > 0 {
		return v
	}
	return cur
}

// String describes the dataset for logs and errors.
func (d *Dataset) String() string {
	return fmt.Sprintf("%s (%d files)", d.name, len(d.files))
}
