package plan

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Project computes one output column per expression. Output names follow
// expr.Name (the alias, the column name, or the canonical text). A bare
// column keeps its input field, qualifier included; computed and renamed
// columns are nullable and unqualified.
//
// The projected expressions are returned by the Exprs method (a field of the
// same name would clash with it).
type Project struct {
	Input Node

	exprs  []expr.Expr
	schema *arrow.Schema
}

var _ Node = (*Project)(nil)

// NewProject checks exprs against input's schema. Aggregates are rejected
// (ErrInvalidPlan): they belong in an Aggregate.
func NewProject(input Node, exprs []expr.Expr) (*Project, error) {
	if err := checkArity("project", []Node{input}, 1); err != nil {
		return nil, err
	}
	in := input.Schema()
	p := &Project{Input: input, exprs: make([]expr.Expr, len(exprs))}
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		e, t, err := checkExpr("project", fmt.Sprintf("expression %d", i+1), e, in)
		if err != nil {
			return nil, err
		}
		p.exprs[i] = e
		fields[i] = outputField(e, t, in)
	}
	p.schema = arrow.NewSchema(fields, nil)
	return p, nil
}

// Schema is one field per expression.
func (p *Project) Schema() *arrow.Schema { return p.schema }

// Children is the input.
func (p *Project) Children() []Node { return []Node{p.Input} }

// WithChildren re-analyzes the expressions over a new input.
func (p *Project) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("project", ch, 1); err != nil {
		return nil, err
	}
	return NewProject(ch[0], p.exprs)
}

// Exprs returns the projected expressions.
func (p *Project) Exprs() []expr.Expr { return p.exprs }

// String is "Project: e1, e2, …".
func (p *Project) String() string { return "Project: " + joinExprs(p.exprs) }

func (*Project) isNode() {}
