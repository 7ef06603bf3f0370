package bench

import (
	"strconv"
	"testing"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/internal/datagen"
)

// The plans of the row-explosion query (see examples/rowexplosion):
// SUM(metric * weight) by (entity, dim_key) over fact ⋈ dim on grp.
const (
	// planJoinThenAgg joins, then aggregates, run exactly as written: the
	// join emits fact rows × fan-out.
	planJoinThenAgg = "join_then_agg"
	// planAggFirst aggregates the fact table to (entity, grp) by hand
	// before the join, run exactly as written: the join emits entities ×
	// groups × fan-out.
	planAggFirst = "agg_first"
	// planOptimized is join_then_agg handed to the optimizer, whose eager
	// pre-aggregation below fan-out joins should reach agg_first's join
	// size or better by itself.
	planOptimized = "optimized"
)

// explosionPlans are the plans BenchmarkRowExplosion runs at every fan-out.
var explosionPlans = []string{planJoinThenAgg, planAggFirst, planOptimized}

// explosionPlan builds plan over the fact and dimension DataFrames.
func explosionPlan(plan string) func(in []*frame.DataFrame) *frame.DataFrame {
	return func(in []*frame.DataFrame) *frame.DataFrame {
		fact, dim := in[0].Alias("f"), in[1].Alias("d")
		total := expr.Sum(expr.Col("metric").Mul(expr.Col("weight"))).As("total")
		if plan == planAggFirst {
			fact = fact.GroupBy(expr.Col("entity"), expr.Col("grp")).
				Agg(expr.Sum(expr.Col("metric")).As("metric"))
		}
		return fact.Join(dim, frame.Using("grp"), frame.Inner).
			GroupBy(expr.Col("entity"), expr.Col("dim_key")).
			Agg(total)
	}
}

// explosionQuery is plan at fan-out f, with the join output it must show.
// The result rows depend on the random dim_key values and are not checked
// here (TestRowExplosionPlansAgree compares the plans' results).
func explosionQuery(base datagen.RowExplosion, f int, plan string) query {
	cfg := base
	cfg.Fanout = f
	fact, dim := explosionInputs(cfg)
	reduced := int64(cfg.Entities) * int64(cfg.Groups) * int64(f)
	q := query{
		name:     "fanout=" + strconv.Itoa(f) + "/plan=" + plan,
		inputs:   []input{fact, dim},
		build:    explosionPlan(plan),
		wantRows: -1,
	}
	switch plan {
	case planJoinThenAgg:
		q.opts = []frame.Option{frame.WithoutOptimizer()}
		q.wantJoin = int64(cfg.FactRows()) * int64(f)
	case planAggFirst:
		q.opts = []frame.Option{frame.WithoutOptimizer()}
		q.wantJoin = reduced
	case planOptimized:
		q.wantJoin, q.maxJoin = -1, reduced
	}
	return q
}

// explosionQueries are every plan at every fan-out with the default
// session options (parallel), plus join_then_agg at fan-out 10 with one
// and with two workers.
func explosionQueries(sz sizes) []query {
	var qs []query
	for _, f := range sz.fanouts {
		for _, p := range explosionPlans {
			q := explosionQuery(sz.explosion, f, p)
			qs = append(qs, q)
			if p == planJoinThenAgg && f == 10 {
				qs = append(qs, withWorkers(q.name, q)...)
			}
		}
	}
	return qs
}

// BenchmarkRowExplosion measures the seed story: 1e6 fact rows joined to a
// dimension with fan-out 1, 10 and 100, then aggregated, as written
// (join_then_agg), aggregated first by hand (agg_first) and as the
// optimizer rewrites join_then_agg (optimized). join-rows/op shows the
// rows the join emitted; rows/s is fact rows per second.
func BenchmarkRowExplosion(b *testing.B) { runQueries(b, explosionQueries(full)) }
