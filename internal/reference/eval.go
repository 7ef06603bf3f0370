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
// documentation. To evaluate many rows, Prepare once and call Eval.
func EvalExpr(e expr.Expr, schema *arrow.Schema, row Row) (any, error) {
	p, err := Prepare(e, schema)
	if err != nil {
		return nil, err
	}
	return p.Eval(row)
}

// Prepared is an expression type-checked against a schema, ready to be
// evaluated on many rows. It is safe for concurrent use.
type Prepared struct {
	e      expr.Expr
	schema *arrow.Schema
	types  map[expr.Expr]arrow.DataType
	cols   map[*expr.Column]int
}

// Prepare type-checks e against schema and resolves its columns.
func Prepare(e expr.Expr, schema *arrow.Schema) (*Prepared, error) {
	e = expr.Unwrap(e)
	if _, err := e.Type(schema); err != nil {
		return nil, err
	}
	p := &Prepared{e: e, schema: schema, types: map[expr.Expr]arrow.DataType{}, cols: map[*expr.Column]int{}}
	var err error
	expr.Inspect(e, func(n expr.Expr) bool {
		if err != nil {
			return false
		}
		var t arrow.DataType
		if t, err = n.Type(schema); err != nil {
			return false
		}
		p.types[n] = t
		if c, ok := n.(*expr.Column); ok {
			p.cols[c], err = expr.Resolve(schema, c)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Type returns the result type of the prepared expression.
func (p *Prepared) Type() arrow.DataType { return p.types[p.e] }

// Eval evaluates the expression on one row of the prepared schema.
func (p *Prepared) Eval(row Row) (any, error) {
	if len(row) != p.schema.NumFields() {
		return nil, fmt.Errorf("row has %d values, schema %d fields", len(row), p.schema.NumFields())
	}
	ev := &evaluator{p: p, row: row}
	return ev.eval(p.e)
}

type evaluator struct {
	p   *Prepared
	row Row
}

// typeOf returns the type of a node (derived by Prepare).
func (ev *evaluator) typeOf(e expr.Expr) arrow.DataType {
	t, ok := ev.p.types[expr.Unwrap(e)]
	if !ok {
		panic(fmt.Sprintf("internal error: no type for %s", e))
	}
	return t
}

func (ev *evaluator) eval(e expr.Expr) (any, error) {
	switch n := expr.Unwrap(e).(type) {
	case *expr.Column:
		return ev.row[ev.p.cols[n]], nil
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
	lt, rt := ev.typeOf(n.Left), ev.typeOf(n.Right)
	if n.Op.IsArithmetic() && (lt.ID() == arrow.DATE32 || rt.ID() == arrow.DATE32) {
		l, err := ev.eval(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := ev.eval(n.Right)
		if err != nil {
			return nil, err
		}
		return dateArith(n.Op, l, r)
	}
	var ct arrow.DataType
	if n.Op.IsArithmetic() {
		ct, _ = expr.CommonNumeric(lt, rt)
		if expr.IsNullType(ct) {
			ct = arrow.PrimitiveTypes.Int64
		}
	} else {
		ct, _ = expr.CommonType(lt, rt)
	}
	// Each operand is converted right after it is evaluated.
	l, err := ev.evalAs(n.Left, ct)
	if err != nil {
		return nil, err
	}
	r, err := ev.evalAs(n.Right, ct)
	if err != nil {
		return nil, err
	}
	if l == nil || r == nil {
		return nil, nil
	}
	if n.Op.IsArithmetic() {
		return arith(n.Op, l, r, ct)
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
		// Per item: convert x to the pair's common type, then evaluate
		// and convert the item (the order of x = item).
		it := ev.typeOf(item)
		ct, _ := expr.CommonType(xt, it)
		cx, err := coerce(x, xt, ct)
		if err != nil {
			return nil, err
		}
		v, err := ev.evalAs(item, ct)
		if err != nil {
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
