package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// conjuncts splits a predicate on AND, left to right.
func conjuncts(e expr.Expr) []expr.Expr {
	e = expr.Unwrap(e)
	if b, ok := e.(*expr.Binary); ok && b.Op == expr.OpAnd {
		return append(conjuncts(b.Left), conjuncts(b.Right)...)
	}
	return []expr.Expr{e}
}

// andAll joins predicates with AND, left-associated; nil for none.
func andAll(es []expr.Expr) expr.Expr {
	if len(es) == 0 {
		return nil
	}
	return expr.Unwrap(expr.And(es...))
}

// columnIndexes resolves every column reference of e against s. ok is false
// when some reference does not resolve.
func columnIndexes(e expr.Expr, s *arrow.Schema) (idx []int, ok bool) {
	for _, c := range expr.Columns(e) {
		i, err := expr.Resolve(s, c)
		if err != nil {
			return nil, false
		}
		idx = append(idx, i)
	}
	return idx, true
}

// columnRef returns a reference to field i of s, qualified when the field
// has a qualifier. ok is false when the reference would not resolve to
// exactly field i (two fields share the name and qualifier).
func columnRef(s *arrow.Schema, i int) (expr.Expr, bool) {
	f := s.Field(i)
	c := &expr.Column{Name: f.Name, Qualifier: expr.FieldQualifier(f)}
	j, err := expr.Resolve(s, c)
	return c, err == nil && j == i
}

// substitute replaces every column reference of e, resolved against s, by
// repl(index). ok is false when a reference does not resolve or repl
// returns nil.
func substitute(e expr.Expr, s *arrow.Schema, repl func(int) expr.Expr) (expr.Expr, bool) {
	ok := true
	out, _ := expr.Transform(e, func(n expr.Expr) (expr.Expr, error) {
		c, isCol := n.(*expr.Column)
		if !isCol || !ok {
			return n, nil
		}
		i, err := expr.Resolve(s, c)
		if err != nil {
			ok = false
			return n, nil
		}
		r := repl(i)
		if r == nil {
			ok = false
			return n, nil
		}
		return expr.StripAlias(r), nil
	})
	return out, ok
}

// named keeps the output name of a projected or grouped item when a rewrite
// replaced old by e: the result is e when it produces the same output field
// as old would (same name, and both or neither a bare column), otherwise e
// under an alias carrying old's name.
func named(old, e expr.Expr) expr.Expr {
	old, e = expr.Unwrap(old), expr.Unwrap(e)
	_, oldCol := old.(*expr.Column)
	_, newCol := e.(*expr.Column)
	if expr.Name(old) == expr.Name(e) && oldCol == newCol {
		return e
	}
	return &expr.Alias{Expr: expr.StripAlias(e), Name: expr.Name(old)}
}

// isLiteral reports whether e is a valid literal and returns it.
func isLiteral(e expr.Expr) (*expr.Literal, bool) {
	l, ok := expr.Unwrap(e).(*expr.Literal)
	return l, ok && l.Err == nil
}

// isNullLiteral reports whether e is a NULL literal of any type.
func isNullLiteral(e expr.Expr) bool {
	l, ok := isLiteral(e)
	return ok && l.Value == nil
}

// boolLiteral reports whether e is the boolean literal v.
func boolLiteral(e expr.Expr, v bool) bool {
	l, ok := isLiteral(e)
	if !ok {
		return false
	}
	b, isBool := l.Value.(bool)
	return isBool && b == v
}

// neverTrue reports whether a predicate is a literal false or NULL.
func neverTrue(e expr.Expr) bool { return boolLiteral(e, false) || isNullLiteral(e) }

// mayFail reports whether evaluating e over s can raise an error on some
// row: integer or date arithmetic (overflow, division by zero), integer
// negation, casts and implicit conversions that can overflow, and
// year/month/day of timestamps. Errors in type derivation count as failure.
// Optimizer rules use it to keep errors: an expression that may fail is
// never dropped or moved where it would see more rows or be evaluated
// before a condition that used to guard it.
func mayFail(e expr.Expr, s *arrow.Schema) bool {
	fail := false
	typ := func(x expr.Expr) arrow.DataType {
		t, err := x.Type(s)
		if err != nil {
			fail = true
			return arrow.Null
		}
		return t
	}
	expr.Inspect(e, func(n expr.Expr) bool {
		if fail {
			return false
		}
		switch x := n.(type) {
		case *expr.Binary:
			lt, rt := typ(x.Left), typ(x.Right)
			switch {
			case x.Op.IsArithmetic():
				fail = fail || !expr.IsFloat(typ(x))
			case x.Op.IsComparison():
				ct, _ := expr.CommonType(lt, rt)
				fail = fail || ct == nil || convMayFail(lt, ct) || convMayFail(rt, ct)
			}
		case *expr.Unary:
			fail = fail || (x.Op == expr.OpNeg && !expr.IsFloat(typ(x)))
		case *expr.Cast:
			fail = fail || convMayFail(typ(x.Expr), x.To)
		case *expr.In:
			xt := typ(x.Expr)
			for _, item := range x.List {
				it := typ(item)
				ct, _ := expr.CommonType(xt, it)
				fail = fail || ct == nil || convMayFail(xt, ct) || convMayFail(it, ct)
			}
		case *expr.Case:
			out := typ(x)
			for _, br := range x.Branches {
				fail = fail || convMayFail(typ(br.Then), out)
			}
			if x.Else != nil {
				fail = fail || convMayFail(typ(x.Else), out)
			}
		case *expr.Call:
			fail = fail || callMayFail(x, typ)
		case *expr.Agg:
			fail = true
		}
		return !fail
	})
	return fail
}

// callMayFail covers the scalar functions: COALESCE converts its arguments
// to its type, and year/month/day of a timestamp can overflow int32.
func callMayFail(c *expr.Call, typ func(expr.Expr) arrow.DataType) bool {
	switch c.Func {
	case expr.FnCoalesce:
		out := typ(c)
		for _, a := range c.Args {
			if convMayFail(typ(a), out) {
				return true
			}
		}
	case expr.FnYear, expr.FnMonth, expr.FnDay:
		return typ(c.Args[0]).ID() == arrow.TIMESTAMP
	}
	return false
}

// convMayFail reports whether converting a value of type from to type to
// (CAST or an implicit promotion) can raise an error.
func convMayFail(from, to arrow.DataType) bool {
	switch {
	case arrow.TypeEqual(from, to), expr.IsNullType(from):
		return false
	case expr.IsFloat(to), expr.IsString(to), to.ID() == arrow.BOOL:
		return false // strings that do not parse become NULL
	case expr.IsInteger(to):
		switch {
		case from.ID() == arrow.BOOL, expr.IsString(from):
			return false
		case expr.IsInteger(from):
			return !intRangeFits(from, to)
		}
		return true // from float: NaN, infinities and large values overflow
	case to.ID() == arrow.DATE32:
		return !(from.ID() == arrow.TIMESTAMP || expr.IsString(from))
	}
	return !expr.IsString(from)
}

// intRangeFits reports whether every value of integer type from fits
// integer type to.
func intRangeFits(from, to arrow.DataType) bool {
	wf := from.(arrow.FixedWidthDataType).BitWidth()
	wt := to.(arrow.FixedWidthDataType).BitWidth()
	switch {
	case expr.IsSignedInt(from) == expr.IsSignedInt(to):
		return wf <= wt
	case expr.IsUnsignedInt(from):
		return wf < wt
	}
	return false
}

// inlineItem rewrites a projected, grouped or aggregated item over the
// output of a projection with expressions es (schema s) into an item over
// the projection's input with the same output field: a bare reference to a
// bare column stays a bare column, a bare reference to a computed column
// becomes that computation aliased with the column's name, and anything
// else gets the projected expressions substituted and keeps its name.
func inlineItem(e expr.Expr, s *arrow.Schema, es []expr.Expr) (expr.Expr, bool) {
	e = expr.Unwrap(e)
	if c, ok := e.(*expr.Column); ok {
		j, err := expr.Resolve(s, c)
		if err != nil {
			return nil, false
		}
		if _, isCol := es[j].(*expr.Column); isCol {
			return es[j], true
		}
		return &expr.Alias{Expr: expr.StripAlias(es[j]), Name: s.Field(j).Name}, true
	}
	sub, ok := substitute(e, s, func(j int) expr.Expr { return es[j] })
	if !ok {
		return nil, false
	}
	return named(e, sub), true
}
