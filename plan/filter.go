package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Filter keeps the rows of its input for which Pred is true; rows where it
// is false or NULL are dropped (SQL semantics).
type Filter struct {
	Input Node
	Pred  expr.Expr
}

var _ Node = (*Filter)(nil)

// NewFilter checks that pred is a boolean (or NULL) expression over input's
// schema with no aggregate (ErrInvalidPlan).
func NewFilter(input Node, pred expr.Expr) (*Filter, error) {
	if err := checkArity("filter", []Node{input}, 1); err != nil {
		return nil, err
	}
	pred, err := checkPredicate("filter", "predicate", pred, input.Schema())
	if err != nil {
		return nil, err
	}
	return &Filter{Input: input, Pred: pred}, nil
}

// Schema is the input's schema.
func (f *Filter) Schema() *arrow.Schema { return f.Input.Schema() }

// Children is the input.
func (f *Filter) Children() []Node { return []Node{f.Input} }

// WithChildren re-analyzes the predicate over a new input.
func (f *Filter) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("filter", ch, 1); err != nil {
		return nil, err
	}
	return NewFilter(ch[0], f.Pred)
}

// Exprs returns the predicate.
func (f *Filter) Exprs() []expr.Expr { return []expr.Expr{f.Pred} }

// String is "Filter: pred".
func (f *Filter) String() string { return "Filter: " + f.Pred.String() }

func (*Filter) isNode() {}
