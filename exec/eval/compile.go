package eval

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// compiler turns an expression tree into a tree of nodes bound to a schema.
type compiler struct {
	schema *arrow.Schema
}

// newBase fills the common node fields for expression e of type t.
func newBase(t arrow.DataType, text string) (base, error) {
	p, err := physOf(t)
	if err != nil {
		return base{}, fmt.Errorf("compile %s: %w", text, err)
	}
	return base{t: t, p: p, text: text}, nil
}

// compile builds the node for e. Every node re-derives its type with
// e.Type, which also surfaces type errors with the offending expression;
// compile time is per operator, not per batch, so the repeated derivation
// on deep trees does not matter.
func (c *compiler) compile(e expr.Expr) (node, error) {
	e = expr.Unwrap(e)
	t, err := e.Type(c.schema)
	if err != nil {
		return nil, err
	}
	b, err := newBase(t, e.String())
	if err != nil {
		return nil, err
	}
	switch n := e.(type) {
	case *expr.Alias:
		// Names matter only to Project; evaluation sees through them.
		return c.compile(n.Expr)
	case *expr.Column:
		idx, err := expr.Resolve(c.schema, n)
		if err != nil {
			return nil, err
		}
		return &colNode{base: b, idx: idx}, nil
	case *expr.Literal:
		v, err := scalarOf(n.Value, t)
		if err != nil {
			return nil, err
		}
		return &litNode{base: b, v: v}, nil
	case *expr.Binary:
		return c.binary(b, n)
	case *expr.Unary:
		return c.unary(b, n)
	case *expr.In:
		return c.in(b, n)
	case *expr.Case:
		return c.caseWhen(b, n)
	case *expr.Cast:
		in, err := c.compile(n.Expr)
		if err != nil {
			return nil, err
		}
		return newCast(b, in)
	case *expr.Call:
		return c.call(b, n)
	case *expr.Agg:
		return nil, fmt.Errorf("%w: aggregate %s cannot be evaluated as a scalar expression", expr.ErrType, n)
	}
	return nil, fmt.Errorf("internal error: unknown expression node %T", e)
}

// compileAs compiles e and converts its result to type t with an implicit
// cast when its type differs. text names the expression the conversion
// belongs to (for error messages).
func (c *compiler) compileAs(e expr.Expr, t arrow.DataType, text string) (node, error) {
	in, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return implicitCast(in, t, text)
}

// implicitCast converts in to type t (no-op when the types are equal, or
// when t is the NULL type, which only NULL-typed inputs promote to).
func implicitCast(in node, t arrow.DataType, text string) (node, error) {
	if arrow.TypeEqual(in.info().t, t) || expr.IsNullType(t) {
		return in, nil
	}
	b, err := newBase(t, text)
	if err != nil {
		return nil, err
	}
	return newCast(b, in)
}

// binary compiles arithmetic, comparisons and AND/OR. Arithmetic converts
// both operands to the node's own type (expr.CommonNumeric, which Type
// already applied); comparisons convert to expr.CommonType; date ± days
// keeps its operands as they are.
func (c *compiler) binary(b base, n *expr.Binary) (node, error) {
	lt, _ := n.Left.Type(c.schema)
	rt, _ := n.Right.Type(c.schema)
	switch {
	case n.Op.IsLogical():
		l, err := c.compile(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(n.Right)
		if err != nil {
			return nil, err
		}
		return &logicNode{base: b, and: n.Op == expr.OpAnd, l: l, r: r}, nil
	case n.Op.IsArithmetic() && (lt.ID() == arrow.DATE32 || rt.ID() == arrow.DATE32):
		return c.dateArith(b, n, lt, rt)
	case n.Op.IsArithmetic():
		l, err := c.compileAs(n.Left, b.t, b.text)
		if err != nil {
			return nil, err
		}
		r, err := c.compileAs(n.Right, b.t, b.text)
		if err != nil {
			return nil, err
		}
		return newArith(b, n.Op, l, r), nil
	}
	ct, _ := expr.CommonType(lt, rt)
	l, err := c.compileAs(n.Left, ct, b.text)
	if err != nil {
		return nil, err
	}
	r, err := c.compileAs(n.Right, ct, b.text)
	if err != nil {
		return nil, err
	}
	return newCompare(b, n.Op, l, r)
}

// unary compiles NOT, negation and the NULL tests.
func (c *compiler) unary(b base, n *expr.Unary) (node, error) {
	in, err := c.compile(n.Expr)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case expr.OpNot:
		return &notNode{base: b, in: in}, nil
	case expr.OpNeg:
		return &negNode{base: b, in: in}, nil
	}
	return &isNullNode{base: b, in: in, not: n.Op == expr.OpIsNotNull}, nil
}

// in compiles x IN (items) as one x = item comparison per item, each with
// the pair's own common type; x is evaluated once and shared. The order of
// conversions per item is that of the reference: x is converted, then the
// item is evaluated and converted.
func (c *compiler) in(b base, n *expr.In) (node, error) {
	x, err := c.compile(n.Expr)
	if err != nil {
		return nil, err
	}
	shared := &sharedNode{in: x}
	xt := x.info().t
	out := &inNode{base: b, x: shared, negated: n.Negated}
	for _, item := range n.List {
		it, _ := item.Type(c.schema)
		ct, _ := expr.CommonType(xt, it)
		cb, err := newBase(arrow.FixedWidthTypes.Boolean, b.text)
		if err != nil {
			return nil, err
		}
		l, err := implicitCast(shared, ct, b.text)
		if err != nil {
			return nil, err
		}
		r, err := c.compileAs(item, ct, b.text)
		if err != nil {
			return nil, err
		}
		eq, err := newCompare(cb, expr.OpEq, l, r)
		if err != nil {
			return nil, err
		}
		out.items = append(out.items, eq)
	}
	return out, nil
}

// caseWhen compiles CASE; every value (and ELSE) is converted to the
// CASE's type so the gather copies values of one representation.
func (c *compiler) caseWhen(b base, n *expr.Case) (node, error) {
	out := &caseNode{base: b}
	for _, br := range n.Branches {
		w, err := c.compile(br.When)
		if err != nil {
			return nil, err
		}
		th, err := c.compileAs(br.Then, b.t, b.text)
		if err != nil {
			return nil, err
		}
		out.when = append(out.when, w)
		out.vals = append(out.vals, th)
	}
	if n.Else != nil {
		el, err := c.compileAs(n.Else, b.t, b.text)
		if err != nil {
			return nil, err
		}
		out.vals = append(out.vals, el)
	}
	return out, nil
}

// call compiles scalar functions: COALESCE converts its arguments to the
// common type like CASE; the others take their arguments as they are
// (string functions read any string-like representation, substring reads
// any integer type for its positions).
func (c *compiler) call(b base, n *expr.Call) (node, error) {
	if n.Func == expr.FnCoalesce {
		out := &coalesceNode{base: b}
		for _, a := range n.Args {
			in, err := c.compileAs(a, b.t, b.text)
			if err != nil {
				return nil, err
			}
			out.vals = append(out.vals, in)
		}
		return out, nil
	}
	args := make([]node, len(n.Args))
	for i, a := range n.Args {
		in, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i] = in
	}
	switch n.Func {
	case expr.FnYear, expr.FnMonth, expr.FnDay:
		return &datePartNode{base: b, fn: n.Func, in: args[0]}, nil
	}
	return newStringFunc(b, n.Func, args), nil
}
