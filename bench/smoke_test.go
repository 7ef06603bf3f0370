package bench

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/frame"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scenarios are the query tables of the benchmarks, by benchmark name.
func scenarios(sz sizes) map[string][]query {
	return map[string][]query{
		"RowExplosion":    explosionQueries(sz),
		"Filter":          filterQueries(sz),
		"Project":         projectQueries(sz),
		"GroupBy":         groupByQueries(sz),
		"HashJoin":        hashJoinQueries(sz),
		"JoinStrategy":    strategyQueries(sz),
		"ParallelSpeedup": speedupQueries(sz),
	}
}

// freshInputs generates q's inputs from mem and returns its tables and a
// function that releases them.
func freshInputs(t *testing.T, q query, mem memory.Allocator) ([][]arrow.Record, func()) {
	t.Helper()
	var owned [][]arrow.Record
	tables := make([][]arrow.Record, len(q.inputs))
	for i, in := range q.inputs {
		own, recs, err := freshTables(in, mem)
		require.NoError(t, err)
		owned = append(owned, own...)
		tables[i] = recs
	}
	return tables, func() {
		for _, recs := range owned {
			for _, r := range recs {
				r.Release()
			}
		}
	}
}

// collect runs p's query with CollectAnalyzed and returns its records,
// its analysis and a function that releases the records.
func collect(t *testing.T, p prepared) ([]arrow.Record, *frame.Analysis, func()) {
	t.Helper()
	recs, a, err := p.df.CollectAnalyzed(context.Background())
	require.NoError(t, err)
	return recs, a, func() {
		for _, r := range recs {
			r.Release()
		}
	}
}

// TestScenarios runs every benchmark query once at tiny sizes, with a
// checked allocator, and checks what the benchmarks check at full size:
// result rows, join output rows and the physical join strategy.
func TestScenarios(t *testing.T) {
	for bench, qs := range scenarios(tiny) {
		for _, q := range qs {
			t.Run(bench+"/"+q.name, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				tables, release := freshInputs(t, q, mem)
				defer release()
				p := prepare(t, q, tables, frame.WithAllocator(mem))
				defer p.s.Close()
				recs, a, releaseRecs := collect(t, p)
				defer releaseRecs()
				check(t, q, a)
				var n int64
				for _, r := range recs {
					n += r.NumRows()
				}
				require.Equal(t, a.Rows, n)
				require.Positive(t, p.inputRows)
			})
		}
	}
}

// TestScenarioNames checks the sub-benchmark names that doc.go documents
// and benchstat comparisons rely on.
func TestScenarioNames(t *testing.T) {
	var names []string
	for _, q := range explosionQueries(full) {
		names = append(names, q.name)
	}
	require.Equal(t, []string{
		"fanout=1/plan=join_then_agg", "fanout=1/plan=agg_first", "fanout=1/plan=optimized",
		"fanout=10/plan=join_then_agg", "fanout=10/plan=join_then_agg/workers=1", "fanout=10/plan=join_then_agg/workers=2",
		"fanout=10/plan=agg_first", "fanout=10/plan=optimized",
		"fanout=100/plan=join_then_agg", "fanout=100/plan=agg_first", "fanout=100/plan=optimized",
	}, names)
	require.Equal(t, "key=int64/groups=1e6/workers=2", groupByQueries(full)[5].name)
	require.Equal(t, "probe=1e7/build=1e6/strategy=shuffle_hash", strategyQueries(full)[3].name)
	require.Equal(t, "join/probe=1e7/build=1e6", speedupQueries(full)[2].name)
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "1"}, {10, "10"}, {100, "1e2"}, {20_000, "2e4"}, {1e7, "1e7"}, {1234, "1234"}, {0, "0"}} {
		require.Equal(t, tc.want, sci(tc.n))
	}
}

// totals returns the sum of the float64 column name over recs.
func totals(t *testing.T, recs []arrow.Record, name string) float64 {
	var s float64
	for _, r := range recs {
		idx := r.Schema().FieldIndices(name)
		require.Len(t, idx, 1)
		for _, v := range r.Column(idx[0]).(*array.Float64).Float64Values() {
			s += v
		}
	}
	return s
}

// TestRowExplosionPlansAgree checks that every plan gives the same answer
// (the sums are exact) and that the optimized plan's join emits no more
// rows than agg_first's, at every fan-out.
func TestRowExplosionPlansAgree(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, f := range tiny.fanouts {
		var rows, joins []int64
		var sums []float64
		for _, p := range explosionPlans {
			q := explosionQuery(tiny.explosion, f, p)
			tables, release := freshInputs(t, q, mem)
			pq := prepare(t, q, tables, frame.WithAllocator(mem))
			recs, a, releaseRecs := collect(t, pq)
			check(t, q, a)
			rows = append(rows, a.Rows)
			joins = append(joins, a.JoinRows())
			sums = append(sums, totals(t, recs, "total"))
			releaseRecs()
			pq.s.Close()
			release()
		}
		for i := range explosionPlans {
			require.Equal(t, rows[0], rows[i], "fan-out %d, plan %s", f, explosionPlans[i])
			require.Equal(t, sums[0], sums[i], "fan-out %d, plan %s", f, explosionPlans[i])
		}
		require.Positive(t, sums[0])
		require.Greater(t, joins[0], joins[1], "fan-out %d: join_then_agg explodes more than agg_first", f)
	}
}

// TestParallelSpeedupScenario runs each speedup pair once and checks that
// one and two workers agree.
func TestParallelSpeedupScenario(t *testing.T) {
	for _, q := range speedupQueries(tiny) {
		t.Run(q.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			tables, release := freshInputs(t, q, mem)
			defer release()
			p := preparePair(t, q, tables, frame.WithAllocator(mem))
			defer p.close()
			a1, a2, d1, d2, err := p.run(context.Background(), true)
			require.NoError(t, err)
			check(t, q, a1)
			check(t, q, a2)
			require.Positive(t, d1)
			require.Positive(t, d2)
			require.Equal(t, 1, p.one.s.Config().Parallelism)
			require.Equal(t, 2, p.two.s.Config().Parallelism)
		})
	}
}

// TestBaselineSums checks that every baseline loop computes the same sum
// on one and two goroutines.
func TestBaselineSums(t *testing.T) {
	ints := make([]int64, 1001)
	floats := make([]float64, len(ints))
	for i := range ints {
		ints[i] = int64(i * 7 % 100)
		floats[i] = float64(ints[i])
	}
	want := sumInts(ints)
	require.Equal(t, 49_500.0, want)
	for _, c := range baselineCases(ints, floats) {
		for _, w := range workerCounts {
			require.Equal(t, want, c.run(w), "%s workers=%d", c.name, w)
		}
	}
}
