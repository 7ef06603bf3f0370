package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Union concatenates the rows of its inputs (UNION ALL; a distinct union is
// a Distinct over a Union). Inputs are matched by position.
//
// Each output column has the common type (expr.CommonType) of that column in
// every input; its name, qualifier and other metadata come from the first
// input, and it is nullable when any input's column is. The logical node does
// not cast: the physical planner casts every branch column whose type differs
// from the output type, as CastColumns reports.
type Union struct {
	Inputs []Node

	schema *arrow.Schema
}

var _ Node = (*Union)(nil)

// NewUnion checks that there is at least one input, that every input has
// the same number of columns as the first (ErrInvalidPlan) and that each
// column's types have a common type (expr.ErrType).
func NewUnion(inputs ...Node) (*Union, error) {
	if len(inputs) == 0 {
		return nil, invalidf("union", "needs at least one input")
	}
	if err := checkArity("union", inputs, len(inputs)); err != nil {
		return nil, err
	}
	fields := inputs[0].Schema().Fields()
	for i, in := range inputs[1:] {
		s := in.Schema()
		if s.NumFields() != len(fields) {
			return nil, invalidf("union", "input %d has %d columns, input 1 has %d", i+2, s.NumFields(), len(fields))
		}
		for c, f := range s.Fields() {
			t, ok := expr.CommonType(fields[c].Type, f.Type)
			if !ok {
				return nil, fmt.Errorf("union: %w", &expr.TypeError{
					Expr: fields[c].Name,
					Msg: fmt.Sprintf("column %d is %s in input 1 and %s in input %d, with no common type",
						c+1, fields[c].Type, f.Type, i+2),
				})
			}
			fields[c].Type = t
			fields[c].Nullable = fields[c].Nullable || f.Nullable
		}
	}
	return &Union{Inputs: append([]Node(nil), inputs...), schema: arrow.NewSchema(fields, nil)}, nil
}

// CastColumns returns the indexes of the columns of input i whose type
// differs from the output type, in increasing order; the physical planner
// casts them.
func (u *Union) CastColumns(i int) []int {
	var out []int
	in := u.Inputs[i].Schema()
	for c, f := range u.schema.Fields() {
		if !arrow.TypeEqual(in.Field(c).Type, f.Type) {
			out = append(out, c)
		}
	}
	return out
}

// Schema is the first input's fields with promoted types.
func (u *Union) Schema() *arrow.Schema { return u.schema }

// Children are the inputs in order.
func (u *Union) Children() []Node { return u.Inputs }

// WithChildren re-analyzes the union over new inputs; their number must not
// change.
func (u *Union) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("union", ch, len(u.Inputs)); err != nil {
		return nil, err
	}
	return NewUnion(ch...)
}

// Exprs is empty.
func (u *Union) Exprs() []expr.Expr { return nil }

// String is "Union" or, when some input needs casts, "Union: cast=[col: type, …]".
func (u *Union) String() string {
	var casts []string
	for c, f := range u.schema.Fields() {
		for i := range u.Inputs {
			if !arrow.TypeEqual(u.Inputs[i].Schema().Field(c).Type, f.Type) {
				casts = append(casts, f.Name+": "+f.Type.String())
				break
			}
		}
	}
	if len(casts) == 0 {
		return "Union"
	}
	return "Union: cast=[" + strings.Join(casts, ", ") + "]"
}

func (*Union) isNode() {}
