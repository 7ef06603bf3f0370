package frame_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

func TestConfigDefaultsAndOptions(t *testing.T) {
	s := frame.NewSession()
	defer s.Close()
	c := s.Config()
	require.Equal(t, 4096, c.BatchSize)
	require.EqualValues(t, 0, c.MemoryLimit)
	require.Equal(t, runtime.GOMAXPROCS(0), c.Parallelism)
	require.Equal(t, 4*runtime.GOMAXPROCS(0), c.ShufflePartitions)
	require.EqualValues(t, 10<<20, c.BroadcastThreshold)
	require.NotNil(t, c.Allocator)

	s2 := frame.NewSession(frame.WithParallelism(3), frame.WithBatchSize(100), frame.WithMemoryLimit(1<<20),
		frame.WithBroadcastThreshold(-1))
	defer s2.Close()
	c = s2.Config()
	require.Equal(t, 3, c.Parallelism)
	require.Equal(t, 12, c.ShufflePartitions, "shuffle partitions follow parallelism")
	require.Equal(t, 100, c.BatchSize)
	require.EqualValues(t, 1<<20, c.MemoryLimit)
	require.EqualValues(t, -1, c.BroadcastThreshold)

	s3 := frame.NewSession(frame.WithShufflePartitions(7), frame.WithParallelism(2))
	defer s3.Close()
	require.Equal(t, 7, s3.Config().ShufflePartitions)
}

func TestFromRecordsAndTable(t *testing.T) {
	s, mem := newSession(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	mk := func(vals ...int64) arrow.Record {
		b := array.NewRecordBuilder(mem, schema)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).AppendValues(vals, nil)
		return b.NewRecord()
	}
	r1, r2 := mk(1, 2), mk(3)
	df := s.FromRecords(r1, r2)
	// The session retains the records: the caller may release its own.
	r1.Release()
	r2.Release()
	require.Equal(t, []string{"1", "2", "3"}, sortedRows(t, df))

	r3 := mk(4, 5)
	tbl := array.NewTableFromRecords(schema, []arrow.Record{r3})
	r3.Release()
	tdf := s.FromTable(tbl)
	tbl.Release()
	require.Equal(t, []string{"4", "5"}, sortedRows(t, tdf))

	empty := mk()
	edf := s.FromRecords(empty)
	empty.Release()
	n, err := edf.Count(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)

	require.ErrorIs(t, s.FromRecords().Err(), frame.ErrInvalidInput)
	other := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.BinaryTypes.String}}, nil)
	ob := array.NewRecordBuilder(mem, other)
	ob.Field(0).(*array.StringBuilder).Append("x")
	or := ob.NewRecord()
	ob.Release()
	a := mk(1)
	require.ErrorIs(t, s.FromRecords(a, or).Err(), frame.ErrInvalidInput, "records must share a schema")
	a.Release()
	or.Release()
}

func TestFromColumns(t *testing.T) {
	s, _ := newSession(t)
	ts := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	df := s.FromColumns(
		frame.Col("i", []int{1, -2}),
		frame.Col("u8", []uint8{1, 255}),
		frame.Float64s("f", []float64{0.5, -1}),
		frame.Bools("b", []bool{true, false}),
		frame.Strings("s", []string{"x", ""}),
		frame.Col("bin", [][]byte{{1, 2}, nil}),
		frame.Col("ts", []time.Time{ts, ts.Add(time.Microsecond)}),
		frame.Col("d", []arrow.Date32{arrow.Date32FromTime(ts), 0}),
		frame.NullableCol("n", []*int32{nil, frame.Ptr[int32](7)}),
	)
	require.Equal(t, "i:int64, u8:uint8, f:float64, b:bool, s:utf8, bin:binary, ts:timestamp[us, tz=UTC], d:date32, n:int32?",
		schemaString(t, df))
	// ValueStr prints binary in base64; a nil []byte is an empty value, not NULL.
	require.Equal(t, []string{
		"1|1|0.5|true|x|AQI=|2024-03-01 12:30:00Z|2024-03-01|null",
		"-2|255|-1|false|||2024-03-01 12:30:00.000001Z|1970-01-01|7",
	}, rows(t, df.Sort(frame.Desc(col("i")))))

	require.ErrorIs(t, s.FromColumns().Err(), frame.ErrInvalidInput)
	require.ErrorIs(t, s.FromColumns(frame.Int64s("a", []int64{1}), frame.Int64s("a", []int64{2})).Err(), frame.ErrInvalidInput)
	err := s.FromColumns(frame.Int64s("a", []int64{1}), frame.Int64s("b", []int64{1, 2})).Err()
	require.ErrorIs(t, err, frame.ErrInvalidInput)
	require.ErrorContains(t, err, "frame: FromColumns: ")
	require.ErrorIs(t, s.FromColumns(frame.Series{}).Err(), frame.ErrInvalidInput)
}

func TestConcurrentActions(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).GroupBy(col("city")).Agg(expr.Sum(col("age")).As("ages"))
	want := sortedRows(t, df)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				recs, err := df.Collect(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				var got []string
				for _, r := range recs {
					got = append(got, recordRows(r)...)
					r.Release()
				}
				if len(got) != len(want) {
					t.Errorf("got %d rows, want %d", len(got), len(want))
				}
			}
		}()
	}
	wg.Wait()
}

func TestSessionAllocatorBacksGoData(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := frame.NewSession(frame.WithAllocator(mem))
	df := s.FromColumns(frame.Int64s("a", []int64{1, 2, 3}))
	require.NoError(t, df.Err())
	require.Positive(t, mem.CurrentAlloc(), "the table lives in the session's allocator")
	require.NoError(t, s.Close())
	mem.AssertSize(t, 0)
}

func TestSeriesDescribesItself(t *testing.T) {
	sr := frame.NullableCol("t", []*time.Time{nil})
	require.Equal(t, "t", sr.Name())
	require.Equal(t, 1, sr.Len())
	require.Equal(t, "timestamp[us, tz=UTC]", sr.Type().String())
	require.Equal(t, "date32", frame.Col("d", []arrow.Date32{}).Type().String())
	require.Equal(t, "uint64", frame.Col("u", []uint{1}).Type().String())

	s, _ := newSession(t)
	df := s.FromColumns(sr)
	require.Same(t, s, df.Session())
	require.Equal(t, []string{"null"}, rows(t, df))

	type bad struct{ C chan int }
	err := frame.FromStructs(s, []bad{}).Err()
	require.EqualError(t, err, "frame: FromStructs[frame_test.bad]: field C of Go type chan int: unsupported type")
}

func TestResultsDoNotDependOnExecutionSettings(t *testing.T) {
	query := func(s *frame.Session) *frame.DataFrame {
		n := 3000
		k := make([]int64, n)
		v := make([]int64, n)
		for i := range k {
			k[i] = int64(i % 37)
			v[i] = int64(i)
		}
		facts := s.FromColumns(frame.Int64s("k", k), frame.Int64s("v", v)).Alias("f")
		dk := make([]int64, 37)
		dn := make([]string, 37)
		for i := range dk {
			dk[i] = int64(i)
			dn[i] = string(rune('a' + i%26))
		}
		dims := s.FromColumns(frame.Int64s("k", dk), frame.Strings("name", dn)).Alias("d")
		return facts.Join(dims, frame.Using("k"), frame.Inner).
			GroupBy(col("name")).Agg(expr.Sum(col("v")).As("total"), expr.CountStar().As("n")).
			Sort(frame.Asc(col("name")))
	}
	var want []string
	for i, opts := range [][]frame.Option{
		{frame.WithParallelism(1), frame.WithShufflePartitions(1)},
		{frame.WithParallelism(4), frame.WithShufflePartitions(8)},
		{frame.WithParallelism(2), frame.WithBroadcastThreshold(-1)},
		{frame.WithParallelism(3), frame.WithBroadcastThreshold(0), frame.WithBatchSize(5)},
	} {
		s, _ := newSession(t, opts...)
		got := rows(t, query(s))
		require.Len(t, got, 26)
		if i == 0 {
			want = got
		}
		require.Equal(t, want, got, "settings %d", i)
	}
}
