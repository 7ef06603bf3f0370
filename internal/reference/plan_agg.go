package reference

import (
	"context"
	"fmt"
	"math/big"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// group is one group of an aggregation: its key values and one accumulator
// per aggregate.
type group struct {
	keys Row
	accs []*accumulator
}

// evalAggregate groups the input rows by the canonical key of the group-by
// values, in order of first appearance.
func evalAggregate(ctx context.Context, a *plan.Aggregate) ([]Row, error) {
	in, err := evalNode(ctx, a.Input)
	if err != nil {
		return nil, err
	}
	schema := a.Input.Schema()
	index := map[string]*group{}
	var groups []*group
	for _, r := range in {
		keys := make(Row, len(a.GroupBy))
		for i, g := range a.GroupBy {
			if keys[i], err = EvalExpr(g, schema, r); err != nil {
				return nil, fmt.Errorf("reference: group by %s: %w", g, err)
			}
		}
		k := groupKey(keys)
		g, ok := index[k]
		if !ok {
			if g, err = newGroup(a, keys); err != nil {
				return nil, err
			}
			index[k] = g
			groups = append(groups, g)
		}
		for i, acc := range g.accs {
			if err := acc.addRow(schema, r); err != nil {
				return nil, fmt.Errorf("reference: aggregate %s: %w", a.Aggs[i], err)
			}
		}
	}
	if len(a.GroupBy) == 0 && len(groups) == 0 {
		g, err := newGroup(a, nil)
		if err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	out := make([]Row, len(groups))
	for i, g := range groups {
		row := append(make(Row, 0, len(g.keys)+len(g.accs)), g.keys...)
		for j, acc := range g.accs {
			v, err := acc.result()
			if err != nil {
				return nil, fmt.Errorf("reference: aggregate %s: %w", a.Aggs[j], err)
			}
			row = append(row, v)
		}
		out[i] = row
	}
	return out, nil
}

func newGroup(a *plan.Aggregate, keys Row) (*group, error) {
	g := &group{keys: keys, accs: make([]*accumulator, len(a.Aggs))}
	for i, item := range a.Aggs {
		agg, ok := plan.AggOf(item)
		if !ok {
			return nil, fmt.Errorf("internal error: aggregate item %s is not an aggregate", item)
		}
		acc := &accumulator{agg: agg, isum: new(big.Int)}
		if agg.Arg != nil {
			t, err := agg.Arg.Type(a.Input.Schema())
			if err != nil {
				return nil, err
			}
			acc.argType = t
			if acc.outType, err = expr.AggResultType(agg, t); err != nil {
				return nil, err
			}
		}
		if agg.Distinct {
			acc.seen = map[string]bool{}
		}
		g.accs[i] = acc
	}
	return g, nil
}

// accumulator computes one aggregate over the rows of one group.
//
//   - COUNT(*) counts rows; COUNT(x) counts non-NULL values.
//   - SUM of integers is exact: the total must fit int64 (signed inputs) or
//     uint64 (unsigned inputs), else expr.ErrOverflow. Whether a running sum
//     overflowed on the way does not matter. SUM of floats adds float64
//     values in input order.
//   - AVG is the exact integer sum divided by the count, rounded once to
//     float64; for floats the float64 sum divided by the count.
//   - MIN and MAX follow Compare (NaN is the greatest value); the first of
//     equal values wins (so -0 or +0, whichever came first).
//   - DISTINCT applies the aggregate to the distinct non-NULL values, by
//     the grouping equality (NaN = NaN, -0 = +0).
//   - Over no non-NULL value COUNT is 0 and every other aggregate NULL.
type accumulator struct {
	agg     *expr.Agg
	argType arrow.DataType
	outType arrow.DataType
	seen    map[string]bool // distinct values so far (DISTINCT only)

	count int64
	isum  *big.Int // exact sum of integer inputs
	fsum  float64  // sum of float inputs
	best  any      // MIN / MAX so far
}

// addRow folds one input row into the accumulator.
func (a *accumulator) addRow(schema *arrow.Schema, r Row) error {
	if a.agg.Arg == nil {
		a.count++
		return nil
	}
	v, err := EvalExpr(a.agg.Arg, schema, r)
	if err != nil || v == nil {
		return err
	}
	if a.seen != nil {
		k := groupKey([]any{v})
		if a.seen[k] {
			return nil
		}
		a.seen[k] = true
	}
	a.count++
	switch a.agg.Func {
	case expr.AggSum, expr.AggAvg:
		if b, ok := bigOf(v); ok {
			a.isum.Add(a.isum, b)
		} else {
			a.fsum += toFloat64(v)
		}
	case expr.AggMin:
		if a.best == nil || Compare(v, a.best) < 0 {
			a.best = v
		}
	case expr.AggMax:
		if a.best == nil || Compare(v, a.best) > 0 {
			a.best = v
		}
	}
	return nil
}

// result returns the aggregate's value for the group.
func (a *accumulator) result() (any, error) {
	if a.agg.Func == expr.AggCount {
		return a.count, nil
	}
	if a.count == 0 {
		return nil, nil
	}
	integer := expr.IsInteger(a.argType)
	switch a.agg.Func {
	case expr.AggSum:
		if integer {
			return fromBig(a.isum, a.outType)
		}
		return a.fsum, nil
	case expr.AggAvg:
		if integer {
			f, _ := new(big.Rat).SetFrac(a.isum, big.NewInt(a.count)).Float64()
			return f, nil
		}
		return a.fsum / float64(a.count), nil
	}
	return a.best, nil
}
