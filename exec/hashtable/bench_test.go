package hashtable

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Benchmarks stream benchRows rows of random keys through a table in
// 4096-row batches per iteration and report Mrows/s. Run with, e.g.:
//
//	go test ./exec/hashtable -run x -bench . -benchtime 3x
const (
	benchRows  = 1 << 22
	benchBatch = 4096
)

// benchData is a set of key columns cut into benchBatch-row batches.
type benchData struct {
	batches [][]arrow.Array
	bytes   int64 // key bytes per pass
}

// newBenchData draws benchRows keys per type from a pool of `groups`
// distinct random keys.
func newBenchData(types []arrow.DataType, groups int) *benchData {
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewPCG(uint64(groups), 99))
	pick := make([]int, benchRows)
	for i := range pick {
		pick[i] = rng.IntN(groups)
	}
	d := &benchData{}
	full := make([]arrow.Array, len(types))
	for c, dt := range types {
		full[c] = benchColumn(mem, rng, dt, groups, pick)
		d.bytes += int64(len(full[c].Data().Buffers()[1].Bytes()))
		if dt.ID() == arrow.STRING {
			d.bytes += int64(len(full[c].Data().Buffers()[2].Bytes()))
		}
	}
	for lo := 0; lo < benchRows; lo += benchBatch {
		b := make([]arrow.Array, len(types))
		for c := range types {
			b[c] = array.NewSlice(full[c], int64(lo), int64(lo+benchBatch))
		}
		d.batches = append(d.batches, b)
	}
	return d
}

// benchColumn builds a column whose row i holds pool value pick[i].
func benchColumn(mem memory.Allocator, rng *rand.Rand, dt arrow.DataType, groups int, pick []int) arrow.Array {
	switch dt.ID() {
	case arrow.INT64:
		pool := make([]int64, groups)
		for i := range pool {
			pool[i] = rng.Int64()
		}
		b := array.NewInt64Builder(mem)
		for _, p := range pick {
			b.Append(pool[p])
		}
		return b.NewArray()
	case arrow.INT32:
		// Few distinct values: in multi-column keys the int64 column
		// carries the cardinality.
		b := array.NewInt32Builder(mem)
		for _, p := range pick {
			b.Append(int32(p % 7))
		}
		return b.NewArray()
	case arrow.STRING:
		pool := make([]string, groups)
		for i := range pool {
			pool[i] = fmt.Sprintf("%0*d", 5+rng.IntN(16), rng.Int64N(1e15))
		}
		b := array.NewStringBuilder(mem)
		for _, p := range pick {
			b.Append(pool[p])
		}
		return b.NewArray()
	}
	panic("benchColumn: " + dt.String())
}

// report sets the throughput metrics of a benchmark that processed
// benchRows rows per iteration.
func (d *benchData) report(b *testing.B, elapsed time.Duration) {
	b.SetBytes(d.bytes)
	b.ReportMetric(float64(b.N)*benchRows/elapsed.Seconds()/1e6, "Mrows/s")
}

var benchKeys = []struct {
	name  string
	types []arrow.DataType
}{
	{"int64", []arrow.DataType{arrow.PrimitiveTypes.Int64}},
	{"string", []arrow.DataType{arrow.BinaryTypes.String}},
	{"int64_int32", []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32}},
}

var benchGroups = []struct {
	name string
	n    int
}{{"1e2", 100}, {"1e4", 10_000}, {"1e6", 1_000_000}}

// BenchmarkInsert measures Insert alone, starting from an empty table
// (hint 0) or a presized one.
func BenchmarkInsert(b *testing.B) {
	for _, k := range benchKeys {
		for _, g := range benchGroups {
			if k.name == "string" && g.n > 10_000 {
				continue
			}
			d := newBenchData(k.types, g.n)
			for _, hint := range []int{0, g.n} {
				name := fmt.Sprintf("%s/groups=%s", k.name, g.name)
				if hint > 0 {
					name += "/presized"
				}
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					var out []uint32
					start := time.Now()
					for range b.N {
						tab, _ := New(k.types, hint)
						for _, cols := range d.batches {
							out = tab.Insert(cols, nil, benchBatch, out)
						}
					}
					d.report(b, time.Since(start))
				})
			}
		}
	}
}

// BenchmarkInsertSum is GROUP BY key, SUM(float64): Insert plus a columnar
// accumulator, the workload MACHINE-FACTS measured.
func BenchmarkInsertSum(b *testing.B) {
	for _, g := range benchGroups {
		d := newBenchData(benchKeys[0].types, g.n)
		vals := make([]float64, benchBatch)
		for i := range vals {
			vals[i] = float64(i)
		}
		b.Run("int64/groups="+g.name, func(b *testing.B) {
			b.ReportAllocs()
			var out []uint32
			start := time.Now()
			for range b.N {
				tab, _ := New(benchKeys[0].types, 0)
				sums := make([]float64, 0, 1024)
				for _, cols := range d.batches {
					out = tab.Insert(cols, nil, benchBatch, out)
					for len(sums) < tab.Len() {
						sums = append(sums, 0)
					}
					for i, gid := range out {
						sums[gid] += vals[i]
					}
				}
			}
			d.report(b, time.Since(start))
		})
	}
}

// BenchmarkLookup probes a 1e5-key table; every probe key is present.
func BenchmarkLookup(b *testing.B) {
	for _, k := range benchKeys {
		d := newBenchData(k.types, 100_000)
		tab, _ := New(k.types, 0)
		for _, cols := range d.batches {
			tab.Insert(cols, nil, benchBatch, nil)
		}
		b.Run(k.name+"/keys=1e5", func(b *testing.B) {
			b.ReportAllocs()
			var out []int32
			start := time.Now()
			for range b.N {
				for _, cols := range d.batches {
					out = tab.Lookup(cols, nil, benchBatch, out)
				}
			}
			d.report(b, time.Since(start))
		})
	}
}

// BenchmarkHashRows measures the shuffle partitioning hash.
func BenchmarkHashRows(b *testing.B) {
	for _, k := range benchKeys {
		d := newBenchData(k.types, 10_000)
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			var out []uint64
			start := time.Now()
			for range b.N {
				for _, cols := range d.batches {
					out, _ = HashRows(cols, nil, benchBatch, out)
				}
			}
			d.report(b, time.Since(start))
		})
	}
}

var sink int64

// BenchmarkSumLoop is the floor: a plain loop summing the same int64 key
// column, batch by batch.
func BenchmarkSumLoop(b *testing.B) {
	d := newBenchData(benchKeys[0].types, 100)
	b.ReportAllocs()
	start := time.Now()
	for range b.N {
		var s int64
		for _, cols := range d.batches {
			for _, v := range cols[0].(*array.Int64).Int64Values() {
				s += v
			}
		}
		sink += s
	}
	d.report(b, time.Since(start))
}

// BenchmarkGoMap is the baseline the table replaces: a Go map from key to
// group id.
func BenchmarkGoMap(b *testing.B) {
	for _, g := range benchGroups {
		d := newBenchData(benchKeys[0].types, g.n)
		b.Run("int64/groups="+g.name, func(b *testing.B) {
			b.ReportAllocs()
			out := make([]uint32, benchBatch)
			start := time.Now()
			for range b.N {
				m := map[int64]uint32{}
				for _, cols := range d.batches {
					for i, v := range cols[0].(*array.Int64).Int64Values() {
						id, ok := m[v]
						if !ok {
							id = uint32(len(m))
							m[v] = id
						}
						out[i] = id
					}
				}
			}
			d.report(b, time.Since(start))
		})
	}
}
