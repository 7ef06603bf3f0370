package enginetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/optimize"
)

// TestOptimizerKeepsResults is the optimizer's safety net. For random plans
// (two thirds of them aggregations over joins, the shape eager pre-aggregation
// rewrites) over random tables, the engine must return the oracle's rows
// (reference.EvalPlan of the unoptimized plan) for the plan as built, for
// the plan optimized with every rule, and optimized with each rule disabled
// in turn; the oracle must agree on the optimized plan too. The
// pre-aggregation rule must fire on a good share of the aggregations over
// joins, so that this test really exercises it.
func TestOptimizerKeepsResults(t *testing.T) {
	plans := 90
	if testing.Short() {
		plans = 30
	}
	ctx := context.Background()
	configs := []*optimize.Config{nil}
	for _, r := range optimize.DefaultRules() {
		configs = append(configs, &optimize.Config{Disabled: []string{r.Name()}})
	}
	aggJoins, fired := 0, 0
	for seed := 0; seed < plans; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		sizes := []int{0, 1, 5, 40, 120}
		factSizes := sizes
		if seed%3 != 0 { // aggregations over joins: mostly a larger fact table
			factSizes = []int{0, 40, 120, 120, 200}
		}
		fact, err := RandomTable(mem, rng, "fact", FactSchema, factSizes[rng.IntN(len(factSizes))])
		require.NoError(t, err)
		dim, err := RandomTable(mem, rng, "dim", DimSchema, sizes[rng.IntN(len(sizes))])
		require.NoError(t, err)
		gen := NewGenerator(rng, fact, dim)
		var p plan.Node
		if seed%3 != 0 {
			p = gen.AggregateOverJoin()
			aggJoins++
		} else {
			p = gen.Plan(1 + rng.IntN(4))
		}
		_, want, wantErr := reference.EvalPlan(ctx, p)
		env := exec.NewEnv(mem, mempool.NewUnbounded(), batchSizes[rng.IntN(len(batchSizes))])
		check := func(label string, n plan.Node) {
			t.Helper()
			got, err := Run(ctx, n, env)
			requireRows(t, seed, label, p, n, want, wantErr, got, err)
			_, oracle, oerr := reference.EvalPlan(ctx, n)
			requireRows(t, seed, label+" (oracle)", p, n, want, wantErr, oracle, oerr)
		}
		check("unoptimized", p)
		for _, cfg := range configs {
			opt, tr, err := optimize.Optimize(p, cfg)
			require.NoError(t, err, "seed %d\n%s", seed, plan.Format(p))
			label := "all rules"
			if cfg != nil {
				label = "without " + cfg.Disabled[0]
			} else if seed%3 != 0 && tr.Fired("push_aggregate_below_join") {
				fired++
			}
			check(label, opt)
		}
		fact.Release()
		dim.Release()
		mem.AssertSize(t, 0)
	}
	t.Logf("push_aggregate_below_join fired on %d of %d aggregations over joins", fired, aggJoins)
	require.GreaterOrEqual(t, 4*fired, aggJoins, "the pre-aggregation rule fired on less than a quarter of the plans")
}

// requireRows compares a result with the oracle's result of the original
// plan p: the same rows (in order when p's order is fully determined, as a
// multiset otherwise) or the same error.
func requireRows(t *testing.T, seed int, label string, p, n plan.Node, want []reference.Row, wantErr error, got []reference.Row, err error) {
	t.Helper()
	msg := func() string {
		return label + ", seed " + strconv.Itoa(seed) + "\noriginal:\n" + plan.Format(p) + "ran:\n" + plan.Format(n)
	}
	if wantErr != nil {
		require.Error(t, err, "%s: oracle failed with %v", msg(), wantErr)
		for _, sentinel := range []error{expr.ErrOverflow, expr.ErrDivideByZero} {
			require.Equal(t, errors.Is(wantErr, sentinel), errors.Is(err, sentinel), "%s: %v vs %v", msg(), wantErr, err)
		}
		return
	}
	require.NoError(t, err, msg())
	if totallyOrdered(p) {
		require.Equal(t, len(want), len(got), msg())
		for i := range want {
			require.True(t, reference.RowsEqual(want[i], got[i]), "%s\nrow %d: want %v got %v", msg(), i, want[i], got[i])
		}
		return
	}
	require.Empty(t, reference.DiffMultiset(want, got), msg())
}

// totallyOrdered reports whether p's root is a total Sort (possibly under a
// Limit), as the generator makes them.
func totallyOrdered(p plan.Node) bool {
	if l, ok := p.(*plan.Limit); ok {
		p = l.Input
	}
	_, ok := p.(*plan.Sort)
	return ok
}
