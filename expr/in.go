package expr

import (
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// In tests membership of Expr in List with SQL semantics: NULL when Expr is
// NULL, or when no item matches and some item is NULL. Negated gives NOT IN.
type In struct {
	Expr    Expr
	List    []Expr
	Negated bool
}

func (n *In) String() string {
	items := make([]string, len(n.List))
	for i, e := range n.List {
		items[i] = e.String()
	}
	kw := " IN ("
	if n.Negated {
		kw = " NOT IN ("
	}
	return operand(n.Expr) + kw + strings.Join(items, ", ") + ")"
}

func (n *In) Children() []Expr { return append([]Expr{n.Expr}, n.List...) }
func (n *In) WithChildren(ch []Expr) Expr {
	mustArity("in", ch, 1+len(n.List))
	ch = unwrapAll(ch)
	return &In{Expr: ch[0], List: ch[1:], Negated: n.Negated}
}
func (*In) isExpr() {}

// Type is boolean when every item has a common type with Expr.
func (n *In) Type(in *arrow.Schema) (arrow.DataType, error) {
	t, err := n.Expr.Type(in)
	if err != nil {
		return nil, err
	}
	for _, item := range n.List {
		it, err := item.Type(in)
		if err != nil {
			return nil, err
		}
		if _, ok := CommonType(t, it); !ok {
			return nil, typeErr(n, "cannot compare %s with list item %s of type %s", t, item, it)
		}
	}
	return arrow.FixedWidthTypes.Boolean, nil
}
