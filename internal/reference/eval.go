package reference

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// EvalExpr evaluates a scalar (aggregate-free) expression on one row of
// schema. It returns the Go value of the result (nil for NULL), or an error:
// type errors from e.Type, or run-time errors wrapping expr.ErrOverflow or
// expr.ErrDivideByZero. The semantics are those of the package
// documentation.
func EvalExpr(e expr.Expr, schema *arrow.Schema, row Row) (any, error) {
	if len(row) != schema.NumFields() {
		return nil, fmt.Errorf("row has %d values, schema %d fields", len(row), schema.NumFields())
	}
	e = expr.Unwrap(e)
	if _, err := e.Type(schema); err != nil {
		return nil, err
	}
	ev := &evaluator{schema: schema, row: row}
	return ev.eval(e)
}

type evaluator struct {
	schema *arrow.Schema
	row    Row
}

// typeOf derives the type of a node (already checked by EvalExpr).
func (ev *evaluator) typeOf(e expr.Expr) arrow.DataType {
	t, err := e.Type(ev.schema)
	if err != nil {
		panic(fmt.Sprintf("internal error: type of checked expression %s: %v", e, err))
	}
	return t
}

func (ev *evaluator) eval(e expr.Expr) (any, error) {
	switch n := expr.Unwrap(e).(type) {
	case *expr.Column:
		i, err := expr.Resolve(ev.schema, n)
		if err != nil {
			return nil, err
		}
		return ev.row[i], nil
	case *expr.Literal:
		return n.Value, nil
	case *expr.Alias:
		return ev.eval(n.Expr)
	case *expr.Binary:
		return ev.binary(n)
	case *expr.Unary:
		return ev.unary(n)
	case *expr.In:
		return ev.in(n)
	case *expr.Case:
		return ev.caseWhen(n)
	case *expr.Cast:
		v, err := ev.eval(n.Expr)
		if err != nil {
			return nil, err
		}
		return castValue(v, ev.typeOf(n.Expr), n.To)
	case *expr.Call:
		return ev.call(n)
	case *expr.Agg:
		return nil, fmt.Errorf("%w: aggregate %s in a scalar expression", expr.ErrType, n)
	}
	return nil, fmt.Errorf("internal error: unknown expression node %T", e)
}

// coerce converts v (of type from) to type to for an implicit cast.
func coerce(v any, from, to arrow.DataType) (any, error) {
	if v == nil || arrow.TypeEqual(from, to) {
		return v, nil
	}
	return castValue(v, from, to)
}

func (ev *evaluator) binary(n *expr.Binary) (any, error) {
	if n.Op.IsLogical() {
		return ev.logical(n)
	}
	l, err := ev.eval(n.Left)
	if err != nil {
		return nil, err
	}
	r, err := ev.eval(n.Right)
	if err != nil {
		return nil, err
	}
	lt, rt := ev.typeOf(n.Left), ev.typeOf(n.Right)
	if n.Op.IsArithmetic() {
		return arith(n.Op, l, r, lt, rt)
	}
	ct, _ := expr.CommonType(lt, rt)
	if l, err = coerce(l, lt, ct); err != nil {
		return nil, err
	}
	if r, err = coerce(r, rt, ct); err != nil {
		return nil, err
	}
	if l == nil || r == nil {
		return nil, nil
	}
	c := Compare(l, r)
	switch n.Op {
	case expr.OpEq:
		return c == 0, nil
	case expr.OpNotEq:
		return c != 0, nil
	case expr.OpLt:
		return c < 0, nil
	case expr.OpLtEq:
		return c <= 0, nil
	case expr.OpGt:
		return c > 0, nil
	default:
		return c >= 0, nil
	}
}

// logical evaluates AND/OR with three-valued logic, evaluating the right
// operand only when the left does not decide the result.
func (ev *evaluator) logical(n *expr.Binary) (any, error) {
	l, err := ev.eval(n.Left)
	if err != nil {
		return nil, err
	}
	decisive := n.Op == expr.OpOr // true decides OR, false decides AND
	if l != nil && l.(bool) == decisive {
		return decisive, nil
	}
	r, err := ev.eval(n.Right)
	if err != nil {
		return nil, err
	}
	switch {
	case r != nil && r.(bool) == decisive:
		return decisive, nil
	case l == nil || r == nil:
		return nil, nil
	}
	return !decisive, nil
}

func (ev *evaluator) unary(n *expr.Unary) (any, error) {
	v, err := ev.eval(n.Expr)
	if err != nil {
		return nil, err
	}
	switch n.Op {
	case expr.OpIsNull:
		return v == nil, nil
	case expr.OpIsNotNull:
		return v != nil, nil
	}
	if v == nil {
		return nil, nil
	}
	if n.Op == expr.OpNot {
		return !v.(bool), nil
	}
	return negate(v, ev.typeOf(n))
}

func (ev *evaluator) in(n *expr.In) (any, error) {
	x, err := ev.eval(n.Expr)
	if err != nil {
		return nil, err
	}
	xt := ev.typeOf(n.Expr)
	found, sawNull := false, x == nil
	for _, item := range n.List {
		v, err := ev.eval(item)
		if err != nil {
			return nil, err
		}
		it := ev.typeOf(item)
		ct, _ := expr.CommonType(xt, it)
		cx, err := coerce(x, xt, ct)
		if err != nil {
			return nil, err
		}
		if v, err = coerce(v, it, ct); err != nil {
			return nil, err
		}
		switch {
		case v == nil:
			sawNull = true
		case cx != nil && Compare(cx, v) == 0:
			found = true
		}
	}
	switch {
	case x == nil:
		return nil, nil
	case found:
		return !n.Negated, nil
	case sawNull:
		return nil, nil
	}
	return n.Negated, nil
}

func (ev *evaluator) caseWhen(n *expr.Case) (any, error) {
	out := ev.typeOf(n)
	for _, br := range n.Branches {
		c, err := ev.eval(br.When)
		if err != nil {
			return nil, err
		}
		if c != nil && c.(bool) {
			return ev.evalAs(br.Then, out)
		}
	}
	if n.Else == nil {
		return nil, nil
	}
	return ev.evalAs(n.Else, out)
}

// evalAs evaluates e and converts the result to type t.
func (ev *evaluator) evalAs(e expr.Expr, t arrow.DataType) (any, error) {
	v, err := ev.eval(e)
	if err != nil {
		return nil, err
	}
	return coerce(v, ev.typeOf(e), t)
}
