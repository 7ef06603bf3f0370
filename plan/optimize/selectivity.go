package optimize

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Selectivity estimates the fraction of the rows of a node with estimate in
// (over schema s) for which pred is true:
//
//   - a literal: 1 for true, 0 for false and NULL;
//   - col = value: (1 − nulls)/distinct(col); col != value: (1 − nulls)·(1 −
//     1/distinct); a range comparison: (1 − nulls)·RangeSelectivity;
//     col = col: both non-NULL fractions / max of the distinct counts; a
//     comparison with NULL: 0. An expression stands for a column with its
//     estimated distinct count (exprEstimate);
//   - x IN (k items): (1 − nulls)·min(1, k/distinct); NOT IN the complement;
//   - x IS NULL: the NULL fraction; IS NOT NULL: its complement;
//   - a boolean column: half its non-NULL rows;
//   - AND: the product; OR: inclusion–exclusion (a + b − a·b); NOT: 1 − s;
//   - anything else: DefaultSelectivity.
func Selectivity(pred expr.Expr, in *NodeEstimate, s *arrow.Schema) float64 {
	return math.Max(0, math.Min(1, selectivity(pred, in, s)))
}

func selectivity(pred expr.Expr, in *NodeEstimate, s *arrow.Schema) float64 {
	switch x := expr.StripAlias(pred).(type) {
	case *expr.Literal:
		if b, ok := x.Value.(bool); ok && b {
			return 1
		}
		return 0
	case *expr.Column:
		c := exprEstimate(x, in, s)
		return (1 - c.NullFrac) / 2
	case *expr.Binary:
		switch {
		case x.Op == expr.OpAnd:
			return Selectivity(x.Left, in, s) * Selectivity(x.Right, in, s)
		case x.Op == expr.OpOr:
			a, b := Selectivity(x.Left, in, s), Selectivity(x.Right, in, s)
			return a + b - a*b
		case x.Op.IsComparison():
			return compareSelectivity(x, in, s)
		}
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			return 1 - Selectivity(x.Expr, in, s)
		case expr.OpIsNull:
			return exprEstimate(x.Expr, in, s).NullFrac
		case expr.OpIsNotNull:
			return 1 - exprEstimate(x.Expr, in, s).NullFrac
		}
	case *expr.In:
		c := exprEstimate(x.Expr, in, s)
		frac := math.Min(1, float64(len(x.List))/math.Max(1, c.Distinct))
		if x.Negated {
			frac = 1 - frac
		}
		return (1 - c.NullFrac) * frac
	}
	return DefaultSelectivity
}

func compareSelectivity(b *expr.Binary, in *NodeEstimate, s *arrow.Schema) float64 {
	if isNullLiteral(b.Left) || isNullLiteral(b.Right) {
		return 0
	}
	_, llit := isLiteral(b.Left)
	_, rlit := isLiteral(b.Right)
	if llit && rlit {
		return DefaultSelectivity // simplify_expressions folds these
	}
	l, r := exprEstimate(b.Left, in, s), exprEstimate(b.Right, in, s)
	nonNull := (1 - l.NullFrac) * (1 - r.NullFrac)
	var eq float64
	switch {
	case llit:
		eq = 1 / math.Max(1, r.Distinct)
	case rlit:
		eq = 1 / math.Max(1, l.Distinct)
	default:
		eq = 1 / math.Max(1, math.Max(l.Distinct, r.Distinct))
	}
	switch b.Op {
	case expr.OpEq:
		return nonNull * eq
	case expr.OpNotEq:
		return nonNull * (1 - eq)
	}
	return nonNull * RangeSelectivity
}

// filtered returns the estimate of in's rows that satisfy pred.
func filtered(in *NodeEstimate, pred expr.Expr, s *arrow.Schema) *NodeEstimate {
	sel := Selectivity(pred, in, s)
	out := in.clone()
	out.Rows = in.Rows * sel
	for i, c := range out.Columns {
		if c.Distinct > 0 && in.Rows > 0 {
			// Expected distinct values left in a random sample.
			out.Columns[i].Distinct = c.Distinct * (1 - math.Pow(1-sel, in.Rows/c.Distinct))
		}
	}
	for _, c := range conjuncts(pred) {
		narrowColumn(out, c, s)
	}
	return out
}

// narrowColumn applies what one conjunct says about a single column:
// col = literal leaves one value, IS NOT NULL and comparisons drop NULLs,
// IS NULL leaves only NULLs.
func narrowColumn(est *NodeEstimate, c expr.Expr, s *arrow.Schema) {
	col := func(e expr.Expr) int {
		if x, ok := expr.StripAlias(e).(*expr.Column); ok {
			if i, err := expr.Resolve(s, x); err == nil {
				return i
			}
		}
		return -1
	}
	switch x := c.(type) {
	case *expr.Binary:
		if !x.Op.IsComparison() {
			return
		}
		for _, pair := range [2][2]expr.Expr{{x.Left, x.Right}, {x.Right, x.Left}} {
			i := col(pair[0])
			if i < 0 {
				continue
			}
			est.Columns[i].NullFrac = 0
			if _, isLit := isLiteral(pair[1]); isLit && x.Op == expr.OpEq {
				est.Columns[i].Distinct = math.Min(est.Columns[i].Distinct, 1)
			}
		}
	case *expr.Unary:
		i := col(x.Expr)
		switch {
		case i < 0:
		case x.Op == expr.OpIsNotNull:
			est.Columns[i].NullFrac = 0
		case x.Op == expr.OpIsNull:
			est.Columns[i] = ColumnEstimate{NullFrac: 1}
		}
	}
}
