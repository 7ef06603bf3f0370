package csvio

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/internal/iotest"
	"github.com/grainql/grain/io/source"
)

const benchRows = 1_000_000

var (
	benchDir  string
	benchOnce sync.Once
	benchPath string
)

// benchFile generates, once per process, a CSV file of benchRows rows:
// id, an integer, a float, a short string (some quoted), a date, a bool
// and a timestamp, with about 5% NULLs.
func benchFile(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "grain-csvio-bench-")
		require.NoError(b, err)
		benchDir = dir
		benchPath = filepath.Join(dir, "bench.csv")
		f, err := os.Create(benchPath)
		require.NoError(b, err)
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintln(w, "id,qty,price,name,day,flag,ts")
		x := uint64(42)
		for i := 0; i < benchRows; i++ {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			qty := ""
			if x%20 != 0 {
				qty = fmt.Sprint(int64(x%100000) - 50000)
			}
			name := fmt.Sprintf("name-%d", x%5000)
			if x%7 == 0 {
				name = fmt.Sprintf("\"%s, quoted\"", name)
			}
			fmt.Fprintf(w, "%d,%s,%.3f,%s,2024-%02d-%02d,%t,2024-01-01 %02d:%02d:%02d.%06d\n",
				i, qty, float64(x%1000000)/1000, name, 1+x%12, 1+x%28, x%2 == 0,
				x%24, x%60, (x>>8)%60, x%1000000)
		}
		require.NoError(b, w.Flush())
		require.NoError(b, f.Close())
	})
	return benchPath
}

// BenchmarkCSVRead reads the generated file: whole file in one split,
// split at byte ranges read by two goroutines, and one projected column.
func BenchmarkCSVRead(b *testing.B) {
	path := benchFile(b)
	st, err := os.Stat(path)
	require.NoError(b, err)
	ctx := context.Background()
	cases := []struct {
		name       string
		splitBytes int64
		workers    int
		cols       []int
	}{
		{"splits=1", -1, 1, nil},
		{"splits=16MiB/workers=2", 16 << 20, 2, nil},
		{"splits=1/cols=price", -1, 1, []int{2}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			opts := DefaultReadOptions()
			opts.SplitBytes = bc.splitBytes
			ds, err := Open(ctx, []string{path}, opts)
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
			b.ReportMetric(float64(st.Size())*float64(b.N)/(iotest.CPUTime()-cpu).Seconds()/1e6, "MB/cpu-s")
		})
	}
}

// BenchmarkCSVOpen measures schema inference plus, for split reading, the
// boundary pre-scan of the whole file.
func BenchmarkCSVOpen(b *testing.B) {
	path := benchFile(b)
	st, err := os.Stat(path)
	require.NoError(b, err)
	ctx := context.Background()
	b.SetBytes(st.Size())
	for i := 0; i < b.N; i++ {
		opts := DefaultReadOptions()
		opts.SplitBytes = 16 << 20
		ds, err := Open(ctx, []string{path}, opts)
		require.NoError(b, err)
		splits, err := ds.Splits(ctx, source.ScanRequest{})
		require.NoError(b, err)
		require.Greater(b, len(splits), 1)
	}
}
