package parquetio

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// trueDistinct reads every row of d and counts the distinct non-NULL
// values of each column with Grain's grouping equality (one NaN, -0 = +0).
func trueDistinct(t *testing.T, d *Dataset) []int64 {
	t.Helper()
	var cols []int
	for i, f := range d.fields {
		if f.unsupported == nil {
			cols = append(cols, i)
		}
	}
	res := scan(t, newMem(t), d, source.ScanRequest{Columns: cols})
	out := make([]int64, len(d.fields))
	for i := range out {
		out[i] = -1
	}
	for j, c := range cols {
		set := map[any]bool{}
		for _, row := range res.rows {
			if v := row[j]; v != nil {
				set[distinctKey(v)] = true
			}
		}
		out[c] = int64(len(set))
	}
	return out
}

func distinctKey(v any) any {
	switch v := v.(type) {
	case float32:
		return distinctKey(float64(v))
	case float64:
		if math.IsNaN(v) {
			return "NaN"
		}
		if v == 0 {
			return 0.0
		}
	case []byte:
		return string(v)
	}
	return v
}

func distinctCounts(st source.Stats) []int64 {
	out := make([]int64, len(st.Columns))
	for i, c := range st.Columns {
		out[i] = c.DistinctCount
	}
	return out
}

// withCheckedSample makes the dataset's sample allocate from a checked
// allocator that must be empty at the end of the test.
func withCheckedSample(t *testing.T, d *Dataset) {
	d.sample.mem = newMem(t)
}

// A data set within the sample's budget is read whole: its counts are
// exact, low-cardinality columns included, and partition columns are
// counted from their values.
func TestStatsDistinctExactWhenSampleCoversAll(t *testing.T) {
	for _, name := range []string{"duckdb_types_snappy.parquet", "duckdb_types_zstd.parquet",
		"duckdb_sorted_100k.parquet", "polars_types.parquet", "duckdb_hive_sales", "polars_nested_list.parquet"} {
		t.Run(name, func(t *testing.T) {
			d := openDS(t, ReadOptions{}, td(name))
			withCheckedSample(t, d)
			st := d.Stats()
			require.Equal(t, trueDistinct(t, d), distinctCounts(st))
			c := d.Counters()
			sampled := int64(0)
			for i, f := range d.fields {
				if f.part < 0 && f.unsupported == nil {
					sampled++
				} else if f.unsupported != nil {
					require.Equal(t, int64(-1), st.Columns[i].DistinctCount, "nested column")
				}
			}
			require.Equal(t, st.Rows*sampled, c.SampleValues, "every value read once")
		})
	}
	d := openDS(t, ReadOptions{}, td("duckdb_types_snappy.parquet"))
	st := d.Stats()
	byName := map[string]int64{}
	for i, f := range d.Schema().Fields() {
		byName[f.Name] = st.Columns[i].DistinctCount
	}
	require.Equal(t, int64(4), byName["color"])
	require.Equal(t, int64(2), byName["b"])
	require.Equal(t, int64(20000), byName["id"])
}

// estimateTolerance is the accuracy this test holds the estimates of the
// test files to when the sample covers a small part of them (doc.go has
// the measurements).
const estimateTolerance = 0.15

func TestStatsDistinctEstimates(t *testing.T) {
	for _, tc := range []struct {
		file        string
		sampleRows  int64
		exact       []string // low-cardinality columns the sample must count exactly
		groups      int64    // row groups the sample opens per pass
		sampledRows int64    // rows it decodes per column
	}{
		// 8 of 49 row groups, their first 1,024 rows: 8% of the rows.
		{"duckdb_sorted_100k.parquet", 8192, []string{"day"}, 8, 8192},
		// 5 of 5 row groups, their first 1,638 rows: 41% of the rows.
		{"duckdb_types_snappy.parquet", 8192, []string{"i8", "u8", "b", "color"}, 5, 5 * 1638},
	} {
		t.Run(tc.file, func(t *testing.T) {
			d := openDS(t, ReadOptions{}, td(tc.file))
			withCheckedSample(t, d)
			d.sample.rows = tc.sampleRows
			st := d.Stats()
			c := d.Counters()
			truth := trueDistinct(t, d)
			for i, f := range d.Schema().Fields() {
				got, want := st.Columns[i].DistinctCount, truth[i]
				t.Logf("%-6s true %6d estimate %6d (%+.1f%%)", f.Name, want, got, 100*(float64(got)/float64(want)-1))
				require.InEpsilon(t, want, got, estimateTolerance, f.Name)
			}
			for _, name := range tc.exact {
				i := d.Schema().FieldIndices(name)[0]
				require.Equal(t, truth[i], st.Columns[i].DistinctCount, name)
			}
			// The sample stayed within its bounds, and scans count nothing.
			passes := int64(len(d.fields)+samplePassColumns-1) / samplePassColumns
			require.Equal(t, passes*tc.groups, c.SampleRowGroups)
			require.Equal(t, tc.sampledRows*int64(len(d.fields)), c.SampleValues)
			require.LessOrEqual(t, c.SampleValues, tc.sampleRows*int64(len(d.fields)))
			require.Zero(t, c.RowGroups+c.ColumnChunks+c.Bytes)
		})
	}
}

// writeSynthetic writes 300,000 rows in 3 files of row groups of 10,000
// rows: a key, a 5-value string with NULLs, a date sorted in runs of 5,000
// rows and a float64 drawn from 30,000 values by a hash of the row number.
func writeSynthetic(t *testing.T) string {
	mem := newMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	const rows = 300_000
	regions := []string{"north", "south", "east", "west", "centre"}
	done := 0
	next := func(context.Context) (arrow.Record, error) {
		if done == rows {
			return nil, io.EOF
		}
		b := array.NewRecordBuilder(mem, schema)
		defer b.Release()
		for i := done; i < done+50_000; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%7 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(regions[(i*7919)%len(regions)])
			}
			b.Field(2).(*array.Date32Builder).Append(arrow.Date32(19000 + i/5000))
			h := uint64(i) * 0x9e3779b97f4a7c15
			b.Field(3).(*array.Float64Builder).Append(float64((h^h>>29)%30_000) / 4)
		}
		done += 50_000
		return b.NewRecord(), nil
	}
	dir := filepath.Join(t.TempDir(), "syn")
	_, err := Write(context.Background(), dir, schema, next, WriteOptions{RowGroupRows: 10_000, TargetRows: 100_000})
	require.NoError(t, err)
	return dir
}

func TestStatsDistinctMultiFileSample(t *testing.T) {
	dir := writeSynthetic(t)
	d := openDS(t, ReadOptions{}, dir)
	require.Len(t, d.Files(), 3)
	withCheckedSample(t, d)
	d.sample.rows = 16384 // 8 of 30 row groups, 2,048 rows each: 5% of the rows
	st := d.Stats()
	truth := trueDistinct(t, d)
	require.Equal(t, []int64{300_000, 5, 60}, truth[:3])
	got := distinctCounts(st)
	require.Equal(t, int64(300_000), got[0], "a sample without repeats estimates a key")
	require.Equal(t, int64(5), got[1], "low cardinality saturates")
	require.InEpsilon(t, 60, got[2], estimateTolerance, "sorted runs are extrapolated")
	t.Logf("x: true %d, estimate %d", truth[3], got[3])
	require.InEpsilon(t, truth[3], got[3], estimateTolerance)
	c := d.Counters()
	require.Equal(t, int64(8), c.SampleRowGroups)
	require.Equal(t, int64(16384*4), c.SampleValues)
}

func TestStatsDistinctConcurrentAndCached(t *testing.T) {
	d := openDS(t, ReadOptions{}, td("duckdb_sorted_100k.parquet"))
	withCheckedSample(t, d)
	var wg sync.WaitGroup
	results := make([][]int64, 4)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g] = distinctCounts(d.Stats())
		}()
	}
	wg.Wait()
	for _, r := range results {
		require.Equal(t, []int64{100_000, 100, 1000}, r)
	}
	// Sampled once; callers cannot corrupt the cached result.
	values := d.Counters().SampleValues
	st := d.Stats()
	st.Columns[0].DistinctCount = 7
	require.Equal(t, int64(100_000), d.Stats().Columns[0].DistinctCount)
	require.Equal(t, values, d.Counters().SampleValues)
}

// copyTestFile copies a test file into a temporary directory.
func copyTestFile(t *testing.T, name string) string {
	data, err := os.ReadFile(td(name))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func TestStatsDistinctCorruptFile(t *testing.T) {
	t.Run("damaged pages", func(t *testing.T) {
		// The footer is intact, so Open succeeds; the first column chunks
		// are zeroed, so reading them fails.
		path := copyTestFile(t, "duckdb_types_snappy.parquet")
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		require.NoError(t, err)
		_, err = f.WriteAt(make([]byte, 4096), 4)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		d := openDS(t, ReadOptions{}, path)
		withCheckedSample(t, d)
		st := d.Stats()
		require.Equal(t, int64(20000), st.Rows, "footer statistics are still there")
		for i := range samplePassColumns {
			require.Equal(t, int64(-1), st.Columns[i].DistinctCount, d.Schema().Field(i).Name)
		}
		_, err = tryScan(newMem(t), d, source.ScanRequest{Columns: []int{0}}, false)
		require.ErrorIs(t, err, ErrCorruptFile)
	})
	t.Run("truncated after open", func(t *testing.T) {
		path := copyTestFile(t, "duckdb_sorted_100k.parquet")
		d := openDS(t, ReadOptions{}, path)
		withCheckedSample(t, d)
		require.NoError(t, os.Truncate(path, 1000))
		require.Equal(t, []int64{-1, -1, -1}, distinctCounts(d.Stats()))
	})
}

func TestStatsDistinctEmptyDataset(t *testing.T) {
	mem := newMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	rec := b.NewRecord()
	defer rec.Release()
	dir := filepath.Join(t.TempDir(), "empty")
	_, err := Write(context.Background(), dir, schema, recordsOf(rec), WriteOptions{})
	require.NoError(t, err)
	d := openDS(t, ReadOptions{}, dir)
	require.Equal(t, []int64{0}, distinctCounts(d.Stats()))
}

// BenchmarkStatsDistinct measures the first Stats call, which samples the
// data, on the benchmark data sets: 10M rows in 82 row groups of 122,880
// rows, and 10,000 files of 1,000 rows. It reports each column's estimate
// over its true distinct count (x holds random doubles, all distinct).
//
//	go test ./io/parquetio -run '^$' -bench StatsDistinct -benchtime 10x
func BenchmarkStatsDistinct(b *testing.B) {
	for _, tc := range []struct {
		name, data string
		opts       WriteOptions
		rows       float64
	}{
		{"rows=1e7", "scan-1e7", WriteOptions{}, benchRows},
		{"files=10000", "small-10000x1000", WriteOptions{TargetRows: 1000}, benchRows},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := benchData(b, tc.data, tc.opts)
			truth := []float64{tc.rows, tc.rows, float64(len(benchCats)), tc.rows / 10_000}
			var st source.Stats
			var c Counters
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer() // Open reads every footer: not measured
				d, err := Open(context.Background(), []string{dir}, ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				st = d.Stats()
				c = d.Counters()
			}
			for i, f := range benchSchema.Fields() {
				b.ReportMetric(float64(st.Columns[i].DistinctCount)/truth[i], f.Name+"-est/true")
			}
			b.ReportMetric(float64(c.SampleValues), "values-sampled")
			b.ReportMetric(float64(c.SampleBytes)/(1<<20), "MiB-fetched")
		})
	}
}

func TestSegmentCuts(t *testing.T) {
	require.Equal(t, []int64{0, 5, 12}, segmentCuts([]unit{{rows: 9, take: 5}, {rows: 7, take: 7}, {rows: 100, take: 5}}))
	require.Equal(t, []int64{0, 2, 4, 6, 8, 10, 12, 14}, segmentCuts([]unit{{rows: 100, take: 16}}), "one row group: 8 segments")
	require.Equal(t, []int64{0, 1, 2}, segmentCuts([]unit{{rows: 100, take: 3}}))
	require.Equal(t, []int64{0}, segmentCuts([]unit{{rows: 16, take: 16}}), "a whole row group is one segment")
}

func TestSampleUnitsSpreadAndBounded(t *testing.T) {
	d := &Dataset{sample: defaultSample()}
	for range 3 {
		f := &fileMeta{}
		for range 20 {
			f.rgs = append(f.rgs, rgMeta{rows: 1000})
		}
		d.files = append(d.files, f)
	}
	// 60 row groups of 1,000 rows fit the budget: all are read whole.
	units := d.sampleUnits()
	require.Len(t, units, 60)
	for _, u := range units {
		require.Equal(t, int64(1000), u.take)
	}
	// A smaller budget takes the middle row group of 8 strata.
	d.sample.rows = 800
	units = d.sampleUnits()
	var at []int
	for _, u := range units {
		at = append(at, u.file*20+u.rg)
		require.Equal(t, int64(100), u.take)
	}
	require.Equal(t, []int{3, 11, 18, 26, 33, 41, 48, 56}, at)
}
