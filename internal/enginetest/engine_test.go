package enginetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var batchSizes = []int{1, 7, 1024, 4096}

// configs are the parallel settings the random plans run under: every
// parallelism in {1, 2, 4} and shuffle partitions in {1, 3, 16}, with
// broadcast joins forced on, forced off, or left to the size estimate, and
// sort-merge instead of shuffled hash joins.
var configs = []physical.Config{
	{Parallelism: 1, ShufflePartitions: 1},
	{Parallelism: 2, ShufflePartitions: 3, BroadcastThreshold: -1},
	{Parallelism: 4, ShufflePartitions: 16, BroadcastThreshold: 1 << 40},
	{Parallelism: 2, ShufflePartitions: 16, ScanTasks: 3, BroadcastThreshold: -1, PreferSortMerge: true},
	{Parallelism: 4, ShufflePartitions: 3, BroadcastThreshold: -1, PreferSortMerge: true},
	{Parallelism: 1, ShufflePartitions: 16, BroadcastThreshold: 1 << 40},
}

// TestRandomPlansMatchOracle is the engine's main differential test: random
// plans over random tables (NULLs, NaN, -0, duplicate keys, empty and
// single-row tables) must give the oracle's rows at every batch size.
func TestRandomPlansMatchOracle(t *testing.T) {
	plans := 150
	if testing.Short() {
		plans = 40
	}
	seen := map[string]int{}
	defer func() { requireCoverage(t, seen) }()
	for seed := 0; seed < plans; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		sizes := []int{0, 1, 5, 40, 300}
		fact, err := RandomTable(mem, rng, "fact", FactSchema, sizes[rng.IntN(len(sizes))])
		require.NoError(t, err)
		dim, err := RandomTable(mem, rng, "dim", DimSchema, sizes[rng.IntN(len(sizes))])
		require.NoError(t, err)
		gen := NewGenerator(rng, fact, dim)
		p := gen.Plan(1 + rng.IntN(4))
		countKinds(p, seen)
		checkPlan(t, seed, p, mem)
		fact.Release()
		dim.Release()
		mem.AssertSize(t, 0)
	}
}

func checkPlan(t *testing.T, seed int, p plan.Node, mem memory.Allocator) {
	t.Helper()
	ctx := context.Background()
	_, want, wantErr := reference.EvalPlan(ctx, p)
	_, ordered := p.(*plan.Sort)
	if l, ok := p.(*plan.Limit); ok {
		_, ordered = l.Input.(*plan.Sort)
	}
	for i, bs := range batchSizes {
		env := exec.NewEnv(mem, mempool.NewUnbounded(), bs)
		cfg := configs[(seed+i)%len(configs)]
		got, err := RunWith(ctx, p, env, cfg)
		if wantErr != nil {
			require.Error(t, err, "seed %d batch %d cfg %+v: oracle failed with %v\n%s", seed, bs, cfg, wantErr, plan.Format(p))
			for _, sentinel := range []error{expr.ErrOverflow, expr.ErrDivideByZero} {
				require.Equal(t, errors.Is(wantErr, sentinel), errors.Is(err, sentinel), "seed %d: %v vs %v", seed, wantErr, err)
			}
			continue
		}
		require.NoError(t, err, "seed %d batch %d cfg %+v\n%s", seed, bs, cfg, plan.Format(p))
		if ordered {
			require.Equal(t, len(want), len(got), "seed %d batch %d cfg %+v\n%s", seed, bs, cfg, plan.Format(p))
			for i := range want {
				require.True(t, reference.RowsEqual(want[i], got[i]), "seed %d batch %d cfg %+v row %d: want %v got %v\n%s", seed, bs, cfg, i, want[i], got[i], plan.Format(p))
			}
			continue
		}
		require.Empty(t, reference.DiffMultiset(want, got), "seed %d batch %d cfg %+v\n%s", seed, bs, cfg, plan.Format(p))
	}
}

// TestOracleCatchesWrongResults guards the harness itself: a plan whose
// engine result is compared against a different plan's oracle rows must
// fail the comparison.
func TestOracleCatchesWrongResults(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 3))
	fact, err := RandomTable(mem, rng, "fact", FactSchema, 50)
	require.NoError(t, err)
	defer fact.Release()
	scan, err := plan.NewScan(fact, "f")
	require.NoError(t, err)
	filtered, err := plan.NewFilter(scan, expr.Col("k").Gt(expr.Lit(1)))
	require.NoError(t, err)
	_, want, err := reference.EvalPlan(context.Background(), scan)
	require.NoError(t, err)
	got, err := Run(context.Background(), filtered, exec.NewEnv(mem, nil, 7))
	require.NoError(t, err)
	require.NotEmpty(t, reference.DiffMultiset(want, got))
}

// countKinds tallies the node kinds (and join types) in p.
func countKinds(p plan.Node, seen map[string]int) {
	plan.Inspect(p, func(n plan.Node) bool {
		kind := fmt.Sprintf("%T", n)
		if j, ok := n.(*plan.Join); ok {
			kind += ":" + j.Type.String()
			if j.Filter != nil {
				seen["join residual"]++
			}
		}
		if a, ok := n.(*plan.Aggregate); ok && len(a.GroupBy) == 0 {
			seen["global aggregate"]++
		}
		seen[kind]++
		return true
	})
}

// requireCoverage fails when the random plans missed a node kind or join
// type, so a generator change cannot silently stop testing an operator.
func requireCoverage(t *testing.T, seen map[string]int) {
	want := []string{"*plan.Scan", "*plan.Filter", "*plan.Project", "*plan.Aggregate", "*plan.Sort",
		"*plan.Limit", "*plan.Distinct", "*plan.Union", "join residual", "global aggregate"}
	for jt := plan.JoinInner; jt <= plan.JoinCross; jt++ {
		want = append(want, "*plan.Join:"+jt.String())
	}
	for _, k := range want {
		require.Positive(t, seen[k], "no random plan contained %s (seen: %v)", k, seen)
	}
}
