package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/internal/datagen"
)

// speedupQueries are the queries whose 1→2 worker speedup
// BenchmarkParallelSpeedup reports: GROUP BY int64 over 1e7 rows, and the
// join of 1e7 probe rows with 1e6 build keys (default strategy).
func speedupQueries(sz sizes) []query {
	var qs []query
	for _, g := range sz.spGroups {
		q := groupByQuery(sz.rows, g, datagen.Balanced)
		q.name = "groupby/rows=" + sci(sz.rows) + "/groups=" + sci(g)
		qs = append(qs, q)
	}
	q := joinQuery(sz.rows, sz.bigBuild)
	q.name = "join/probe=" + sci(sz.rows) + "/build=" + sci(sz.bigBuild)
	return append(qs, q)
}

// pair is a query prepared twice: with one worker and with two.
type pair struct{ one, two prepared }

// preparePair prepares q in two sessions over the same tables, with
// extra options and one or two workers.
func preparePair(tb testing.TB, q query, tables [][]arrow.Record, extra ...frame.Option) pair {
	with := func(w int) []frame.Option {
		return append(append([]frame.Option(nil), extra...), frame.WithParallelism(w))
	}
	return pair{one: prepare(tb, q, tables, with(1)...), two: prepare(tb, q, tables, with(2)...)}
}

func (p pair) close() {
	p.one.s.Close()
	p.two.s.Close()
}

// run runs the query with one worker and with two, in the order given by
// twoFirst, and returns both analyses and wall times. Each run starts from
// a collected heap, so neither pays for the other's garbage.
func (p pair) run(ctx context.Context, twoFirst bool) (a1, a2 *frame.Analysis, d1, d2 time.Duration, err error) {
	timed := func(df *frame.DataFrame) (*frame.Analysis, time.Duration, error) {
		runtime.GC()
		start := time.Now()
		a, err := df.Analyze(ctx)
		return a, time.Since(start), err
	}
	if twoFirst {
		if a2, d2, err = timed(p.two.df); err != nil {
			return nil, nil, 0, 0, err
		}
	}
	if a1, d1, err = timed(p.one.df); err != nil {
		return nil, nil, 0, 0, err
	}
	if !twoFirst {
		if a2, d2, err = timed(p.two.df); err != nil {
			return nil, nil, 0, 0, err
		}
	}
	return a1, a2, d1, d2, nil
}

// BenchmarkParallelSpeedup runs each query with one worker and with two in
// the same iteration (one worker first in even iterations, two workers
// first in odd ones), and reports speedup = t1 / t2 over the summed times
// of the runs, plus the rows/s of each. Both runs see the same machine
// load within seconds of each other, which makes the ratio steadier than
// one computed across separate benchmarks on a shared machine.
func BenchmarkParallelSpeedup(b *testing.B) {
	for _, q := range speedupQueries(full) {
		b.Run(q.name, func(b *testing.B) {
			p := preparePair(b, q, benchTables(b, q))
			defer p.close()
			ctx := context.Background()
			b.ReportAllocs()
			var t1, t2 time.Duration
			i := 0
			for b.Loop() {
				a1, a2, d1, d2, err := p.run(ctx, i%2 == 1)
				i++
				if err != nil {
					b.Fatal(err)
				}
				check(b, q, a1)
				check(b, q, a2)
				t1 += d1
				t2 += d2
			}
			rows := float64(p.one.inputRows) * float64(b.N)
			b.ReportMetric(t1.Seconds()/t2.Seconds(), "speedup")
			b.ReportMetric(rows/t1.Seconds(), "w1-rows/s")
			b.ReportMetric(rows/t2.Seconds(), "w2-rows/s")
		})
	}
}
