package optimize

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/plan"
)

const goldenDir = "../../testdata/optimize"

// TestOptimizeGolden runs the golden files. Commands (each names a plan of
// namedPlans with plan=NAME):
//
//	explain plan=NAME                    the plan with estimates, unoptimized
//	optimize plan=NAME [expect=(rules)] [expect-not=(rules)] [disable=(rules)]
//	         [min-reduction=X] [estimates]
//	                                     the optimized plan (with estimates when
//	                                     asked), then the notes of the rules
//	trace plan=NAME                      the full trace (EXPLAIN VERBOSE)
//
// expect and expect-not are checked: the test fails when an expected rule
// did not fire or an unexpected one did, whatever the golden text says.
func TestOptimizeGolden(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := newTables(t, mem, bigExplosion, 40)
	defer ts.release()
	datadriven.Walk(t, goldenDir, func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var name string
			d.ScanArgs(t, "plan", &name)
			build, ok := namedPlans[name]
			if !ok {
				d.Fatalf(t, "unknown plan %q", name)
			}
			b := build(ts)
			require.NoError(t, b.err, "plan %s", name)
			switch d.Cmd {
			case "explain":
				return FormatWithEstimates(b.n)
			case "optimize":
				return runOptimize(t, d, b.n)
			case "trace":
				_, tr, err := Optimize(b.n, nil)
				require.NoError(t, err)
				return tr.String()
			}
			d.Fatalf(t, "unknown command %q", d.Cmd)
			return ""
		})
	})
}

func argVals(d *datadriven.TestData, key string) []string {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return a.Vals
		}
	}
	return nil
}

func runOptimize(t *testing.T, d *datadriven.TestData, n plan.Node) string {
	cfg := &Config{Disabled: argVals(d, "disable")}
	if d.HasArg("min-reduction") {
		d.ScanArgs(t, "min-reduction", &cfg.PreAggMinReduction)
	}
	out, tr, err := Optimize(n, cfg)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	for _, r := range argVals(d, "expect") {
		require.True(t, tr.Fired(r), "%s: rule %s did not fire; fired: %v", d.Pos, r, tr.Rules())
	}
	for _, r := range argVals(d, "expect-not") {
		require.False(t, tr.Fired(r), "%s: rule %s fired", d.Pos, r)
	}
	var sb strings.Builder
	if d.HasArg("estimates") {
		sb.WriteString(FormatWithEstimates(out))
	} else {
		sb.WriteString(plan.Format(out))
	}
	for _, s := range tr.Steps {
		for _, note := range s.Notes {
			sb.WriteString("note: " + s.Rule + ": " + note + "\n")
		}
	}
	return sb.String()
}

// TestNamedPlansCovered makes sure every named plan appears in a golden
// file.
func TestNamedPlansCovered(t *testing.T) {
	used := map[string]bool{}
	datadriven.Walk(t, goldenDir, func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var name string
			d.ScanArgs(t, "plan", &name)
			used[name] = true
			return d.Expected
		})
	})
	var missing []string
	for name := range namedPlans {
		if !used[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "named plans without a golden case: %s", strings.Join(missing, ", "))
}

// TestNamedPlansKeepResults evaluates every named plan with the reference
// oracle before and after optimization, over small tables, with every rule
// and with each rule disabled in turn: the rows (as multisets, or in order
// under a Sort) and the errors must be the same.
func TestNamedPlansKeepResults(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := newTables(t, mem, smallExplosion, 30)
	defer ts.release()
	configs := []*Config{nil}
	for _, r := range DefaultRules() {
		configs = append(configs, &Config{Disabled: []string{r.Name()}})
	}
	names := make([]string, 0, len(namedPlans))
	for name := range namedPlans {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b := namedPlans[name](ts)
		require.NoError(t, b.err, name)
		for _, cfg := range configs {
			out, _, err := Optimize(b.n, cfg)
			require.NoError(t, err, name)
			requireSameResult(t, name, b.n, out, avoidsErrors[name])
		}
	}
}

// avoidsErrors lists the named plans whose optimization may avoid an
// error of the original (a pushed-down predicate removes the rows a
// failing one would have failed on), as the package documentation allows.
var avoidsErrors = map[string]bool{"filter_failing_stays": true}

// requireSameResult compares the oracle's results of two plans. With
// mayAvoid, the optimized plan may succeed where the original failed.
func requireSameResult(t *testing.T, name string, before, after plan.Node, mayAvoid bool) {
	t.Helper()
	ctx := context.Background()
	_, want, wantErr := reference.EvalPlan(ctx, before)
	_, got, gotErr := reference.EvalPlan(ctx, after)
	msg := name + "\nbefore:\n" + plan.Format(before) + "after:\n" + plan.Format(after)
	if wantErr != nil && mayAvoid && gotErr == nil {
		return
	}
	if wantErr != nil {
		require.Error(t, gotErr, msg)
		for _, sentinel := range []error{expr.ErrOverflow, expr.ErrDivideByZero} {
			require.Equal(t, errors.Is(wantErr, sentinel), errors.Is(gotErr, sentinel), "%s\n%v vs %v", msg, wantErr, gotErr)
		}
		return
	}
	require.NoError(t, gotErr, msg)
	if ordered(before) {
		require.Equal(t, len(want), len(got), msg)
		for i := range want {
			require.True(t, reference.RowsEqual(want[i], got[i]), "%s\nrow %d: want %v got %v", msg, i, want[i], got[i])
		}
		return
	}
	require.Empty(t, reference.DiffMultiset(want, got), msg)
}

// ordered reports whether a plan's row order is defined: a Sort at the
// root, possibly under a Limit or Project.
func ordered(n plan.Node) bool {
	for {
		switch x := n.(type) {
		case *plan.Sort:
			return true
		case *plan.Limit, *plan.Project:
			n = x.Children()[0]
		default:
			return false
		}
	}
}

// TestOptimizeIsIdempotent re-optimizes every optimized named plan: nothing
// may change, or the rules would fight each other.
func TestOptimizeIsIdempotent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts := newTables(t, mem, bigExplosion, 40)
	defer ts.release()
	for name, build := range namedPlans {
		b := build(ts)
		require.NoError(t, b.err, name)
		out, tr1, err := Optimize(b.n, nil)
		require.NoError(t, err, name)
		require.Less(t, tr1.Passes, DefaultMaxPasses+1, name)
		again, tr2, err := Optimize(out, nil)
		require.NoError(t, err, name)
		require.Empty(t, tr2.Steps, "%s: second optimization changed the plan:\n%s", name, tr2)
		require.Equal(t, plan.Format(out), plan.Format(again), name)
	}
}
