package parquetio

import (
	"context"
	"errors"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/io/internal/sketch"
	"github.com/grainql/grain/io/source"
)

// Bounds of the distinct-count sample (doc.go, "Statistics", says why).
const (
	// sampleRows is the most values decoded per column.
	sampleRows = 1 << 17
	// sampleMinGroups and sampleMaxGroups bound the row groups sampled:
	// at least 8 (or all), more when row groups are small, so that the
	// sample fills sampleRows, never more than 64.
	sampleMinGroups = 8
	sampleMaxGroups = 64
	// samplePassColumns is the number of columns sampled together: each
	// holds a frequency table of up to 4 MiB, so a pass holds 32 MiB at most.
	samplePassColumns = 8
	// sampleSubSegments cuts a sample taken from a single row group into
	// segments, so that clustering can still be seen (sketch.Sample).
	sampleSubSegments = 8
)

// sampleConfig holds the sample's bounds; tests shrink them.
type sampleConfig struct {
	rows                 int64
	minGroups, maxGroups int
	mem                  memory.Allocator // for the sample's batches
}

func defaultSample() sampleConfig {
	return sampleConfig{rows: sampleRows, minGroups: sampleMinGroups, maxGroups: sampleMaxGroups, mem: memory.NewGoAllocator()}
}

// sampleDistinct estimates DistinctCount for every data column it can
// hash. A column whose pass fails keeps -1: Stats has no error to return,
// and a dataset whose files are damaged or changed fails its scans anyway.
func (d *Dataset) sampleDistinct() {
	var cols []int
	for i, fi := range d.fields {
		if fi.part < 0 && fi.unsupported == nil && sketch.Supported(d.schema.Field(i).Type) {
			cols = append(cols, i)
		}
	}
	if d.stats.Rows == 0 {
		for _, c := range cols {
			d.stats.Columns[c].DistinctCount = 0
		}
		return
	}
	units := d.sampleUnits()
	if len(units) == 0 {
		return
	}
	for start := 0; start < len(cols); start += samplePassColumns {
		pass := cols[start:min(start+samplePassColumns, len(cols))]
		samples, err := d.samplePass(pass, units)
		if err != nil {
			continue
		}
		for j, c := range pass {
			cs := &d.stats.Columns[c]
			cs.DistinctCount = estimateDistinct(samples[j], cs, d.stats.Rows, boundValues(d.files, c))
		}
	}
}

// sampleUnits picks the row groups to sample, evenly spread over the
// dataset in scan order (the middle row group of each of B equal strata),
// and how many rows to take from the start of each.
func (d *Dataset) sampleUnits() []unit {
	var all []unit
	var rows int64
	for fi, f := range d.files {
		for ri, rg := range f.rgs {
			if rg.rows > 0 {
				all = append(all, unit{file: fi, rg: ri, rows: rg.rows})
				rows += rg.rows
			}
		}
	}
	cfg := d.sample
	if len(all) == 0 || cfg.rows <= 0 {
		return nil
	}
	avg := max(1, rows/int64(len(all)))
	b := int((cfg.rows + avg - 1) / avg)
	b = min(len(all), max(cfg.minGroups, min(cfg.maxGroups, b)))
	take := max(1, cfg.rows/int64(b))
	out := make([]unit, b)
	for i := range out {
		u := all[(2*i+1)*len(all)/(2*b)]
		u.take = min(take, u.rows)
		out[i] = u
	}
	return out
}

// colSample is the sample of one column.
type colSample struct {
	s     *sketch.Sample
	rows  int64 // rows sampled, NULLs included
	nulls int64
}

// samplePass reads the units' first rows of the given columns through the
// scan path (one split, its own counters) and feeds each column's hashes
// to a sketch.Sample, one segment per row group.
func (d *Dataset) samplePass(cols []int, units []unit) ([]colSample, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = d.schema.Field(c)
	}
	sp := &split{d: d, cols: cols, schema: arrow.NewSchema(fields, nil),
		batch: DefaultBatchSize, units: units, ctr: &d.sampleCtr}
	r := &reader{s: sp, mem: d.sample.mem}
	defer r.Close()
	out := make([]colSample, len(cols))
	for i := range out {
		out[i].s = sketch.NewSample()
	}
	cuts := segmentCuts(units)
	var hs []uint64
	var pos int64 // rows read so far
	ctx := context.Background()
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		n := rec.NumRows()
		d.sampleValues.Add(n * int64(len(cols)))
		for lo := int64(0); lo < n; {
			if len(cuts) > 0 && cuts[0] == pos+lo {
				for i := range out {
					out[i].s.Segment()
				}
				cuts = cuts[1:]
			}
			hi := n
			if len(cuts) > 0 {
				hi = min(hi, cuts[0]-pos)
			}
			for i := range out {
				hs, _ = sketch.AppendHashes(hs[:0], rec.Column(i), int(lo), int(hi))
				out[i].s.Add(hs)
				out[i].rows += hi - lo
				out[i].nulls += hi - lo - int64(len(hs))
			}
			lo = hi
		}
		pos += n
		rec.Release()
	}
}

// segmentCuts returns the row positions, in the sample's row order, where
// segments start: every unit's first row, and, when a single row group is
// sampled without all its rows, every 1/sampleSubSegments of it.
func segmentCuts(units []unit) []int64 {
	if len(units) == 1 && units[0].take < units[0].rows {
		out := []int64{0}
		for i := range int64(sampleSubSegments) {
			if c := i * units[0].take / sampleSubSegments; c > out[len(out)-1] {
				out = append(out, c)
			}
		}
		return out
	}
	var out []int64
	var pos int64
	for _, u := range units {
		out = append(out, pos)
		pos += u.take
	}
	return out
}

// estimateDistinct turns a column's sample into a distinct count for the
// dataset: the sample's estimate for the column's non-NULL values, raised
// to the number of distinct footer bounds (boundValues) and capped by the
// number of values the bounds allow (integers, dates, times). A sample that
// holds every value is exact and left alone.
func estimateDistinct(cs colSample, st *source.ColumnStats, rows int64, bounds int64) int64 {
	nonNull := rows - st.NullCount
	if st.NullCount < 0 {
		// Unknown NULL count: assume the sample's NULL fraction.
		nonNull = int64(math.Round(float64(rows) * float64(cs.rows-cs.nulls) / float64(max(1, cs.rows))))
	}
	if cs.s.Values() >= nonNull {
		return cs.s.Distinct()
	}
	est := max(cs.s.Estimate(nonNull), bounds)
	if span, ok := valueSpan(st.Min, st.Max); ok && span < float64(est) {
		est = max(cs.s.Distinct(), bounds, int64(span))
	}
	return est
}

// boundValues counts the distinct values among the footer bounds of a
// column's row groups. Each bound is a value of the column (only
// byte-array bounds may be truncated by writers, and those are left out),
// so the column holds at least that many: for a sorted column whose row
// groups each hold a few values, about all of them, which a sample of a
// few row groups cannot see.
func boundValues(files []*fileMeta, field int) int64 {
	set := map[any]struct{}{}
	for _, f := range files {
		if f.cols[field] < 0 {
			continue
		}
		for _, rg := range f.rgs {
			for _, v := range []any{rg.chunks[field].min, rg.chunks[field].max} {
				switch v.(type) {
				case nil, string, []byte:
				default:
					set[v] = struct{}{}
				}
			}
		}
	}
	return int64(len(set))
}

// valueSpan returns max − min + 1 for integer-like bounds: no column holds
// more distinct values than that.
func valueSpan(lo, hi any) (float64, bool) {
	a, ok1 := integerValue(lo)
	b, ok2 := integerValue(hi)
	if !ok1 || !ok2 || b < a {
		return 0, false
	}
	return b - a + 1, true
}

// integerValue converts the integer-like statistics values to float64
// (exact below 2^53, which is where a span can cap anything).
func integerValue(v any) (float64, bool) {
	switch v := v.(type) {
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case arrow.Date32:
		return float64(v), true
	case arrow.Time32:
		return float64(v), true
	case arrow.Time64:
		return float64(v), true
	case arrow.Timestamp:
		return float64(v), true
	case bool:
		return float64(boolInt(v)), true
	}
	return 0, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
