package frame

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// Select computes one output column per expression, named by expr.Name
// (the alias, the column name, or the expression's text):
//
//	df.Select(expr.Col("city"), expr.Col("temp").Mul(expr.Lit(1.8)).Add(expr.Lit(32)).As("f"))
//
// When an expression contains an aggregate (expr.Sum…), Select aggregates
// the whole DataFrame into one row, as GroupBy().Agg(exprs...) does.
func (df *DataFrame) Select(exprs ...expr.Expr) *DataFrame {
	exprs = unwrapAll(exprs)
	step := "Select(" + exprList(exprs) + ")"
	for _, e := range exprs {
		if e != nil && expr.ContainsAgg(e) {
			return df.derive(step, exprs, func(n plan.Node) (plan.Node, error) {
				return buildAggregate(n, nil, exprs)
			})
		}
	}
	return df.derive(step, exprs, func(n plan.Node) (plan.Node, error) {
		return plan.NewProject(n, exprs)
	})
}

// Filter keeps the rows for which pred is true; rows where it is false or
// NULL are dropped.
func (df *DataFrame) Filter(pred expr.Expr) *DataFrame {
	pred = expr.Unwrap(pred)
	step := "Filter(" + exprList([]expr.Expr{pred}) + ")"
	return df.derive(step, []expr.Expr{pred}, func(n plan.Node) (plan.Node, error) {
		return plan.NewFilter(n, pred)
	})
}

// Where is Filter.
func (df *DataFrame) Where(pred expr.Expr) *DataFrame { return df.Filter(pred) }

// WithColumn returns df with column name set to e: the column of that name
// is replaced in place, or a new column is appended when there is none.
func (df *DataFrame) WithColumn(name string, e expr.Expr) *DataFrame {
	e = expr.Unwrap(e)
	step := "WithColumn(" + name + ", " + exprList([]expr.Expr{e}) + ")"
	if e == nil {
		return df.derive(step, []expr.Expr{e}, nil)
	}
	return df.withColumns(step, []string{name}, []expr.Expr{e})
}

// WithColumns sets several columns at once, each named by expr.Name (give
// computed ones an alias with As). Every expression sees df's columns, not
// the ones set before it in the same call:
//
//	df.WithColumns(expr.Col("a").Add(expr.Lit(1)).As("a"), expr.Col("a").Mul(expr.Lit(2)).As("b"))
//
// sets a to a+1 and b to twice the original a.
func (df *DataFrame) WithColumns(exprs ...expr.Expr) *DataFrame {
	exprs = unwrapAll(exprs)
	step := "WithColumns(" + exprList(exprs) + ")"
	names := make([]string, len(exprs))
	for i, e := range exprs {
		if e == nil {
			return df.derive(step, exprs, nil)
		}
		names[i] = expr.Name(e)
	}
	return df.withColumns(step, names, exprs)
}

// withColumns replaces or appends the named columns.
func (df *DataFrame) withColumns(step string, names []string, exprs []expr.Expr) *DataFrame {
	return df.derive(step, exprs, func(n plan.Node) (plan.Node, error) {
		seen := map[string]bool{}
		for _, name := range names {
			if seen[name] {
				return nil, invalidInput("column %q is set twice", name)
			}
			seen[name] = true
		}
		s := n.Schema()
		out, err := columnRefs(s)
		if err != nil {
			return nil, err
		}
		for i, name := range names {
			idx := fieldsNamed(s, name)
			if len(idx) == 1 {
				name = s.Field(idx[0]).Name // "f.metric" sets metric
			}
			e := exprs[i]
			if expr.Name(e) != name {
				e = expr.E{Expr: e}.As(name)
			}
			switch len(idx) {
			case 0:
				out = append(out, e)
			case 1:
				out[idx[0]] = e
			default:
				_, err := expr.Resolve(s, &expr.Column{Name: name})
				return nil, err
			}
		}
		return plan.NewProject(n, out)
	})
}

// Drop removes the named columns. A name may be qualified ("f.metric"); an
// unknown name is an error (expr.ErrUnknownColumn), so typos do not pass
// silently.
func (df *DataFrame) Drop(names ...string) *DataFrame {
	step := "Drop(" + strings.Join(names, ", ") + ")"
	return df.derive(step, nil, func(n plan.Node) (plan.Node, error) {
		s := n.Schema()
		drop := make([]bool, s.NumFields())
		for _, name := range names {
			i, err := expr.Resolve(s, &expr.Column{Name: name})
			if err != nil {
				return nil, err
			}
			drop[i] = true
		}
		refs, err := columnRefs(s)
		if err != nil {
			return nil, err
		}
		var keep []expr.Expr
		for i, r := range refs {
			if !drop[i] {
				keep = append(keep, r)
			}
		}
		return plan.NewProject(n, keep)
	})
}

// Rename renames column old (which may be qualified) to newName, keeping
// its position. The renamed column loses its qualifier.
func (df *DataFrame) Rename(old, newName string) *DataFrame {
	step := "Rename(" + old + ", " + newName + ")"
	return df.derive(step, nil, func(n plan.Node) (plan.Node, error) {
		if newName == "" {
			return nil, invalidInput("empty new name")
		}
		s := n.Schema()
		i, err := expr.Resolve(s, &expr.Column{Name: old})
		if err != nil {
			return nil, err
		}
		refs, err := columnRefs(s)
		if err != nil {
			return nil, err
		}
		refs[i] = expr.E{Expr: refs[i]}.As(newName)
		return plan.NewProject(n, refs)
	})
}

// Limit keeps at most n rows (which ones is unspecified unless df is
// sorted). n must not be negative.
func (df *DataFrame) Limit(n int64) *DataFrame {
	return df.derive("Limit("+strconv.FormatInt(n, 10)+")", nil, func(in plan.Node) (plan.Node, error) {
		if n < 0 {
			return nil, invalidInput("negative limit %d", n)
		}
		return plan.NewLimit(in, 0, n)
	})
}

// Offset skips the first n rows. With Limit, the order of the calls
// matters as in Spark: df.Offset(10).Limit(5) returns rows 10–14, while
// df.Limit(15).Offset(10) returns the same rows by another route.
func (df *DataFrame) Offset(n int64) *DataFrame {
	return df.derive("Offset("+strconv.FormatInt(n, 10)+")", nil, func(in plan.Node) (plan.Node, error) {
		if n < 0 {
			return nil, invalidInput("negative offset %d", n)
		}
		return plan.NewLimit(in, n, plan.NoLimit)
	})
}

// Distinct removes duplicate rows (NULLs equal to each other).
func (df *DataFrame) Distinct() *DataFrame {
	return df.derive("Distinct()", nil, func(n plan.Node) (plan.Node, error) {
		return plan.NewDistinct(n)
	})
}

// Union appends the rows of other (UNION ALL). Columns match by position;
// names come from df, and each column takes the common type of both sides
// (expr.CommonType).
func (df *DataFrame) Union(other *DataFrame) *DataFrame {
	return df.combine("Union()", other, func(l, r plan.Node) (plan.Node, error) {
		return plan.NewUnion(l, r)
	})
}

// UnionDistinct appends the rows of other and removes duplicate rows
// (SQL UNION).
func (df *DataFrame) UnionDistinct(other *DataFrame) *DataFrame {
	return df.combine("UnionDistinct()", other, func(l, r plan.Node) (plan.Node, error) {
		u, err := plan.NewUnion(l, r)
		if err != nil {
			return nil, err
		}
		return plan.NewDistinct(u)
	})
}

// combine builds a two-input step after checking that both DataFrames are
// valid and come from the same session.
func (df *DataFrame) combine(step string, other *DataFrame, build func(l, r plan.Node) (plan.Node, error)) *DataFrame {
	if df.err != nil {
		return &DataFrame{s: df.s, err: df.err}
	}
	if other == nil {
		return failed(df.s, step, invalidInput("other DataFrame is nil"))
	}
	if other.err != nil {
		return &DataFrame{s: df.s, err: other.err}
	}
	if other.s != df.s {
		return failed(df.s, step, invalidInput("the DataFrames belong to different sessions"))
	}
	n, err := build(df.node, other.node)
	if err != nil {
		return failed(df.s, step, err)
	}
	return &DataFrame{s: df.s, node: n}
}

// fieldsNamed returns the indexes of the fields of s named name (any
// qualifier).
func fieldsNamed(s *arrow.Schema, name string) []int {
	var idx []int
	for i, f := range s.Fields() {
		if f.Name == name {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 { // a qualified name such as "f.metric"
		if i, err := expr.Resolve(s, &expr.Column{Name: name}); err == nil {
			idx = append(idx, i)
		}
	}
	return idx
}

// columnRef returns a reference that resolves to field i of s: the bare
// name when it is unique, else the name qualified by the field's qualifier.
// It fails with expr.ErrAmbiguousColumn when no reference can single the
// field out (two fields with the same qualifier and name).
func columnRef(s *arrow.Schema, i int) (expr.Expr, error) {
	f := s.Field(i)
	if j, err := expr.Resolve(s, &expr.Column{Name: f.Name}); err == nil && j == i {
		return &expr.Column{Name: f.Name}, nil
	}
	c := &expr.Column{Qualifier: expr.FieldQualifier(f), Name: f.Name}
	j, err := expr.Resolve(s, c)
	if err != nil {
		return nil, err
	}
	if j != i {
		return nil, fmt.Errorf("internal error: column %s resolves to field %d, not %d", c, j, i)
	}
	return c, nil
}

// columnRefs returns columnRef for every field of s.
func columnRefs(s *arrow.Schema) ([]expr.Expr, error) {
	out := make([]expr.Expr, s.NumFields())
	for i := range out {
		r, err := columnRef(s, i)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}
