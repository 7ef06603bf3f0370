package physical

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/expr"
)

// positionalName is the name of column i in a positionally relabelled schema.
func positionalName(i int) string { return "#" + strconv.Itoa(i) }

// positional relabels op's columns #0, #1, … (no qualifiers), so that
// expressions bound with bindPositional resolve without ambiguity.
func positional(op exec.Operator) (exec.Operator, error) {
	s := op.Schema()
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = arrow.Field{Name: positionalName(i), Type: f.Type, Nullable: f.Nullable}
	}
	return exec.NewColumnSelect(op, nil, arrow.NewSchema(fields, nil))
}

// bindPositional rewrites the column references of e, resolved against s,
// into references to positional names.
func bindPositional(e expr.Expr, s *arrow.Schema) (expr.Expr, error) {
	return expr.Transform(e, func(n expr.Expr) (expr.Expr, error) {
		c, ok := n.(*expr.Column)
		if !ok {
			return n, nil
		}
		i, err := expr.Resolve(s, c)
		if err != nil {
			return nil, err
		}
		return expr.Col(positionalName(i)), nil
	})
}

// project evaluates exprs (over op's schema) and returns only their results,
// named #0, #1, ….
func (b *builder) project(op exec.Operator, exprs []expr.Expr) (exec.Operator, error) {
	s := op.Schema()
	bound := make([]expr.Expr, len(exprs))
	for i, e := range exprs {
		be, err := bindPositional(expr.StripAlias(e), s)
		if err != nil {
			return nil, err
		}
		bound[i] = be
	}
	pos, err := positional(op)
	if err != nil {
		return nil, err
	}
	return eval.NewProject(pos, bound, b.env, nil)
}

// appendExprs returns an operator producing op's columns (with their
// original fields) followed by the values of exprs, and the index of the
// first appended column. The appended columns are named #key0, #key1, ….
func (b *builder) appendExprs(op exec.Operator, exprs []expr.Expr) (exec.Operator, int, error) {
	s := op.Schema()
	n := s.NumFields()
	if len(exprs) == 0 {
		return op, n, nil
	}
	// Pass-through columns are bound by position, not by name.
	bound := make([]expr.Expr, 0, n+len(exprs))
	for i := 0; i < n; i++ {
		bound = append(bound, expr.Col(positionalName(i)))
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	for i, e := range exprs {
		be, err := bindPositional(expr.StripAlias(e), s)
		if err != nil {
			return nil, 0, err
		}
		t, err := e.Type(s)
		if err != nil {
			return nil, 0, err
		}
		bound = append(bound, be)
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("#key%d", i), Type: t, Nullable: true})
	}
	pos, err := positional(op)
	if err != nil {
		return nil, 0, err
	}
	proj, err := eval.NewProject(pos, bound, b.env, nil)
	if err != nil {
		return nil, 0, err
	}
	out, err := exec.NewColumnSelect(proj, nil, arrow.NewSchema(fields, nil))
	return out, n, err
}

// castTo wraps e in a cast to t unless it already has type t over s.
func castTo(e expr.Expr, t arrow.DataType, s *arrow.Schema) (expr.Expr, error) {
	et, err := e.Type(s)
	if err != nil {
		return nil, err
	}
	if arrow.TypeEqual(et, t) {
		return e, nil
	}
	return expr.E{Expr: e}.Cast(t), nil
}
