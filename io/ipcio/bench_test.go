package ipcio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/internal/iotest"
	"github.com/grainql/grain/io/source"
)

const benchRows = 1_000_000

var (
	benchDir   string
	benchOnce  sync.Once
	benchFiles map[string]string
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "price", Type: arrow.PrimitiveTypes.Float64},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "ts", Type: expr.TimestampType},
}, nil)

// benchRecords returns benchRows rows, in records of 64K rows, with the
// columns of the CSV benchmark.
func benchRecords(mem memory.Allocator) []arrow.Record {
	var recs []arrow.Record
	x := uint64(42)
	b := array.NewRecordBuilder(mem, benchSchema)
	defer b.Release()
	for i := 0; i < benchRows; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if x%20 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int64Builder).Append(int64(x%100000) - 50000)
		}
		b.Field(2).(*array.Float64Builder).Append(float64(x%1000000) / 1000)
		b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("name-%d", x%5000))
		b.Field(4).(*array.Date32Builder).Append(arrow.Date32(19700 + x%365))
		b.Field(5).(*array.BooleanBuilder).Append(x%2 == 0)
		b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(1704067200000000 + int64(x%86400000000)))
		if (i+1)%(1<<16) == 0 || i == benchRows-1 {
			recs = append(recs, b.NewRecord())
		}
	}
	return recs
}

// benchFile writes, once per process, the benchmark rows in each variant.
func benchFile(b *testing.B, variant string) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "grain-ipcio-bench-")
		require.NoError(b, err)
		benchDir = dir
		mem := memory.NewGoAllocator()
		recs := benchRecords(mem)
		benchFiles = map[string]string{}
		for name, opts := range map[string]WriteOptions{
			"file":      {},
			"stream":    {Format: StreamFormat},
			"file_zstd": {Compression: Zstd},
			"file_lz4":  {Compression: LZ4},
		} {
			p := filepath.Join(dir, name+".arrow")
			require.NoError(b, Write(context.Background(), p, benchSchema, iotest.RecordsOf(recs...), opts))
			benchFiles[name] = p
		}
		for _, r := range recs {
			r.Release()
		}
	})
	return benchFiles[variant]
}

func BenchmarkIPCRead(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		variant string
		workers int
		cols    []int
	}{
		{"file", 1, nil},
		{"file", 2, nil},
		{"stream", 1, nil},
		{"file_lz4", 1, nil},
		{"file_zstd", 1, nil},
		{"file_zstd", 2, nil},
		{"file", 1, []int{2}},
	}
	for _, bc := range cases {
		name := fmt.Sprintf("%s/workers=%d", bc.variant, bc.workers)
		if bc.cols != nil {
			name += "/cols=price"
		}
		b.Run(name, func(b *testing.B) {
			path := benchFile(b, bc.variant)
			st, err := os.Stat(path)
			require.NoError(b, err)
			ds, err := Open(ctx, []string{path}, DefaultReadOptions())
			require.NoError(b, err)
			mem := memory.NewGoAllocator()
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			cpu := iotest.CPUTime()
			for i := 0; i < b.N; i++ {
				n, err := iotest.ReadAll(ctx, ds, source.ScanRequest{Columns: bc.cols, BatchSize: 4096}, mem, bc.workers)
				require.NoError(b, err)
				require.Equal(b, int64(benchRows), n)
			}
			rows := float64(benchRows) * float64(b.N)
			b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(rows/(iotest.CPUTime()-cpu).Seconds(), "rows/cpu-s")
		})
	}
}

func BenchmarkIPCWrite(b *testing.B) {
	mem := memory.NewGoAllocator()
	recs := benchRecords(mem)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for _, c := range []struct {
		name string
		opts WriteOptions
	}{{"file", WriteOptions{Mode: Overwrite}}, {"file_zstd", WriteOptions{Mode: Overwrite, Compression: Zstd}}} {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "w.arrow")
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				require.NoError(b, Write(context.Background(), path, benchSchema, iotest.RecordsOf(recs...), c.opts))
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
