package order

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// BenchmarkSorter measures ordering alone (normalize, sort, permutation) on
// one concatenated column of 1e6 rows, without buffering or gathering.
func BenchmarkSorter(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewSource(1))
	mem := memory.NewGoAllocator()
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	buf := make([]byte, 24)
	for i := 0; i < n; i++ {
		ib.Append(rng.Int63())
		m := 8 + rng.Intn(17)
		for j := range buf[:m] {
			buf[j] = byte('a' + rng.Intn(26))
		}
		sb.Append(string(buf[:m]))
	}
	ints, strs := ib.NewArray(), sb.NewArray()
	ib.Release()
	sb.Release()
	defer ints.Release()
	defer strs.Release()
	for _, bc := range []struct {
		name string
		arr  arrow.Array
	}{{"int64", ints}, {"string", strs}} {
		b.Run(bc.name, func(b *testing.B) {
			schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: bc.arr.DataType()}}, nil)
			rec := array.NewRecord(schema, []arrow.Array{bc.arr}, n)
			defer rec.Release()
			kinds, err := resolveKeys(schema, []Key{{Col: 0}})
			if err != nil {
				b.Fatal(err)
			}
			s := newSorter([]Key{{Col: 0}}, kinds)
			var perm []int32
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				perm = s.sort(rec, perm)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
