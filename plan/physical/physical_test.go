package physical_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/io/memtable"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// table builds a memtable with columns k (key, k = i % keys) and v (= i).
func table(t *testing.T, mem memory.Allocator, name string, rows, keys int) *memtable.Table {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < rows; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i % keys))
		b.Field(1).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	tbl, err := memtable.New(name, schema, []arrow.Record{rec})
	require.NoError(t, err)
	t.Cleanup(tbl.Release)
	return tbl
}

func scan(t *testing.T, tbl *memtable.Table, alias string) plan.Node {
	n, err := plan.NewScan(tbl, alias)
	require.NoError(t, err)
	return n
}

func joinOn(t *testing.T, l, r plan.Node, typ plan.JoinType) *plan.Join {
	j, err := plan.NewJoin(l, r, typ, []plan.JoinKey{{Left: expr.Col("a.k"), Right: expr.Col("b.k")}}, nil)
	require.NoError(t, err)
	return j
}

// collect runs p to completion and returns its rows and the run's
// operator statistics.
func collect(t *testing.T, ctx context.Context, p *physical.Plan, env *exec.Env) ([]reference.Row, []physical.OperatorStats) {
	t.Helper()
	r, err := p.Start(ctx, env)
	require.NoError(t, err)
	defer r.Close()
	var rows []reference.Row
	for {
		b, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		rec, err := exec.Compact(env.Mem, b)
		b.Release()
		require.NoError(t, err)
		more, err := reference.RowsFromRecord(rec)
		rec.Release()
		require.NoError(t, err)
		rows = append(rows, more...)
	}
	return rows, r.Operators()
}

// TestShuffleSpillsUnderMemoryLimit forces the shuffle of a large join side
// to spill and checks the result equals the unlimited run, the spill
// happened, and the pool and temp directory end empty.
func TestShuffleSpillsUnderMemoryLimit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	big := table(t, mem, "big", 200_000, 1000)
	small := table(t, mem, "small", 500, 1000)
	j := joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinInner)
	cfg := physical.Config{Parallelism: 2, ShufflePartitions: 4, BroadcastThreshold: -1}
	p, err := physical.Compile(j, cfg, 4096)
	require.NoError(t, err)
	require.Contains(t, p.Explain(), "ShuffledHashJoin")

	want, _ := collect(t, context.Background(), p, exec.NewEnv(mem, mempool.NewUnbounded(), 4096))
	require.Len(t, want, 100_000)

	pool := mempool.NewFairSpill(1 << 20)
	p, err = physical.Compile(j, cfg, 4096)
	require.NoError(t, err)
	got, ops := collect(t, context.Background(), p, exec.NewEnv(mem, pool, 4096))
	require.Empty(t, reference.DiffMultiset(want, got))
	var spills int64
	for _, op := range ops {
		spills += op.Spills
	}
	require.Positive(t, spills, "the 1 MiB limit must force the shuffle to spill")
	require.Zero(t, pool.Reserved())
	left, err := filepath.Glob(filepath.Join(tmp, "*"))
	require.NoError(t, err)
	require.Empty(t, left, "the query's temp directory is removed")
}

// blockingSource is a source whose reader blocks until its context ends.
type blockingSource struct {
	*memtable.Table
	opened chan struct{}
}

func TestCancellationLeavesNothingBehind(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	big := table(t, mem, "big", 300_000, 50_000)
	// A shuffled join and a group-by: several stages with spillable state.
	j := joinOn(t, scan(t, big, "a"), scan(t, big, "b"), plan.JoinInner)
	agg, err := plan.NewAggregate(j, []expr.Expr{expr.Col("a.k")}, []expr.Expr{expr.Sum(expr.Col("b.v")).As("s")})
	require.NoError(t, err)
	pool := mempool.NewUnbounded()
	for _, stopAfter := range []int{0, 1} {
		ctx, cancel := context.WithCancel(context.Background())
		p, err := physical.Compile(agg, physical.Config{Parallelism: 2, ShufflePartitions: 8, BroadcastThreshold: -1}, 1024)
		require.NoError(t, err)
		env := exec.NewEnv(mem, pool, 1024)
		if stopAfter == 0 {
			cancel() // cancelled before the map stages run
			_, err := p.Start(ctx, env)
			require.ErrorIs(t, err, context.Canceled)
		} else {
			r, err := p.Start(ctx, env)
			require.NoError(t, err)
			b, err := r.Next(ctx)
			require.NoError(t, err)
			b.Release()
			cancel()
			for err == nil {
				b, err = r.Next(ctx)
				if err == nil {
					b.Release()
				}
			}
			require.ErrorIs(t, err, context.Canceled)
			require.NoError(t, r.Close())
		}
		require.Zero(t, pool.Reserved(), "no reservation survives a cancelled query")
		left, err := filepath.Glob(filepath.Join(tmp, "*"))
		require.NoError(t, err)
		require.Empty(t, left)
	}
}

func TestJoinStrategySelection(t *testing.T) {
	mem := memory.NewGoAllocator()
	big := table(t, mem, "big", 50_000, 100)
	small := table(t, mem, "small", 100, 100)
	// big is about 800 KiB, small about 1.6 KiB.
	cfg := physical.Config{Parallelism: 2, ShufflePartitions: 4, BroadcastThreshold: 100 << 10}
	explain := func(n plan.Node) string {
		p, err := physical.Compile(n, cfg, 4096)
		require.NoError(t, err)
		return p.Explain()
	}
	// The small right side is broadcast; the large left side is not shuffled.
	text := explain(joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinInner))
	require.Contains(t, text, "BroadcastHashJoin inner on [a.k = b.k] (right est.")
	require.NotContains(t, text, "Exchange hash")
	// A small left side of an inner join is broadcast by swapping sides.
	text = explain(joinOn(t, scan(t, small, "a"), scan(t, big, "b"), plan.JoinInner))
	require.Contains(t, text, "BroadcastHashJoin inner on [a.k = b.k] (left est.")
	// A right join preserves its right side: only the left may be broadcast.
	text = explain(joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinRight))
	require.Contains(t, text, "ShuffledHashJoin right")
	text = explain(joinOn(t, scan(t, small, "a"), scan(t, big, "b"), plan.JoinRight))
	require.Contains(t, text, "BroadcastHashJoin right on [a.k = b.k] (left est.")
	// A full join never broadcasts.
	text = explain(joinOn(t, scan(t, small, "a"), scan(t, small, "b"), plan.JoinFull))
	require.Contains(t, text, "ShuffledHashJoin full")
	// Hints win over sizes.
	hinted, err := joinOn(t, scan(t, big, "a"), scan(t, big, "b"), plan.JoinInner).WithHint(plan.JoinHint{Broadcast: plan.BroadcastRight})
	require.NoError(t, err)
	require.Contains(t, explain(hinted), "(hint: broadcast right)")
	hinted, err = joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinInner).WithHint(plan.JoinHint{Strategy: plan.StrategyShuffleHash})
	require.NoError(t, err)
	require.Contains(t, explain(hinted), "(hint: shuffle_hash)")
	require.Contains(t, explain(hinted), "ShuffledHashJoin inner")
	// A disabled threshold shuffles both sides.
	p, err := physical.Compile(joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinInner), physical.Config{Parallelism: 2, BroadcastThreshold: -1}, 4096)
	require.NoError(t, err)
	require.Contains(t, p.Explain(), "ShuffledHashJoin")
}

func TestBroadcastProbeSideIsNotShuffled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	big := table(t, mem, "big", 100_000, 100)
	small := table(t, mem, "small", 300, 100)
	j := joinOn(t, scan(t, big, "a"), scan(t, small, "b"), plan.JoinInner)
	p, err := physical.Compile(j, physical.Config{Parallelism: 2, ShufflePartitions: 4, ScanTasks: 4}, 4096)
	require.NoError(t, err)
	rows, ops := collect(t, context.Background(), p, exec.NewEnv(mem, nil, 4096))
	require.Len(t, rows, 300_000)
	var joins int
	for _, op := range ops {
		if op.Join {
			joins++
			require.EqualValues(t, 100_000, op.Counters["probe rows"])
			require.EqualValues(t, 300_000, op.Counters["output rows"])
		}
		if op.Exchange {
			require.LessOrEqual(t, op.ShuffleRows, int64(300_000), "only the build side and the result are exchanged: %s", op.Name)
		}
	}
	require.Equal(t, 1, joins)
}

func TestJoinsWithoutKeysAndSortMerge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	a := table(t, mem, "a", 3000, 7)
	b := table(t, mem, "b", 40, 40)
	// Several partitions on each side: the left side is aggregated first.
	agg, err := plan.NewAggregate(scan(t, a, "a"), []expr.Expr{expr.Col("a.v").Mod(expr.Lit(50)).As("m")}, []expr.Expr{expr.CountStar().As("n")})
	require.NoError(t, err)
	cfg := physical.Config{Parallelism: 2, ShufflePartitions: 4}
	run := func(n plan.Node, cfg physical.Config) ([]reference.Row, string) {
		p, err := physical.Compile(n, cfg, 64)
		require.NoError(t, err)
		rows, _ := collect(t, context.Background(), p, exec.NewEnv(mem, nil, 64))
		return rows, p.Explain()
	}
	// A full join on a non-equality condition runs in one task: a broadcast
	// would emit unmatched build rows once per probe partition.
	full, err := plan.NewJoin(agg, scan(t, b, "b"), plan.JoinFull, nil, expr.Col("m").Lt(expr.Col("b.k")))
	require.NoError(t, err)
	rows, text := run(full, cfg)
	require.Contains(t, text, "NestedLoopJoin full")
	_, want, err := reference.EvalPlan(context.Background(), full)
	require.NoError(t, err)
	require.Empty(t, reference.DiffMultiset(want, rows))

	// A sort-merge hint and PreferSortMerge give sort-merge joins with the
	// hash join's results.
	j := joinOn(t, scan(t, a, "a"), scan(t, b, "b"), plan.JoinLeft)
	hashRows, text := run(j, physical.Config{Parallelism: 2, ShufflePartitions: 4, BroadcastThreshold: -1})
	require.Contains(t, text, "ShuffledHashJoin left")
	smj, err := j.WithHint(plan.JoinHint{Strategy: plan.StrategySortMerge})
	require.NoError(t, err)
	mergeRows, text := run(smj, cfg)
	require.Contains(t, text, "SortMergeJoin left on [a.k = b.k] strategy=sort_merge (hint: sort_merge)")
	require.Empty(t, reference.DiffMultiset(hashRows, mergeRows))
	preferRows, text := run(j, physical.Config{Parallelism: 2, ShufflePartitions: 3, BroadcastThreshold: -1, PreferSortMerge: true})
	require.Contains(t, text, "SortMergeJoin left")
	require.Empty(t, reference.DiffMultiset(hashRows, preferRows))
}

func TestTaskErrorsNameStageTaskAndOperator(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	big := table(t, mem, "big", 20_000, 10_000)
	// A union of two scans has two partitions: a two-phase aggregation.
	u, err := plan.NewUnion(scan(t, big, "a"), scan(t, big, "a"))
	require.NoError(t, err)
	agg, err := plan.NewAggregate(u, []expr.Expr{expr.Col("k")}, []expr.Expr{expr.Sum(expr.Col("v")).As("s")})
	require.NoError(t, err)
	p, err := physical.Compile(agg, physical.Config{Parallelism: 2, ShufflePartitions: 4}, 1024)
	require.NoError(t, err)
	_, err = p.Start(context.Background(), exec.NewEnv(mem, mempool.NewGreedy(4<<10), 1024))
	require.ErrorIs(t, err, mempool.ErrMemoryLimit)
	var se *exec.StageError
	require.ErrorAs(t, err, &se)
	var oe *exec.OperatorError
	require.ErrorAs(t, err, &oe)
	require.Contains(t, oe.Operator, "HashAggregate(partial)")
	require.Regexp(t, `^stage 0 \(Exchange hash\[k\]: 2 → 4 partitions\) task [01]: HashAggregate\(partial\): group=\[k\]`, err.Error())
}
