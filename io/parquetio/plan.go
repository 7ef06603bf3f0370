package parquetio

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/source"
)

// ScanPlan is the result of planning a scan: the splits and what pruning
// removed. Row groups of skipped files count as skipped row groups.
type ScanPlan struct {
	Splits           []source.Split
	Files            int // files in the dataset
	FilesSkipped     int // files with no row group left to read
	RowGroups        int // row groups in the dataset
	RowGroupsSkipped int // row groups whose statistics exclude every match
}

// Splits plans a scan; see Plan.
func (d *Dataset) Splits(ctx context.Context, req source.ScanRequest) ([]source.Split, error) {
	p, err := d.Plan(ctx, req)
	if err != nil {
		return nil, err
	}
	return p.Splits, nil
}

// Plan prunes files by partition values and row groups by footer
// statistics using req.Filters, then packs the remaining row groups into
// splits of about MaxSplitBytes of projected compressed data, charging
// OpenCostBytes for every file a split opens. A projected column Grain
// cannot read fails here with ErrUnsupportedType.
func (d *Dataset) Plan(ctx context.Context, req source.ScanRequest) (*ScanPlan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cols := req.Columns
	if cols == nil {
		cols = make([]int, len(d.fields))
		for i := range cols {
			cols[i] = i
		}
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		if c < 0 || c >= len(d.fields) {
			return nil, fmt.Errorf("parquet: column index %d out of range [0, %d)", c, len(d.fields))
		}
		if err := d.fields[c].unsupported; err != nil {
			return nil, err
		}
		fields[i] = d.schema.Field(c)
	}
	batch := req.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	p := compileFilters(d.schema, req.Filters)
	plan := &ScanPlan{Files: len(d.files)}
	var units []unit
	for fi, f := range d.files {
		plan.RowGroups += len(f.rgs)
		n := len(units)
		if p == nil || p.canMatch(fileUnit{d: d, f: f}) {
			for ri := range f.rgs {
				rg := &f.rgs[ri]
				if rg.rows == 0 || (p != nil && !p.canMatch(rgUnit{d: d, f: f, rg: rg})) {
					continue
				}
				units = append(units, unit{file: fi, rg: ri, rows: rg.rows, bytes: projectedBytes(f, rg, cols)})
			}
		}
		if len(units) == n {
			plan.FilesSkipped++
		}
		plan.RowGroupsSkipped += len(f.rgs) - (len(units) - n)
	}
	sch := arrow.NewSchema(fields, nil)
	for _, g := range d.pack(units) {
		plan.Splits = append(plan.Splits, &split{d: d, cols: cols, schema: sch, batch: batch, units: g, ctr: &d.scanCtr})
	}
	return plan, nil
}

// unit is one row group to read.
type unit struct {
	file, rg int
	rows     int64
	bytes    int64 // compressed bytes of the projected columns
	take     int64 // read only the first take rows (0: all); the sample's prefixes
}

func projectedBytes(f *fileMeta, rg *rgMeta, cols []int) int64 {
	var n int64
	for _, c := range cols {
		n += rg.chunks[c].bytes
	}
	return n
}

// pack groups units, in file order, into splits (Spark's file packing,
// next-fit without sorting so the scan order stays the file order).
func (d *Dataset) pack(units []unit) [][]unit {
	maxBytes := cmpOr(d.opts.MaxSplitBytes, DefaultMaxSplitBytes)
	openCost := cmpOr(d.opts.OpenCostBytes, DefaultOpenCostBytes)
	par := int64(d.opts.Parallelism)
	if par <= 0 {
		par = int64(runtime.GOMAXPROCS(0))
	}
	var total int64
	for i, u := range units {
		total += u.bytes
		if i == 0 || units[i-1].file != u.file {
			total += openCost
		}
	}
	// Like Spark: never more than a core's share, never less than one open cost.
	target := min(maxBytes, max(openCost, total/par))
	var out [][]unit
	var cur []unit
	var size int64
	for _, u := range units {
		cost := u.bytes
		if len(cur) == 0 || cur[len(cur)-1].file != u.file {
			cost += openCost
		}
		if len(cur) > 0 && size+cost > target {
			out = append(out, cur)
			cur, size = nil, 0
			cost = u.bytes + openCost
		}
		cur = append(cur, u)
		size += cost
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func cmpOr(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// fileUnit exposes a file's partition values to pruning (data columns are
// unknown at that level).
type fileUnit struct {
	d *Dataset
	f *fileMeta
}

func (u fileUnit) rows() int64 { return u.f.rows }

func (u fileUnit) field(i int) (int64, any, any) {
	if k := u.d.fields[i].part; k >= 0 {
		return constantStats(u.f.parts[k], u.f.rows)
	}
	if u.f.cols[i] < 0 {
		return u.f.rows, nil, nil // absent column: all NULL
	}
	return -1, nil, nil
}

// constantStats describes rows rows holding the value v (nil: NULL).
func constantStats(v any, rows int64) (int64, any, any) {
	if v == nil {
		return rows, nil, nil
	}
	return 0, v, v
}

// rgUnit exposes a row group's statistics to pruning.
type rgUnit struct {
	d  *Dataset
	f  *fileMeta
	rg *rgMeta
}

func (u rgUnit) rows() int64 { return u.rg.rows }

func (u rgUnit) field(i int) (int64, any, any) {
	if k := u.d.fields[i].part; k >= 0 {
		return constantStats(u.f.parts[k], u.rg.rows)
	}
	if u.f.cols[i] < 0 {
		return u.rg.rows, nil, nil
	}
	c := &u.rg.chunks[i]
	return c.nulls, c.min, c.max
}

// split is a group of row groups read by one task.
type split struct {
	d      *Dataset
	cols   []int
	schema *arrow.Schema // projected
	batch  int
	units  []unit
	ctr    *ioCounters // where its readers count their work
}

var _ source.Split = (*split)(nil)

// Rows is the exact number of rows in the split's row groups.
func (s *split) Rows() int64 {
	var n int64
	for _, u := range s.units {
		n += u.rows
	}
	return n
}

func (s *split) String() string {
	files := 1
	for i := 1; i < len(s.units); i++ {
		if s.units[i].file != s.units[i-1].file {
			files++
		}
	}
	first := filepath.Base(s.d.files[s.units[0].file].path)
	return fmt.Sprintf("parquet[%s: %d row groups in %d files, %d rows]", first, len(s.units), files, s.Rows())
}

// Open starts reading the split; records are allocated from mem.
func (s *split) Open(ctx context.Context, mem memory.Allocator) (source.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &reader{s: s, mem: mem}, nil
}
