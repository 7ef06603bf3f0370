package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Simplification of the conditional expressions (CASE, COALESCE, IN) for
// simplify_expressions.

// castTo converts e to type t, for rewrites that take one branch of a
// CASE or COALESCE: the implicit conversion there is exactly a CAST.
func castTo(e expr.Expr, t arrow.DataType, s *arrow.Schema) expr.Expr {
	et := typeOf(e, s)
	if et == nil {
		return nil
	}
	if arrow.TypeEqual(et, t) {
		return e
	}
	c := &expr.Cast{Expr: e, To: t}
	if r := simplifyCast(c, s); r != nil {
		return r
	}
	return c
}

func simplifyCase(c *expr.Case, s *arrow.Schema) expr.Expr {
	t := typeOf(c, s)
	if t == nil {
		return nil
	}
	var kept []expr.WhenThen
	for _, br := range c.Branches {
		switch {
		case neverTrue(br.When):
			continue // a constant condition that never holds
		case boolLiteral(br.When, true) && len(kept) == 0:
			return castTo(br.Then, t, s)
		}
		kept = append(kept, br)
	}
	switch {
	case len(kept) == len(c.Branches):
		return nil
	case len(kept) > 0:
		return &expr.Case{Branches: kept, Else: c.Else}
	case c.Else != nil:
		return castTo(c.Else, t, s)
	}
	return lit(nil, t)
}

func simplifyCoalesce(c *expr.Call, s *arrow.Schema) expr.Expr {
	t := typeOf(c, s)
	if t == nil {
		return nil
	}
	var kept []expr.Expr
	for _, a := range c.Args {
		if isNullLiteral(a) {
			continue
		}
		if l, ok := isLiteral(a); ok && len(kept) == 0 && l.Value != nil {
			return castTo(a, t, s) // first argument is a non-NULL constant
		}
		kept = append(kept, a)
	}
	switch {
	case len(kept) == len(c.Args):
		return nil
	case len(kept) == 0:
		return lit(nil, t)
	case len(kept) == 1:
		return castTo(kept[0], t, s)
	}
	return &expr.Call{Func: expr.FnCoalesce, Args: kept}
}

// simplifyIn folds x IN (literals…) for a literal x, and a NULL x.
func simplifyIn(n *expr.In, s *arrow.Schema) expr.Expr {
	x, ok := isLiteral(n.Expr)
	if !ok {
		return nil
	}
	xt := typeOf(n.Expr, s)
	if xt == nil {
		return nil
	}
	found, sawNull := false, x.Value == nil
	for _, item := range n.List {
		it := typeOf(item, s)
		if it == nil {
			return nil
		}
		ct, ok := expr.CommonType(xt, it)
		if !ok || mayFail(item, s) || convMayFail(it, ct) || convMayFail(xt, ct) {
			return nil
		}
		l, isLit := isLiteral(item)
		switch {
		case x.Value == nil:
			continue
		case !isLit:
			return nil
		case l.Value == nil:
			sawNull = true
		default:
			c, ok := foldCompare(x.Value, l.Value, xt, it)
			if !ok {
				return nil
			}
			found = found || c == 0
		}
	}
	switch {
	case x.Value == nil:
		return lit(nil, arrow.FixedWidthTypes.Boolean)
	case found:
		return lit(!n.Negated, arrow.FixedWidthTypes.Boolean)
	case sawNull:
		return lit(nil, arrow.FixedWidthTypes.Boolean)
	}
	return lit(n.Negated, arrow.FixedWidthTypes.Boolean)
}
