package frame

import (
	"fmt"
	"strings"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// Alias names df's relation: the columns it reads from its source are
// qualified by name, so expressions can say expr.Col("f.metric") and the
// two sides of a self-join stay distinguishable:
//
//	a, b := df.Alias("a"), df.Alias("b")
//	a.Join(b, frame.On(expr.Col("a.parent").Eq(expr.Col("b.id"))), frame.Inner)
//
// A DataFrame built by a source is named "df1", "df2"… in the order the
// session created them, until aliased. References written with the old
// name in df's own steps are renamed too.
//
// Only columns that come straight from the source carry the name: computed
// columns (WithColumn, aggregates, renamed columns) stay unqualified and are
// referenced by their bare name. Aliasing the result of a Join or Union is
// not supported yet and fails with ErrUnsupported: the logical plan has no
// node that renames a relation.
func (df *DataFrame) Alias(name string) *DataFrame {
	step := "Alias(" + name + ")"
	return df.derive(step, nil, func(n plan.Node) (plan.Node, error) {
		if name == "" || strings.Contains(name, ".") {
			return nil, invalidInput("alias %q must be non-empty and contain no dot", name)
		}
		scan, err := sourceScan(n)
		if err != nil {
			return nil, err
		}
		return requalify(n, scan.Name(), name)
	})
}

// sourceScan returns the Scan at the bottom of a chain of single-input
// nodes, or ErrUnsupported when n combines several inputs.
func sourceScan(n plan.Node) (*plan.Scan, error) {
	for {
		if s, ok := n.(*plan.Scan); ok {
			return s, nil
		}
		ch := n.Children()
		if len(ch) != 1 {
			return nil, fmt.Errorf("%w: aliasing the result of a join or union", ErrUnsupported)
		}
		n = ch[0]
	}
}

// requalify rebuilds n over a scan aliased as to, renaming references to
// qualifier from in its expressions.
func requalify(n plan.Node, from, to string) (plan.Node, error) {
	if s, ok := n.(*plan.Scan); ok {
		ns, err := plan.NewScan(s.Source, to)
		if err != nil || (s.Columns == nil && len(s.Filters) == 0) {
			return ns, err
		}
		return ns.WithPushdown(s.Columns, s.Filters)
	}
	child, err := requalify(n.Children()[0], from, to)
	if err != nil {
		return nil, err
	}
	rw := func(es []expr.Expr) ([]expr.Expr, error) { return renameQualifier(es, from, to) }
	switch n := n.(type) {
	case *plan.Filter:
		p, err := rw([]expr.Expr{n.Pred})
		if err != nil {
			return nil, err
		}
		return plan.NewFilter(child, p[0])
	case *plan.Project:
		es, err := rw(n.Exprs())
		if err != nil {
			return nil, err
		}
		return plan.NewProject(child, es)
	case *plan.Aggregate:
		g, err := rw(n.GroupBy)
		if err != nil {
			return nil, err
		}
		a, err := rw(n.Aggs)
		if err != nil {
			return nil, err
		}
		return plan.NewAggregate(child, g, a)
	case *plan.Sort:
		keys := make([]plan.SortKey, len(n.Keys))
		for i, k := range n.Keys {
			e, err := rw([]expr.Expr{k.Expr})
			if err != nil {
				return nil, err
			}
			k.Expr = e[0]
			keys[i] = k
		}
		return plan.NewSort(child, keys)
	}
	return n.WithChildren([]plan.Node{child})
}

// renameQualifier rewrites references qualified by from ("from.x", written
// either way) to be qualified by to.
func renameQualifier(es []expr.Expr, from, to string) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		r, err := expr.Transform(e, func(e expr.Expr) (expr.Expr, error) {
			c, ok := e.(*expr.Column)
			if !ok {
				return e, nil
			}
			if c.Qualifier == from {
				return &expr.Column{Qualifier: to, Name: c.Name}, nil
			}
			if rest, ok := strings.CutPrefix(c.Name, from+"."); ok && c.Qualifier == "" {
				return &expr.Column{Qualifier: to, Name: rest}, nil
			}
			return e, nil
		})
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
