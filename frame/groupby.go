package frame

import (
	"strconv"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// GroupedData is a DataFrame grouped by key expressions, waiting for its
// aggregates; see DataFrame.GroupBy.
type GroupedData struct {
	df   *DataFrame
	keys []expr.Expr
}

// GroupBy groups the rows by the values of keys (NULLs form one group).
// Finish with Agg:
//
//	df.GroupBy(expr.Col("city")).Agg(expr.Sum(expr.Col("rain")).As("rain"), expr.CountStar().As("days"))
//
// With no keys, Agg aggregates the whole DataFrame into one row.
func (df *DataFrame) GroupBy(keys ...expr.Expr) *GroupedData {
	return &GroupedData{df: df, keys: unwrapAll(keys)}
}

// Agg computes the aggregates per group. The result has the key columns
// first (a bare column key keeps its name), then one column per aggregate,
// named by expr.Name. An aggregate item may be any expression over
// aggregates and keys, such as expr.Sum(x).Div(expr.Count(x)).As("mean"):
// the aggregates are computed first and the expression over their results.
func (g *GroupedData) Agg(aggs ...expr.Expr) *DataFrame {
	aggs = unwrapAll(aggs)
	step := "GroupBy(" + exprList(g.keys) + ").Agg(" + exprList(aggs) + ")"
	return g.df.derive(step, append(append([]expr.Expr(nil), g.keys...), aggs...), func(n plan.Node) (plan.Node, error) {
		return buildAggregate(n, g.keys, aggs)
	})
}

// Count counts the rows of each group, in a column named "count".
func (g *GroupedData) Count() *DataFrame { return g.Agg(expr.CountStar().As("count")) }

// buildAggregate plans keys and aggregate items over in. When every item is
// an aggregate call (possibly aliased) it is one Aggregate node. Otherwise
// the aggregate calls inside the items are computed by the Aggregate under
// internal names (__agg1, __agg2…) and a Project above it evaluates the
// items over the results:
//
//	GroupBy(k).Agg(sum(v) / count(v) AS mean)
//	  Project: k, __agg1 / __agg2 AS mean
//	    Aggregate: group=[k] aggs=[sum(v) AS __agg1, count(v) AS __agg2]
func buildAggregate(in plan.Node, keys, items []expr.Expr) (plan.Node, error) {
	simple := true
	for _, it := range items {
		if _, ok := plan.AggOf(it); !ok {
			simple = false
		}
	}
	if simple {
		return plan.NewAggregate(in, keys, items)
	}
	var calls []expr.Expr
	post := make([]expr.Expr, len(items))
	for i, it := range items {
		rewritten, err := expr.Transform(it, func(e expr.Expr) (expr.Expr, error) {
			a, ok := e.(*expr.Agg)
			if !ok {
				return e, nil
			}
			name := "__agg" + strconv.Itoa(len(calls)+1)
			calls = append(calls, &expr.Alias{Expr: a, Name: name})
			return &expr.Column{Name: name}, nil
		})
		if err != nil {
			return nil, err
		}
		if name := expr.Name(it); expr.Name(rewritten) != name {
			rewritten = &expr.Alias{Expr: expr.StripAlias(rewritten), Name: name}
		}
		post[i] = rewritten
	}
	agg, err := plan.NewAggregate(in, keys, calls)
	if err != nil {
		return nil, err
	}
	refs, err := columnRefs(agg.Schema())
	if err != nil {
		return nil, err
	}
	return plan.NewProject(agg, append(refs[:len(keys)], post...))
}
