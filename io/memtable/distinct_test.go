package memtable

import (
	"math"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestStatsDistinctExact(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	build := func(ints []int32, floats []float64, strs []string, nulls []bool) arrow.Record {
		b := array.NewRecordBuilder(mem, schema)
		defer b.Release()
		for i := range ints {
			if nulls[i] {
				b.Field(0).AppendNull()
				b.Field(1).AppendNull()
				b.Field(2).AppendNull()
			} else {
				b.Field(0).(*array.Int32Builder).Append(ints[i])
				b.Field(1).(*array.Float64Builder).Append(floats[i])
				b.Field(2).(*array.StringBuilder).Append(strs[i])
			}
			b.Field(3).(*array.BooleanBuilder).Append(ints[i]%2 == 0)
			b.Field(4).AppendNull()
		}
		return b.NewRecord()
	}
	nan := math.NaN()
	// Two records so that counts combine across records; -0/+0 and two
	// NaN payloads count once each, NULLs not at all.
	r1 := build([]int32{1, 2, 2, 7}, []float64{0, math.Copysign(0, -1), nan, 1.5},
		[]string{"a", "b", "", "a"}, []bool{false, false, false, true})
	defer r1.Release()
	r2 := build([]int32{2, 3, 4}, []float64{math.Float64frombits(0x7ff8000000000bad), 1.5, 2.5},
		[]string{"b", "ccc", "é"}, []bool{false, false, true})
	defer r2.Release()
	tab, err := New("t", schema, []arrow.Record{r1, r2})
	require.NoError(t, err)
	defer tab.Release()

	st := tab.Stats()
	require.Equal(t, int64(7), st.Rows)
	got := make([]int64, len(st.Columns))
	nulls := make([]int64, len(st.Columns))
	for i, c := range st.Columns {
		got[i], nulls[i] = c.DistinctCount, c.NullCount
	}
	require.Equal(t, []int64{3, 3, 4, 2, -1}, got) // i: 1,2,3; f: 0,NaN,1.5; s: a,b,"",ccc
	require.Equal(t, []int64{2, 2, 2, 0, 7}, nulls)

	// The result is cached and callers cannot corrupt it.
	st.Columns[0].DistinctCount = 99
	require.Equal(t, int64(3), tab.Stats().Columns[0].DistinctCount)
}

func TestStatsDistinctLarge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "low", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	const n, distinct = 400_000, 250_000
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i % distinct))
		b.Field(1).(*array.Int64Builder).Append(int64(i % 1000))
	}
	rec := b.NewRecord()
	defer rec.Release()
	tab, err := New("big", schema, []arrow.Record{rec})
	require.NoError(t, err)
	defer tab.Release()

	var wg sync.WaitGroup
	results := make([]int64, 4)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g] = tab.Stats().Columns[0].DistinctCount
		}()
	}
	wg.Wait()
	for _, r := range results {
		require.Equal(t, results[0], r)
	}
	// Past the exact limit the sketch is within a few percent.
	require.InEpsilon(t, float64(distinct), float64(results[0]), 0.03)
	require.Equal(t, int64(1000), tab.Stats().Columns[1].DistinctCount)
}

func TestStatsDistinctAfterRelease(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	rec := b.NewRecord()
	tab, err := New("t", schema, []arrow.Record{rec})
	rec.Release()
	require.NoError(t, err)
	tab.Release()
	// The data is gone: the count stays unknown rather than becoming 0.
	require.Equal(t, int64(-1), tab.Stats().Columns[0].DistinctCount)
}

// BenchmarkStatsDistinct measures the first Stats call (the distinct
// counts) on 4M rows: an int64 key with 1e6 distinct values (past the exact
// limit), a low-cardinality int64 and a string column.
func BenchmarkStatsDistinct(b *testing.B) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "low", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
	}, nil)
	const n = 4 << 20
	var recs []arrow.Record
	for done := 0; done < n; done += 1 << 16 {
		rb := array.NewRecordBuilder(mem, schema)
		for i := done; i < done+1<<16; i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i*7919) % 1_000_000)
			rb.Field(1).(*array.Int64Builder).Append(int64(i % 100))
			rb.Field(2).(*array.StringBuilder).Append([]string{"alpha", "beta", "gamma"}[i%3])
		}
		recs = append(recs, rb.NewRecord())
		rb.Release()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab, err := New("bench", schema, recs)
		if err != nil {
			b.Fatal(err)
		}
		st := tab.Stats()
		if st.Columns[1].DistinctCount != 100 {
			b.Fatalf("distinct %d", st.Columns[1].DistinctCount)
		}
		tab.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(3*n), "ns/value")
	for _, r := range recs {
		r.Release()
	}
}
