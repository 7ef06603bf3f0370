package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
)

// Benchmarks read data sets written by Write and cached under
// os.TempDir()/grain-parquetio-bench between runs:
//
//	go test ./io/parquetio -run '^$' -bench . -benchtime 5x
//
// The first run generates the data (about a minute).

const benchRows = 10_000_000

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	{Name: "cat", Type: arrow.BinaryTypes.String},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
}, nil)

var benchCats = func() []string {
	out := make([]string, 16)
	for i := range out {
		out[i] = fmt.Sprintf("category-%02d", i)
	}
	return out
}()

// benchRecords yields n rows in records of 64K rows: id ascending, x
// random, cat one of 16 strings, day changing every 10,000 rows.
func benchRecords(mem memory.Allocator, n int) func(context.Context) (arrow.Record, error) {
	rng := rand.New(rand.NewSource(1))
	done := 0
	return func(context.Context) (arrow.Record, error) {
		if done >= n {
			return nil, io.EOF
		}
		k := min(1<<16, n-done)
		b := array.NewRecordBuilder(mem, benchSchema)
		defer b.Release()
		ids := b.Field(0).(*array.Int64Builder)
		xs := b.Field(1).(*array.Float64Builder)
		cats := b.Field(2).(*array.StringBuilder)
		days := b.Field(3).(*array.Date32Builder)
		for i := done; i < done+k; i++ {
			ids.Append(int64(i))
			xs.Append(rng.Float64() * 1000)
			cats.Append(benchCats[rng.Intn(len(benchCats))])
			days.Append(arrow.Date32(18000 + i/10_000))
		}
		done += k
		return b.NewRecord(), nil
	}
}

var benchOnce sync.Map // dir -> error

// benchData returns a cached data set directory, writing it on first use.
func benchData(b *testing.B, name string, opts WriteOptions) string {
	dir := filepath.Join(os.TempDir(), "grain-parquetio-bench", name)
	v, _ := benchOnce.LoadOrStore(dir, new(sync.Once))
	v.(*sync.Once).Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "_ok")); err == nil {
			return
		}
		os.RemoveAll(dir)
		mem := memory.NewGoAllocator()
		opts.Mode = Overwrite
		if _, err := Write(context.Background(), dir, benchSchema, benchRecords(mem, benchRows), opts); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "_ok"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	})
	return dir
}

func dirBytes(b *testing.B, d *Dataset) int64 {
	var n int64
	for _, f := range d.files {
		n += f.size
	}
	return n
}

// scanAll reads every split with par goroutines and returns the rows.
func scanAll(b *testing.B, d *Dataset, req source.ScanRequest, par int) int64 {
	ctx := context.Background()
	splits, err := d.Splits(ctx, req)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var rows int64
	var wg sync.WaitGroup
	next := make(chan source.Split, len(splits))
	for _, s := range splits {
		next <- s
	}
	close(next)
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mem := memory.NewGoAllocator()
			var n int64
			for s := range next {
				r, err := s.Open(ctx, mem)
				if err != nil {
					panic(err)
				}
				for {
					rec, err := r.Next(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						panic(err)
					}
					n += rec.NumRows()
					rec.Release()
				}
				r.Close()
			}
			mu.Lock()
			rows += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return rows
}

func BenchmarkScan(b *testing.B) {
	dir := benchData(b, "scan-1e7", WriteOptions{})
	d, err := Open(context.Background(), []string{dir}, ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	size := dirBytes(b, d)
	for _, tc := range []struct {
		name string
		cols []int
		par  int
	}{
		{"all-columns/goroutines=1", nil, 1},
		{"all-columns/goroutines=2", nil, 2},
		{"id/goroutines=1", []int{0}, 1},
		{"id+x/goroutines=1", []int{0, 1}, 1},
		{"id+x/goroutines=2", []int{0, 1}, 2},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size) // MB/s of Parquet file scanned
			for b.Loop() {
				if n := scanAll(b, d, source.ScanRequest{Columns: tc.cols}, tc.par); n != benchRows {
					b.Fatalf("read %d rows", n)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
		})
	}
}

func BenchmarkPruning(b *testing.B) {
	dir := benchData(b, "scan-1e7", WriteOptions{})
	filter := []expr.Expr{expr.Col("id").Between(expr.Lit(5_000_000), expr.Lit(5_100_000))}
	for _, tc := range []struct {
		name    string
		filters []expr.Expr
	}{{"no-filter", nil}, {"id-between-1pct", filter}} {
		b.Run(tc.name, func(b *testing.B) {
			d, err := Open(context.Background(), []string{dir}, ReadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			plan, err := d.Plan(context.Background(), source.ScanRequest{Filters: tc.filters})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				scanAll(b, d, source.ScanRequest{Filters: tc.filters, Columns: []int{0, 1}}, 1)
			}
			b.ReportMetric(float64(plan.RowGroups-plan.RowGroupsSkipped), "rowgroups-read")
			b.ReportMetric(float64(plan.RowGroups), "rowgroups-total")
		})
	}
}

func BenchmarkSmallFiles(b *testing.B) {
	dir := benchData(b, "small-10000x1000", WriteOptions{TargetRows: 1000})
	for _, tc := range []struct {
		name string
		opts ReadOptions
	}{
		{"packed", ReadOptions{Parallelism: 2}},
		{"one-file-per-split", ReadOptions{Parallelism: 2, OpenCostBytes: 1 << 40, MaxSplitBytes: 1}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d, err := Open(context.Background(), []string{dir}, tc.opts)
			if err != nil {
				b.Fatal(err)
			}
			splits, err := d.Splits(context.Background(), source.ScanRequest{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if n := scanAll(b, d, source.ScanRequest{}, 2); n != benchRows {
					b.Fatalf("read %d rows", n)
				}
			}
			b.ReportMetric(float64(len(splits)), "splits")
			b.ReportMetric(float64(len(d.files)), "files")
		})
	}
	b.Run("open-footers", func(b *testing.B) {
		for b.Loop() {
			if _, err := Open(context.Background(), []string{dir}, ReadOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var benchSink int64

// BenchmarkBaselineSumInt64 is the machine's ceiling for touching 1e7
// int64 values once: a plain Go loop over a slice.
func BenchmarkBaselineSumInt64(b *testing.B) {
	xs := make([]int64, benchRows)
	for i := range xs {
		xs[i] = int64(i)
	}
	b.SetBytes(8 * benchRows)
	for b.Loop() {
		var s int64
		for _, x := range xs {
			s += x
		}
		benchSink = s
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

func BenchmarkWrite(b *testing.B) {
	const n = 1_000_000
	mem := memory.NewGoAllocator()
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(context.Background(), dir, benchSchema, benchRecords(mem, n), WriteOptions{Mode: Overwrite}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}
