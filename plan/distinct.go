package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Distinct removes duplicate rows. Rows are equal when every column is
// equal, with NULL equal to NULL, NaN equal to NaN and -0 equal to +0 (the
// grouping semantics of Aggregate).
type Distinct struct {
	Input Node
}

var _ Node = (*Distinct)(nil)

// NewDistinct wraps input.
func NewDistinct(input Node) (*Distinct, error) {
	if err := checkArity("distinct", []Node{input}, 1); err != nil {
		return nil, err
	}
	return &Distinct{Input: input}, nil
}

// Schema is the input's schema.
func (d *Distinct) Schema() *arrow.Schema { return d.Input.Schema() }

// Children is the input.
func (d *Distinct) Children() []Node { return []Node{d.Input} }

// WithChildren returns a copy over a new input.
func (d *Distinct) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("distinct", ch, 1); err != nil {
		return nil, err
	}
	return NewDistinct(ch[0])
}

// Exprs is empty.
func (d *Distinct) Exprs() []expr.Expr { return nil }

// String is "Distinct".
func (d *Distinct) String() string { return "Distinct" }

func (*Distinct) isNode() {}
