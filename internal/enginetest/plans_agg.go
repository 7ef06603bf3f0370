package enginetest

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// AggregateOverJoin returns a random aggregation over a join of a fact-like
// and a dimension-like scan (the generator's first and second sources, with
// FactSchema and DimSchema): the shape eager pre-aggregation rewrites. The
// join type, keys (integer, string, sometimes float), residual, a filter or
// projection between join and aggregate, the grouping columns (from either
// side) and the aggregates (every kind, sum of a cross-side product, now and
// then a DISTINCT) vary, so plans where the rewrite applies and plans where
// it must not both occur. A quarter of the plans get a total Sort on top.
// Tables of a few dozen rows or more make the rewrite worth it.
func (g *Generator) AggregateOverJoin() plan.Node {
	for {
		if n, err := g.aggregateOverJoin(); err == nil {
			if g.rng.IntN(4) == 0 {
				n = g.totalSort(n, true)
			}
			return n
		}
	}
}

func (g *Generator) aggregateOverJoin() (plan.Node, error) {
	fact, dim := g.scanOf(0), g.scanOf(1)
	if g.rng.IntN(8) == 0 {
		fact, dim = dim, fact // the aggregated side on the right
	}
	types := []plan.JoinType{plan.JoinInner, plan.JoinInner, plan.JoinInner, plan.JoinInner, plan.JoinInner,
		plan.JoinLeft, plan.JoinLeft, plan.JoinRight, plan.JoinFull}
	typ := types[g.rng.IntN(len(types))]
	ls, rs := fact.Schema(), dim.Schema()
	var on []plan.JoinKey
	for _, name := range g.keyNames() {
		on = append(on, plan.JoinKey{Left: field(ls, name), Right: field(rs, name)})
	}
	var residual expr.Expr
	switch g.rng.IntN(10) {
	case 0:
		residual = g.sideColumn(ls, rs, "i").Lt(expr.Lit(int32(50)))
	case 1:
		residual = g.sideColumn(ls, rs, "v").Lt(g.sideColumn(rs, ls, "w"))
	}
	var in plan.Node
	in, err := plan.NewJoin(fact, dim, typ, on, residual)
	if err != nil {
		return nil, err
	}
	s := in.Schema()
	if g.rng.IntN(6) == 0 {
		if in, err = plan.NewFilter(in, g.predicate(s)); err != nil {
			return nil, err
		}
	}
	if g.rng.IntN(4) == 0 {
		if in, err = plan.NewProject(in, g.projection(s)); err != nil {
			return nil, err
		}
		s = in.Schema()
	}
	var keys []expr.Expr
	for n := g.rng.IntN(3); n > 0; n-- {
		// Mostly low-cardinality columns (k, g, d, b), so that grouping
		// reduces rows; now and then any column, floats included.
		i := g.pick(s, anyType)
		if g.rng.IntN(6) > 0 {
			i = g.pick(s, func(arrow.DataType) bool { return false })
			for _, name := range []string{"k", "g", "d", "b"}[g.rng.IntN(4):] {
				if idx := s.FieldIndices(name); len(idx) > 0 {
					i = idx[g.rng.IntN(len(idx))]
					break
				}
			}
		}
		if i >= 0 {
			keys = append(keys, ref(s, i))
		}
	}
	return plan.NewAggregate(in, keys, g.joinAggs(s))
}

// scanOf scans source i, or a random one when there are fewer sources.
func (g *Generator) scanOf(i int) plan.Node {
	g.aliases++
	src := g.sources[i%len(g.sources)]
	n, err := plan.NewScan(src, fmt.Sprintf("t%d", g.aliases))
	if err != nil {
		panic(fmt.Sprintf("internal error: scan: %v", err))
	}
	return n
}

// keyNames picks the join key columns: k, g, both, or (rarely) the float
// columns v = w, which the pre-aggregation must refuse.
func (g *Generator) keyNames() []string {
	switch g.rng.IntN(12) {
	case 0, 1:
		return []string{"g"}
	case 2:
		return []string{"k", "g"}
	case 3:
		return []string{"float"}
	}
	return []string{"k"}
}

// field references column name of s; "float" is v or w, whichever s has.
func field(s *arrow.Schema, name string) expr.Expr {
	if name == "float" {
		name = "v"
		if len(s.FieldIndices("v")) == 0 {
			name = "w"
		}
	}
	return ref(s, s.FieldIndices(name)[0])
}

// sideColumn references column name of a, else of b.
func (g *Generator) sideColumn(a, b *arrow.Schema, name string) expr.E {
	for _, s := range []*arrow.Schema{a, b} {
		if idx := s.FieldIndices(name); len(idx) > 0 {
			return ref(s, idx[0])
		}
	}
	if name == "w" {
		return g.sideColumn(a, b, "v")
	}
	return g.sideColumn(a, b, "w")
}

// joinAggs picks aggregates over the join output s.
func (g *Generator) joinAggs(s *arrow.Schema) []expr.Expr {
	col := func(name string) expr.E {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			return expr.E{Expr: expr.Lit(int32(1))}
		}
		return ref(s, idx[g.rng.IntN(len(idx))])
	}
	makers := []func() expr.E{
		expr.CountStar,
		func() expr.E { return expr.Sum(col("v")) },
		func() expr.E { return expr.Sum(col("i")) },
		func() expr.E { return expr.Avg(col("v")) },
		func() expr.E { return expr.Avg(col("i")) },
		func() expr.E { return expr.Count(col("v")) },
		func() expr.E { return expr.Min(col("i")) },
		func() expr.E { return expr.Max(col("v")) },
		func() expr.E { return expr.Min(col("g")) },
		func() expr.E { return expr.Max(col("w")) },
		func() expr.E { return expr.Min(col("d")) },
		func() expr.E { return expr.Sum(col("v").Mul(col("w"))) },
		func() expr.E { return expr.Sum(col("w").Mul(col("i"))) },
		func() expr.E { return expr.Sum(col("w")) },
		func() expr.E { return expr.CountDistinct(col("g")) },
	}
	var out []expr.Expr
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		m := makers[g.rng.IntN(len(makers))]
		if g.rng.IntN(3) > 0 {
			m = makers[g.rng.IntN(8)] // mostly aggregates of the fact side
		}
		out = append(out, m().As(fmt.Sprintf("a%d", len(out))))
	}
	return out
}
