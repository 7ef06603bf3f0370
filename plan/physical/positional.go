package physical

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/expr"
)

// positionalName is the name of column i in a positionally relabelled schema.
func positionalName(i int) string { return "#" + strconv.Itoa(i) }

// positionalSchema names s's columns #0, #1, … without qualifiers, so that
// expressions bound with bindPositional resolve without ambiguity even when
// a self-join left duplicate names.
func positionalSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = arrow.Field{Name: positionalName(i), Type: f.Type, Nullable: f.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// bindPositional rewrites the column references of e, resolved against s,
// into references to positional names.
func bindPositional(e expr.Expr, s *arrow.Schema) (expr.Expr, error) {
	return expr.Transform(expr.StripAlias(e), func(n expr.Expr) (expr.Expr, error) {
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

// projectNode evaluates expressions over its child. With keep set, the
// output is the child's columns followed by the expression results
// (appended columns are named #key0, #key1, …); otherwise only the results,
// named by expr.Name.
func projectNode(child Node, exprs []expr.Expr, keep bool) (Node, error) {
	in := child.Schema()
	var bound []expr.Expr
	var fields []arrow.Field
	if keep {
		for i, f := range in.Fields() {
			bound = append(bound, expr.Col(positionalName(i)))
			fields = append(fields, f)
		}
	}
	var texts []string
	for i, e := range exprs {
		be, err := bindPositional(e, in)
		if err != nil {
			return nil, err
		}
		t, err := e.Type(in)
		if err != nil {
			return nil, err
		}
		// Operators above address these columns by index, so names only
		// need to read well in EXPLAIN.
		name := expr.Name(e)
		if keep {
			name = fmt.Sprintf("#key%d", i)
		}
		bound = append(bound, be)
		fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: true})
		texts = append(texts, expr.StripAlias(e).String())
	}
	pos := positionalSchema(in)
	label := "Project " + strings.Join(texts, ", ")
	if keep {
		label = "Project +[" + strings.Join(texts, ", ") + "]"
	}
	return newUnary(child, arrow.NewSchema(fields, nil), label, func(x *Execution, op exec.Operator, m *exec.Metrics) (exec.Operator, error) {
		relabelled, err := exec.NewColumnSelect(op, nil, pos)
		if err != nil {
			return nil, err
		}
		return eval.NewProject(relabelled, bound, x.Env, m)
	}), nil
}

// selectNode keeps the columns cols of child, relabelled with schema.
func selectNode(child Node, cols []int, schema *arrow.Schema) Node {
	return newUnary(child, schema, "Select "+strings.Join(colNames(schema, seq(0, len(cols))), ", "), func(_ *Execution, op exec.Operator, _ *exec.Metrics) (exec.Operator, error) {
		return exec.NewColumnSelect(op, cols, schema)
	})
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

// colNames returns the (qualified) names of columns idx of s.
func colNames(s *arrow.Schema, idx []int) []string {
	out := make([]string, len(idx))
	for i, c := range idx {
		f := s.Field(c)
		if q := expr.FieldQualifier(f); q != "" {
			out[i] = q + "." + f.Name
		} else {
			out[i] = f.Name
		}
	}
	return out
}

// seq returns from, from+1, …, from+n-1.
func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}
