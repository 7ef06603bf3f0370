package optimize

import (
	"fmt"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// This file splits an aggregation over a join into a partial aggregation
// of one join input (R) and a final aggregation above the join; the rule in
// push_aggregate_below_join.go decides whether to do it.

// partKind is how one aggregate item is split.
type partKind uint8

const (
	partSum       partKind = iota // sum(x)      → sum(x) AS p;              sum(p)
	partCount                     // count(x|*)  → count(x|*) AS p;          coalesce(sum(p), 0)
	partMinMax                    // min/max(x)  → min/max(x) AS p;          min/max(p)
	partAvg                       // avg(x)      → sum(x), count(x);         sum(s) / sum(c)
	partProduct                   // sum(r * s)  → sum(r) AS p;              sum(p * s)
	partOtherSide                 // min/max(s) over the other input: unchanged above
)

// part is the plan for one aggregate item of the original aggregation.
type part struct {
	kind    partKind
	agg     *expr.Agg
	name    string    // the item's output name
	rArg    expr.Expr // what the partial aggregates (over R)
	sArg    expr.Expr // partProduct: the other factor (over S)
	rFirst  bool      // partProduct: r was the left factor
	partial []string  // names of the partial columns
	upper   []string  // names of the upper aggregate's columns
}

// split is a candidate rewrite with R = the join input side (0 left, 1
// right).
type split struct {
	j       *plan.Join
	side    int
	r, s    plan.Node
	groupBy []expr.Expr // the original grouping items, over the join output
	items   []expr.Expr // the original aggregate items, over the join output
	keys    []int       // lower grouping columns: indexes into R's schema
	rKeys   []int       // R's join key columns
	parts   []part
}

// analyzeSplit checks every condition for pre-aggregating input side of j
// and returns the plan of the split, or nil with the reason it does not
// apply.
func analyzeSplit(j *plan.Join, groupBy, items []expr.Expr, side int) (*split, string) {
	switch {
	case j.Type == plan.JoinInner || j.Type == plan.JoinCross:
	case j.Type == plan.JoinLeft && side == 0, j.Type == plan.JoinRight && side == 1:
	default:
		return nil, "the input is not on a preserved side of the join"
	}
	sp := &split{j: j, side: side, groupBy: groupBy, items: items}
	sp.r, sp.s = j.Left, j.Right
	if side == 1 {
		sp.r, sp.s = j.Right, j.Left
	}
	out := j.Schema()
	keys := map[int]bool{}
	for _, g := range groupBy {
		switch sd, idx := sp.sideCols(g, out); sd {
		case sideBoth:
			return nil, fmt.Sprintf("grouping item %s reads both inputs", g)
		case sideLeft:
			for _, i := range idx {
				keys[i] = true
			}
		}
	}
	for _, k := range j.On {
		rk := k.Left
		if side == 1 {
			rk = k.Right
		}
		idx, ok := columnIndexes(rk, sp.r.Schema())
		if !ok {
			return nil, "a join key does not resolve"
		}
		for _, i := range idx {
			keys[i] = true
			sp.rKeys = append(sp.rKeys, i)
		}
	}
	if j.Filter != nil {
		if _, ok := columnIndexes(j.Filter, j.CombinedSchema()); !ok {
			return nil, "the join filter does not resolve"
		}
		_, idx := sp.sideCols(j.Filter, j.CombinedSchema())
		for _, i := range idx {
			keys[i] = true
		}
	}
	for i := range keys {
		sp.keys = append(sp.keys, i)
	}
	sort.Ints(sp.keys)
	if reason := sp.checkKeys(); reason != "" {
		return nil, reason
	}
	for _, item := range items {
		p, reason := sp.planItem(item)
		if reason != "" {
			return nil, reason
		}
		sp.parts = append(sp.parts, p)
	}
	return sp, ""
}

// sideCols classifies e (over s, the join output or combined schema) as
// reading R only (sideLeft here means "R"), the other input only
// (sideRight), both, or nothing, and returns the R column indexes it
// reads, relative to R's schema.
func (sp *split) sideCols(e expr.Expr, s *arrow.Schema) (joinSide, []int) {
	idx, ok := columnIndexes(e, s)
	if !ok {
		return sideBoth, nil
	}
	nl := sp.j.Left.Schema().NumFields()
	var rIdx []int
	r, o := false, false
	for _, i := range idx {
		inLeft := i < nl
		if inLeft == (sp.side == 0) {
			r = true
			if sp.side == 1 {
				i -= nl
			}
			rIdx = append(rIdx, i)
		} else {
			o = true
		}
	}
	switch {
	case r && o:
		return sideBoth, rIdx
	case r:
		return sideLeft, rIdx
	case o:
		return sideRight, nil
	}
	return sideNone, nil
}

// checkKeys requires lower grouping keys the aggregation can group, and
// float keys only where grouping equality is the equality of their uses.
// Grouping merges -0 with +0 and every NaN into one group and keeps one of
// the values as the group's representative. That is harmless where the
// value is only compared (a join key, an operand of =, <, …, or IN, which
// all treat -0 as +0 and NaN as NaN) or grouped again (a bare grouping
// column), but an expression such as CAST(x AS string) or 1/x could tell
// the representative from a row's own value.
func (sp *split) checkKeys() string {
	if len(sp.keys) == 0 {
		return "no grouping or join column on the input (a global partial aggregate would invent a row for an empty input)"
	}
	rs := sp.r.Schema()
	floats := false
	for _, k := range sp.keys {
		t := rs.Field(k).Type
		if !expr.IsOrderable(t) {
			return fmt.Sprintf("key column %s is %s, which cannot be grouped", rs.Field(k).Name, t)
		}
		floats = floats || expr.IsFloat(t)
	}
	if floats && !sp.floatUsesSafe() {
		return "a float key column is used where -0 and +0 (or two NaNs) could differ"
	}
	return ""
}

// floatUsesSafe checks every use of R's float columns above the partial
// aggregate: in the grouping items, R's join keys and the residual.
func (sp *split) floatUsesSafe() bool {
	nl := sp.j.Left.Schema().NumFields()
	isRFloat := func(s *arrow.Schema, offset int) func(*expr.Column) bool {
		return func(c *expr.Column) bool {
			i, err := expr.Resolve(s, c)
			if err != nil {
				return true // be safe
			}
			inR := (i < nl) == (sp.side == 0)
			if offset < 0 { // s is R's own schema
				inR = true
			}
			return inR && expr.IsFloat(s.Field(i).Type)
		}
	}
	out := isRFloat(sp.j.Schema(), 0)
	for _, g := range sp.groupBy {
		if !floatSafe(g, out, true) {
			return false
		}
	}
	for _, k := range sp.j.On {
		rk := k.Left
		if sp.side == 1 {
			rk = k.Right
		}
		if !floatSafe(rk, isRFloat(sp.r.Schema(), -1), true) {
			return false
		}
	}
	return sp.j.Filter == nil || floatSafe(sp.j.Filter, isRFloat(sp.j.CombinedSchema(), 0), false)
}

// floatSafe reports whether every column of e that watched reports
// appears bare where it is compared or grouped: at the top (ok) or as a
// direct operand of a comparison or IN.
func floatSafe(e expr.Expr, watched func(*expr.Column) bool, ok bool) bool {
	switch x := e.(type) {
	case *expr.Column:
		return ok || !watched(x)
	case *expr.Alias:
		return floatSafe(x.Expr, watched, ok)
	}
	child := false
	switch x := e.(type) {
	case *expr.Binary:
		child = x.Op.IsComparison()
	case *expr.In:
		child = true
	}
	for _, c := range e.Children() {
		if !floatSafe(c, watched, child) {
			return false
		}
	}
	return true
}

// planItem decides how one aggregate item splits.
func (sp *split) planItem(item expr.Expr) (part, string) {
	agg, ok := plan.AggOf(item)
	if !ok {
		return part{}, fmt.Sprintf("item %s is not an aggregate", item)
	}
	p := part{agg: agg, name: expr.Name(item)}
	if agg.Distinct {
		return p, fmt.Sprintf("%s is not decomposable (DISTINCT)", item)
	}
	if agg.Arg == nil {
		p.kind = partCount
		return p, ""
	}
	out := sp.j.Schema()
	switch sd, _ := sp.sideCols(agg.Arg, out); sd {
	case sideLeft, sideNone:
		p.rArg = agg.Arg
		p.kind = map[expr.AggFunc]partKind{expr.AggSum: partSum, expr.AggCount: partCount,
			expr.AggMin: partMinMax, expr.AggMax: partMinMax, expr.AggAvg: partAvg}[agg.Func]
		return p, ""
	case sideRight:
		if agg.Func == expr.AggMin || agg.Func == expr.AggMax {
			p.kind = partOtherSide // duplicates do not change a minimum
			return p, ""
		}
		return p, fmt.Sprintf("%s reads only the other input", item)
	}
	if agg.Func == expr.AggSum {
		if reason := sp.planProduct(&p); reason == "" {
			return p, ""
		}
	}
	return p, fmt.Sprintf("%s mixes both inputs", item)
}

// planProduct handles sum(r * s) and sum(s * r), where r reads R only and s
// the other input only: the partial sum of r times s sums to the same
// total. Only when the product is computed in float64 or int64 and the new
// product sum(r)·s has that same type, so results match up to float
// rounding (integer overflow can only differ where a partial sum leaves
// the range).
func (sp *split) planProduct(p *part) string {
	b, ok := p.agg.Arg.(*expr.Binary)
	if !ok || b.Op != expr.OpMul {
		return "not a product"
	}
	out := sp.j.Schema()
	ls, _ := sp.sideCols(b.Left, out)
	rs, _ := sp.sideCols(b.Right, out)
	switch {
	case (ls == sideLeft || ls == sideNone) && rs == sideRight:
		p.rArg, p.sArg, p.rFirst = b.Left, b.Right, true
	case (rs == sideLeft || rs == sideNone) && ls == sideRight:
		p.rArg, p.sArg = b.Right, b.Left
	default:
		return "factors mix inputs"
	}
	pt, rt, st := typeOf(b, out), typeOf(p.rArg, out), typeOf(p.sArg, out)
	if pt == nil || rt == nil || st == nil || (pt.ID() != arrow.FLOAT64 && pt.ID() != arrow.INT64) {
		return "product type"
	}
	sumT, err := expr.AggResultType(&expr.Agg{Func: expr.AggSum}, rt)
	if err != nil {
		return "sum type"
	}
	if nt, ok := expr.CommonNumeric(sumT, st); !ok || !arrow.TypeEqual(nt, pt) {
		return "product type changes"
	}
	p.kind = partProduct
	return ""
}
