package shuffle_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/shuffle"
)

// benchSchema is 4 numeric columns; column 0 is the hash key.
var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64},
	{Name: "a", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64},
	{Name: "y", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// benchInput returns rows rows in 4096-row batches (1e5 distinct keys).
func benchInput(mem memory.Allocator, rows int) []arrow.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []arrow.Record
	for done := 0; done < rows; done += exec.DefaultBatchSize {
		n := min(exec.DefaultBatchSize, rows-done)
		k, a := make([]int64, n), make([]int64, n)
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			k[i], a[i] = rng.Int64N(100_000), rng.Int64()
			x[i], y[i] = rng.Float64(), rng.NormFloat64()
		}
		cols := []arrow.Array{int64Array(mem, k), int64Array(mem, a), float64Array(mem, x), float64Array(mem, y)}
		out = append(out, array.NewRecord(benchSchema, cols, int64(n)))
		for _, c := range cols {
			c.Release()
		}
	}
	return out
}

func int64Array(mem memory.Allocator, v []int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func float64Array(mem memory.Allocator, v []float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// BenchmarkExchange shuffles 1e6 rows × 4 int64/float64 columns into 8
// partitions: 2 map tasks write concurrently, then 2 goroutines read 4
// partitions each. mode=memory keeps every block in memory; mode=spill
// gives the pool 4 MiB for 32 MiB of data, so most blocks go through disk.
func BenchmarkExchange(b *testing.B) {
	const rows, parts, tasks = 1_000_000, 8, 2
	mem := memory.NewGoAllocator()
	input := benchInput(mem, rows)
	defer func() {
		for _, r := range input {
			r.Release()
		}
	}()
	for _, mode := range []string{"memory", "spill"} {
		b.Run("mode="+mode, func(b *testing.B) {
			b.SetBytes(int64(rows) * 32)
			b.ReportAllocs()
			var spilled, spills int64
			for range b.N {
				var pool mempool.Pool
				if mode == "spill" {
					pool = mempool.NewGreedy(4 << 20)
				}
				env := exec.NewEnv(mem, pool, 0)
				env.SpillDir = b.TempDir()
				x, err := shuffle.New(shuffle.Config{Partitions: parts, Keys: []int{0}, Schema: benchSchema, Name: "bench"}, env)
				require.NoError(b, err)
				runBenchMap(b, x, input, tasks)
				if got := runBenchReduce(b, x, parts, tasks); got != rows {
					b.Fatalf("read %d rows", got)
				}
				st := x.Stats()
				spilled += st.SpilledBytes
				spills += st.Spills
				x.Release()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(spilled)/float64(b.N), "spilled-B/op")
			b.ReportMetric(float64(spills)/float64(b.N), "spills/op")
		})
	}
}

// runBenchMap writes input with tasks concurrent map tasks.
func runBenchMap(b *testing.B, x *shuffle.Exchange, input []arrow.Record, tasks int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, tasks)
	for m := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := x.Writer(m)
			for i := m; i < len(input); i += tasks {
				if err := w.Write(ctx, exec.Batch{Rec: input[i]}); err != nil {
					errs[m] = err
					return
				}
			}
			errs[m] = w.Close(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(b, err)
	}
}

// runBenchReduce reads every partition with readers goroutines and returns
// the rows read.
func runBenchReduce(b *testing.B, x *shuffle.Exchange, parts, readers int) int {
	ctx := context.Background()
	var wg sync.WaitGroup
	counts := make([]int, readers)
	errs := make([]error, readers)
	for g := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := g; p < parts; p += readers {
				op := x.Reader(p)
				if err := op.Open(ctx); err != nil {
					errs[g] = err
					return
				}
				for {
					bt, err := op.Next(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						errs[g] = err
						break
					}
					counts[g] += bt.Len()
					bt.Release()
				}
				if err := op.Close(); err != nil && errs[g] == nil {
					errs[g] = err
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for g := range readers {
		require.NoError(b, errs[g])
		total += counts[g]
	}
	return total
}
