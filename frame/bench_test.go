package frame_test

import (
	"context"
	"testing"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

// BenchmarkGroupByCollect measures an action end to end: plan, build,
// filter, hash aggregate and result compaction over 1Mi rows.
func BenchmarkGroupByCollect(b *testing.B) {
	const n = 1 << 20
	k := make([]int64, n)
	v := make([]float64, n)
	for i := range k {
		k[i] = int64(i*7919) % 1024
		v[i] = float64(i % 100)
	}
	s := frame.NewSession()
	defer s.Close()
	df := s.FromColumns(frame.Int64s("k", k), frame.Float64s("v", v)).
		Filter(expr.Col("v").Gt(expr.Lit(10.0))).
		GroupBy(expr.Col("k")).
		Agg(expr.Sum(expr.Col("v")).As("s"))
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(n * 16)
	for b.Loop() {
		recs, err := df.Collect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			r.Release()
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// BenchmarkFromStructs measures building a DataFrame from Go structs.
func BenchmarkFromStructs(b *testing.B) {
	type row struct {
		ID    int64
		Name  string
		Score *float64
	}
	rows := make([]row, 1<<16)
	for i := range rows {
		rows[i] = row{ID: int64(i), Name: "name", Score: frame.Ptr(float64(i))}
	}
	s := frame.NewSession()
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := frame.FromStructs(s, rows).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}
