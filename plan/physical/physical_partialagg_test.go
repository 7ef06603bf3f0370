package physical_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

// TestPartialAggregateSkipsWhenItDoesNotReduce groups a table whose keys
// are all distinct: every partial aggregate task fills its probe window
// with one group per row, switches to pass-through, and the result equals
// the run with the switch disabled.
func TestPartialAggregateSkipsWhenItDoesNotReduce(t *testing.T) {
	const rows = 300_000 // three memtable splits: three partial tasks
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	tbl := table(t, mem, "t", rows, rows)
	n, err := plan.NewAggregate(scan(t, tbl, "t"), []expr.Expr{expr.Col("k")}, []expr.Expr{
		expr.Sum(expr.Col("v")).As("s"), expr.CountStar().As("n"), expr.Avg(expr.Col("v")).As("a"),
		expr.Min(expr.Col("v")).As("lo"),
	})
	require.NoError(t, err)

	run := func(ratio float64) ([]reference.Row, physical.OperatorStats) {
		cfg := physical.Config{Parallelism: 2, PartialAggProbeRows: 1000, PartialAggRatio: ratio}
		p, err := physical.Compile(n, cfg, 4096)
		require.NoError(t, err)
		pool := mempool.NewUnbounded()
		got, ops := collect(t, context.Background(), p, exec.NewEnv(mem, pool, 4096))
		require.Zero(t, pool.Reserved())
		var partial []physical.OperatorStats
		for _, op := range ops {
			if strings.HasPrefix(op.Name, "HashAggregate(partial)") {
				partial = append(partial, op)
			}
		}
		require.Len(t, partial, 1, "one partial aggregate node")
		return got, partial[0]
	}

	want, off := run(-1)
	require.Len(t, want, rows)
	require.Zero(t, off.Counters["skipped partial"], "disabled: no task switches")
	require.EqualValues(t, rows, off.Counters["groups"])

	got, on := run(0) // the default threshold, 0.8
	require.Empty(t, reference.DiffMultiset(want, got))
	require.Positive(t, on.Counters["skipped partial"])
	require.Positive(t, on.Counters["passthrough rows"])
	require.EqualValues(t, rows, on.Counters["input rows"])
	require.EqualValues(t, rows, on.Counters["groups"]+on.Counters["passthrough rows"],
		"every row is either aggregated (one group each) or passed through")
	require.EqualValues(t, rows, on.RowsOut)
}
