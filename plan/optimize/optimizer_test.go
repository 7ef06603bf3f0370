package optimize

import (
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// funcRule adapts a function to Rule for tests.
type funcRule struct {
	name  string
	order Order
	f     func(plan.Node, *Config) (plan.Node, bool, error)
}

func (r funcRule) Name() string { return r.name }
func (r funcRule) Order() Order { return r.order }
func (r funcRule) Rewrite(n plan.Node, cfg *Config) (plan.Node, bool, error) {
	return r.f(n, cfg)
}

func smallPlan(t *testing.T) (plan.Node, func()) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ts := newTables(t, mem, smallExplosion, 10)
	b := scan(ts.t, "").project(C("a"), C("b")).filter(C("a").Gt(L(1)))
	require.NoError(t, b.err)
	return b.n, func() {
		ts.release()
		mem.AssertSize(t, 0)
	}
}

func TestDefaultRuleNamesAreStableAndUnique(t *testing.T) {
	var names []string
	seen := map[string]bool{}
	for _, r := range DefaultRules() {
		require.Regexp(t, `^[a-z]+(_[a-z]+)*$`, r.Name())
		require.False(t, seen[r.Name()], r.Name())
		seen[r.Name()] = true
		names = append(names, r.Name())
	}
	require.Equal(t, []string{"simplify_expressions", "eliminate_filter", "propagate_empty", "merge_filters",
		"push_down_filter", "merge_projections", "push_down_limit", "push_aggregate_below_join", "prune_columns"}, names)
}

func TestUnknownDisabledRule(t *testing.T) {
	n, done := smallPlan(t)
	defer done()
	_, _, err := Optimize(n, &Config{Disabled: []string{"push_down_filter", "push_down_filtr"}})
	require.ErrorIs(t, err, ErrUnknownRule)
	require.Contains(t, err.Error(), `"push_down_filtr"`)
}

func TestSchemaCheckNamesTheRule(t *testing.T) {
	n, done := smallPlan(t)
	defer done()
	bad := funcRule{name: "drop_a_column", order: Self, f: func(n plan.Node, _ *Config) (plan.Node, bool, error) {
		out, err := plan.NewProject(n, []expr.Expr{expr.Col("a")})
		return out, true, err
	}}
	_, tr, err := Optimize(n, &Config{Rules: []Rule{SimplifyExpressions{}, bad}})
	require.ErrorIs(t, err, ErrSchemaChanged)
	require.Contains(t, err.Error(), "drop_a_column")
	require.NotNil(t, tr)

	renamed := funcRule{name: "rename", order: Self, f: func(n plan.Node, _ *Config) (plan.Node, bool, error) {
		out, err := plan.NewProject(n, []expr.Expr{expr.Col("a").As("z"), expr.Col("b")})
		return out, true, err
	}}
	_, _, err = Optimize(n, &Config{Rules: []Rule{renamed}})
	require.ErrorIs(t, err, ErrSchemaChanged)
	require.Contains(t, err.Error(), `named "z" instead of "a"`)
}

func TestRuleErrorsNameTheRule(t *testing.T) {
	n, done := smallPlan(t)
	defer done()
	boom := errors.New("boom")
	failing := funcRule{name: "failing", order: BottomUp, f: func(n plan.Node, _ *Config) (plan.Node, bool, error) {
		return nil, false, boom
	}}
	_, _, err := Optimize(n, &Config{Rules: []Rule{failing}})
	require.ErrorIs(t, err, boom)
	require.Contains(t, err.Error(), "rule failing")
}

func TestPassLimitAndTrace(t *testing.T) {
	n, done := smallPlan(t)
	defer done()
	calls := 0
	// A rule that always "changes" the plan (re-wrapping it in a limit
	// that keeps everything) never reaches a fixpoint.
	restless := funcRule{name: "restless", order: Self, f: func(n plan.Node, cfg *Config) (plan.Node, bool, error) {
		calls++
		cfg.Note("call %d", calls)
		out, err := plan.NewLimit(n, 0, plan.NoLimit)
		return out, true, err
	}}
	_, tr, err := Optimize(n, &Config{Rules: []Rule{restless}, MaxPasses: 2})
	require.NoError(t, err)
	require.Equal(t, 2, calls)
	require.Equal(t, 2, tr.Passes)
	require.Len(t, tr.Steps, 2)
	require.Equal(t, []string{"call 1", "call 2"}, tr.Notes("restless"))
	require.Equal(t, 2, tr.Steps[1].Pass)
	require.Contains(t, tr.String(), "pass 2: restless\n  note: call 2\n  before:\n    Limit: all\n")

	_, tr, err = Optimize(n, &Config{Rules: []Rule{restless}})
	require.NoError(t, err)
	require.Equal(t, DefaultMaxPasses, tr.Passes)
}

func TestFixpointStopsEarly(t *testing.T) {
	n, done := smallPlan(t)
	defer done()
	out, tr, err := Optimize(n, nil)
	require.NoError(t, err)
	require.Equal(t, "Scan: t projection=[a, b] filters=[a > 1]\n", plan.Format(out))
	require.Equal(t, 2, tr.Passes) // the second pass changes nothing
	require.True(t, tr.Fired("push_down_filter"))
	require.False(t, tr.Fired("push_aggregate_below_join"))
	require.Equal(t, []string{"push_down_filter", "prune_columns"}, tr.Rules())

	// Disabling every rule leaves the plan alone.
	var all []string
	for _, r := range DefaultRules() {
		all = append(all, r.Name())
	}
	out, tr, err = Optimize(n, &Config{Disabled: all})
	require.NoError(t, err)
	require.Same(t, n, out)
	require.Empty(t, tr.Steps)
	require.Equal(t, "no rule changed the plan\n", tr.String())
}

func TestNoteOutsideOptimizer(t *testing.T) {
	var cfg *Config
	cfg.Note("ignored") // a nil config is fine
	(&Config{}).Note("ignored")
	require.NotNil(t, cfg.Estimates())
}
