package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// SortKey is one ordering term of a Sort.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool // descending order
	NullsFirst bool // NULLs before every value (else after)
}

// Asc orders by e ascending with NULLs first, as Spark does by default.
func Asc(e expr.Expr) SortKey { return SortKey{Expr: expr.Unwrap(e), NullsFirst: true} }

// Desc orders by e descending with NULLs last, as Spark does by default.
func Desc(e expr.Expr) SortKey { return SortKey{Expr: expr.Unwrap(e), Desc: true} }

// String is "e ASC|DESC NULLS FIRST|LAST".
func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	} else {
		s += " ASC"
	}
	if k.NullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

// Sort orders its input by Keys, the first key most significant. Rows equal
// on every key keep no particular order. NaN sorts after every other float
// value and -0 equals +0.
type Sort struct {
	Input Node
	Keys  []SortKey
}

var _ Node = (*Sort)(nil)

// NewSort checks that there is at least one key and that every key is an
// orderable expression over input without aggregates.
func NewSort(input Node, keys []SortKey) (*Sort, error) {
	if err := checkArity("sort", []Node{input}, 1); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, invalidf("sort", "needs at least one key")
	}
	s := &Sort{Input: input, Keys: make([]SortKey, len(keys))}
	for i, k := range keys {
		e, t, err := checkExpr("sort", fmt.Sprintf("key %d", i+1), k.Expr, input.Schema())
		if err != nil {
			return nil, err
		}
		if !expr.IsOrderable(t) {
			return nil, fmt.Errorf("sort: %w", &expr.TypeError{
				Expr: e.String(), Msg: fmt.Sprintf("sort key of type %s has no order", t)})
		}
		k.Expr = e
		s.Keys[i] = k
	}
	return s, nil
}

// Schema is the input's schema.
func (s *Sort) Schema() *arrow.Schema { return s.Input.Schema() }

// Children is the input.
func (s *Sort) Children() []Node { return []Node{s.Input} }

// WithChildren re-analyzes the keys over a new input.
func (s *Sort) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("sort", ch, 1); err != nil {
		return nil, err
	}
	return NewSort(ch[0], s.Keys)
}

// Exprs returns the key expressions in order.
func (s *Sort) Exprs() []expr.Expr {
	out := make([]expr.Expr, len(s.Keys))
	for i, k := range s.Keys {
		out[i] = k.Expr
	}
	return out
}

// String is "Sort: k1 ASC NULLS FIRST, …".
func (s *Sort) String() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		parts[i] = k.String()
	}
	return "Sort: " + strings.Join(parts, ", ")
}

func (*Sort) isNode() {}
