package frame_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/plan/optimize"
)

// rowExplosion builds the seed query: a fact table joined to a dimension
// with 4 rows per group, then SUM(metric * weight) by (entity, dim_key).
func rowExplosion(s *frame.Session) *frame.DataFrame {
	var entity, grp []int64
	var metric []float64
	for e := int64(0); e < 20; e++ {
		for g := int64(0); g < 5; g++ {
			for f := 0; f < 10; f++ {
				entity, grp, metric = append(entity, e), append(grp, g), append(metric, float64(f))
			}
		}
	}
	fact := s.FromColumns(frame.Int64s("entity", entity), frame.Int64s("grp", grp), frame.Float64s("metric", metric)).Alias("f")
	var dg, dk []int64
	var w []float64
	for g := int64(0); g < 5; g++ {
		for j := int64(0); j < 4; j++ {
			dg, dk, w = append(dg, g), append(dk, j), append(w, float64(j+1))
		}
	}
	dim := s.FromColumns(frame.Int64s("grp", dg), frame.Int64s("dim_key", dk), frame.Float64s("weight", w)).Alias("d")
	return fact.Join(dim, frame.Using("grp"), frame.Inner).
		GroupBy(expr.Col("entity"), expr.Col("dim_key")).
		Agg(expr.Sum(expr.Col("metric").Mul(expr.Col("weight"))).As("total"))
}

func TestOptimizerPreAggregatesTheRowExplosion(t *testing.T) {
	s, _ := newSession(t)
	ctx := context.Background()
	q := rowExplosion(s)

	text, err := q.Explain()
	require.NoError(t, err)
	require.Contains(t, text, "fan-out ×4", "the logical plan flags the fan-out join")
	require.Contains(t, text, "note: push_aggregate_below_join: pre-aggregated")

	on, err := q.Analyze(ctx)
	require.NoError(t, err)
	off, err := q.DisableRules("push_aggregate_below_join").Analyze(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 4000, off.JoinRows(), "as written, every fact row meets 4 dimension rows")
	require.EqualValues(t, 400, on.JoinRows(), "pre-aggregated to (entity, grp) first")
	require.Equal(t, off.Rows, on.Rows)

	offText, err := q.DisableRules("push_aggregate_below_join").Explain()
	require.NoError(t, err)
	require.NotContains(t, offText, "note: push_aggregate_below_join")

	require.Equal(t, sortedRows(t, q.DisableRules("push_aggregate_below_join")), sortedRows(t, q))
}

func TestOptimizerOptions(t *testing.T) {
	ctx := context.Background()
	s, _ := newSession(t, frame.WithoutOptimizer())
	text, err := rowExplosion(s).Explain(frame.ExplainVerbose)
	require.NoError(t, err)
	require.NotContains(t, text, "note: push_aggregate_below_join")
	require.Contains(t, text, "== Optimizer trace ==")

	s2, _ := newSession(t, frame.WithDisabledRules("no_such_rule"))
	_, err = rowExplosion(s2).Count(ctx)
	require.ErrorIs(t, err, optimize.ErrUnknownRule)

	s3, _ := newSession(t)
	verbose, err := rowExplosion(s3).Explain(frame.ExplainVerbose)
	require.NoError(t, err)
	require.Contains(t, verbose, "pass 1: push_aggregate_below_join")

	s4 := frame.NewSession(frame.WithPreAggThreshold(0.5))
	require.ErrorIs(t, s4.Err(), frame.ErrInvalidOption)
	require.NoError(t, s4.Close())
}
