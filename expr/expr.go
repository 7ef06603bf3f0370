package expr

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// Expr is an immutable expression node. The set of node types is sealed:
// *Column, *Literal, *Binary, *Unary, *In, *Case, *Cast, *Call, *Agg and
// *Alias. Nodes are built with the constructors of this package (Col, Lit,
// Sum, When, ...) and never change after construction.
//
// String returns the canonical text used by EXPLAIN, golden files and as the
// output name of an unaliased projected expression.
//
// Type derives the result type against an input schema. It returns an error
// wrapping ErrType, ErrUnknownColumn or ErrAmbiguousColumn when the
// expression does not fit the schema.
//
// WithChildren returns a copy with the children replaced (same count and
// order as Children); it never mutates the receiver. Evaluation lives in
// package exec, which compiles an Expr against a schema.
type Expr interface {
	fmt.Stringer
	Type(in *arrow.Schema) (arrow.DataType, error)
	Children() []Expr
	WithChildren(ch []Expr) Expr
	isExpr()
}

// E wraps an expression to give it builder methods, so users can write
// expr.Col("a").Add(expr.Lit(1)).Gt(expr.Lit(3)). E is itself an Expr;
// constructors unwrap it, so nodes never hold an E and a type switch over a
// node's children sees the concrete node types.
type E struct{ Expr }

// Unwrap returns the node inside e, or e itself when it is not an E.
func Unwrap(e Expr) Expr {
	for {
		w, ok := e.(E)
		if !ok {
			return e
		}
		e = w.Expr
	}
}

func unwrapAll(es []Expr) []Expr {
	out := make([]Expr, len(es))
	for i, e := range es {
		out[i] = Unwrap(e)
	}
	return out
}

func wrap(e Expr) E { return E{Expr: e} }

// Column references an input column by name, optionally qualified by the
// name of the relation it comes from (a table or DataFrame alias).
type Column struct {
	Qualifier string
	Name      string
}

// Col references a column. A name of the form "q.name" that does not match a
// column literally resolves as column name qualified by q.
func Col(name string) E { return wrap(&Column{Name: name}) }

// QualifiedCol references column name of relation qualifier.
func QualifiedCol(qualifier, name string) E {
	return wrap(&Column{Qualifier: qualifier, Name: name})
}

func (c *Column) String() string {
	if c.Qualifier != "" {
		return c.Qualifier + "." + c.Name
	}
	return c.Name
}

// Type returns the type of the referenced field.
func (c *Column) Type(in *arrow.Schema) (arrow.DataType, error) {
	i, err := Resolve(in, c)
	if err != nil {
		return nil, err
	}
	return in.Field(i).Type, nil
}

func (c *Column) Children() []Expr         { return nil }
func (c *Column) WithChildren([]Expr) Expr { return c }
func (*Column) isExpr()                    {}

// Alias names the result of an expression.
type Alias struct {
	Expr Expr
	Name string
}

func (a *Alias) String() string { return a.Expr.String() + " AS " + a.Name }

// Type is the type of the aliased expression.
func (a *Alias) Type(in *arrow.Schema) (arrow.DataType, error) { return a.Expr.Type(in) }
func (a *Alias) Children() []Expr                              { return []Expr{a.Expr} }
func (a *Alias) WithChildren(ch []Expr) Expr {
	mustArity("alias", ch, 1)
	return &Alias{Expr: Unwrap(ch[0]), Name: a.Name}
}
func (*Alias) isExpr() {}

// Name returns the output column name of an expression used in a projection
// or aggregation: the alias, the column name, or the canonical text.
func Name(e Expr) string {
	switch n := Unwrap(e).(type) {
	case *Alias:
		return n.Name
	case *Column:
		return n.Name
	default:
		return n.String()
	}
}

// StripAlias returns the expression under any aliases.
func StripAlias(e Expr) Expr {
	e = Unwrap(e)
	for {
		a, ok := e.(*Alias)
		if !ok {
			return e
		}
		e = a.Expr
	}
}

func mustArity(what string, ch []Expr, n int) {
	if len(ch) != n {
		panic(fmt.Sprintf("internal error: %s.WithChildren: got %d children, want %d", what, len(ch), n))
	}
}
