package optimize

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// FanOut is a join's estimated output rows divided by its larger input's:
// above 1 the join multiplies rows (EXPLAIN flags it as "fan-out ×N"). It is
// 0 for an empty join.
func (e *Estimates) FanOut(j *plan.Join) float64 {
	out := e.Of(j).Rows
	in := math.Max(e.Of(j.Left).Rows, e.Of(j.Right).Rows)
	if in <= 0 {
		return 0
	}
	return out / in
}

func (e *Estimates) join(j *plan.Join) *NodeEstimate {
	l, r := e.Of(j.Left), e.Of(j.Right)
	ls, rs := j.Left.Schema(), j.Right.Schema()
	pairs := l.Rows * r.Rows
	match := 1.0 // fraction of left rows with a partner (semi/anti)
	var lkeys, rkeys []int
	for _, k := range j.On {
		lk, rk := exprEstimate(k.Left, l, ls), exprEstimate(k.Right, r, rs)
		nonNull := (1 - lk.NullFrac) * (1 - rk.NullFrac)
		bothNull := 0.0
		if j.NullsEqual {
			bothNull = lk.NullFrac * rk.NullFrac
		}
		pairs *= nonNull/math.Max(1, math.Max(lk.Distinct, rk.Distinct)) + bothNull
		m := (1 - lk.NullFrac) * math.Min(1, rk.Distinct/math.Max(1, lk.Distinct))
		if j.NullsEqual && rk.NullFrac > 0 {
			m += lk.NullFrac
		}
		match *= m
		lkeys = appendKeyCol(lkeys, k.Left, ls)
		rkeys = appendKeyCol(rkeys, k.Right, rs)
	}
	combined := concatEstimates(l, r, pairs)
	if j.Filter != nil {
		sel := Selectivity(j.Filter, combined, j.CombinedSchema())
		pairs *= sel
		match *= sel
	}
	if r.Rows <= 0 {
		match = 0
	}
	var out *NodeEstimate
	switch j.Type {
	case plan.JoinSemi, plan.JoinAnti:
		if j.Type == plan.JoinAnti {
			match = 1 - match
		}
		out = l.clone()
		out.Rows = l.Rows * match
		return out
	case plan.JoinLeft:
		out = concatEstimates(l, r, math.Max(pairs, l.Rows))
		padNulls(out.Columns[len(l.Columns):], pairs, out.Rows)
	case plan.JoinRight:
		out = concatEstimates(l, r, math.Max(pairs, r.Rows))
		padNulls(out.Columns[:len(l.Columns)], pairs, out.Rows)
	case plan.JoinFull:
		out = concatEstimates(l, r, math.Max(pairs, l.Rows)+math.Max(pairs, r.Rows)-pairs)
		padNulls(out.Columns[len(l.Columns):], math.Max(pairs, r.Rows), out.Rows)
		padNulls(out.Columns[:len(l.Columns)], math.Max(pairs, l.Rows), out.Rows)
	default:
		out = concatEstimates(l, r, pairs)
	}
	out.unique = joinUnique(j, l, r, lkeys, rkeys)
	return out
}

// appendKeyCol appends the column index of a bare-column key, or -1.
func appendKeyCol(cols []int, k expr.Expr, s *arrow.Schema) []int {
	if c, ok := k.(*expr.Column); ok {
		if i, err := expr.Resolve(s, c); err == nil {
			return append(cols, i)
		}
	}
	return append(cols, -1)
}

// joinUnique derives unique sets of a join's output: when each left row
// meets at most one right row (the right keys are unique on the right), the
// left input's unique sets stay unique, and symmetrically.
func joinUnique(j *plan.Join, l, r *NodeEstimate, lkeys, rkeys []int) [][]int {
	keysUnique := func(est *NodeEstimate, keys []int) bool {
		for _, k := range keys {
			if k < 0 {
				return false
			}
		}
		return len(keys) > 0 && est.isUnique(keys)
	}
	var out [][]int
	if keysUnique(r, rkeys) && (j.Type == plan.JoinInner || j.Type == plan.JoinLeft) {
		out = append(out, l.unique...)
	}
	if keysUnique(l, lkeys) && (j.Type == plan.JoinInner || j.Type == plan.JoinRight) {
		nl := len(l.Columns)
		for _, u := range r.unique {
			shifted := make([]int, len(u))
			for i, c := range u {
				shifted[i] = c + nl
			}
			out = append(out, shifted)
		}
	}
	return out
}

// concatEstimates is the left columns then the right columns over rows.
func concatEstimates(l, r *NodeEstimate, rows float64) *NodeEstimate {
	out := &NodeEstimate{Rows: rows, Columns: make([]ColumnEstimate, 0, len(l.Columns)+len(r.Columns))}
	out.Columns = append(append(out.Columns, l.Columns...), r.Columns...)
	out.cap()
	return out
}

// padNulls raises the NULL fraction of a NULL-supplying side's columns for
// the rows that are padding: all but matched of total.
func padNulls(cols []ColumnEstimate, matched, total float64) {
	if total <= 0 {
		return
	}
	pad := math.Max(0, total-matched) / total
	for i := range cols {
		cols[i].NullFrac = cols[i].NullFrac*(1-pad) + pad
	}
}
