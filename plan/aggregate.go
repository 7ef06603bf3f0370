package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Aggregate groups its input by GroupBy and computes Aggs per group. The
// output has the group-by columns first, then one column per aggregate.
// Without GroupBy it is a global aggregate: exactly one output row, even over
// an empty input (COUNT 0, the other aggregates NULL).
//
// Group-by items are any expressions without aggregates, named by expr.Name
// (a bare column keeps its field and qualifier). Each aggregate item is an
// *expr.Agg, possibly under an *expr.Alias; its argument must not contain
// another aggregate. COUNT results are non-nullable, every other aggregate
// is nullable.
type Aggregate struct {
	Input   Node
	GroupBy []expr.Expr
	Aggs    []expr.Expr

	schema *arrow.Schema
}

var _ Node = (*Aggregate)(nil)

// NewAggregate checks the group-by and aggregate lists against input.
func NewAggregate(input Node, groupBy, aggs []expr.Expr) (*Aggregate, error) {
	if err := checkArity("aggregate", []Node{input}, 1); err != nil {
		return nil, err
	}
	if len(groupBy) == 0 && len(aggs) == 0 {
		return nil, invalidf("aggregate", "needs at least one group-by or aggregate expression")
	}
	in := input.Schema()
	a := &Aggregate{Input: input, GroupBy: make([]expr.Expr, len(groupBy)), Aggs: make([]expr.Expr, len(aggs))}
	fields := make([]arrow.Field, 0, len(groupBy)+len(aggs))
	for i, g := range groupBy {
		g, t, err := checkExpr("aggregate", fmt.Sprintf("group-by item %d", i+1), g, in)
		if err != nil {
			return nil, err
		}
		a.GroupBy[i] = g
		fields = append(fields, outputField(g, t, in))
	}
	for i, item := range aggs {
		f, err := checkAggItem(i, item, in)
		if err != nil {
			return nil, err
		}
		a.Aggs[i] = expr.Unwrap(item)
		fields = append(fields, f)
	}
	a.schema = arrow.NewSchema(fields, nil)
	return a, nil
}

// checkAggItem validates one aggregate item and returns its output field.
func checkAggItem(i int, item expr.Expr, in *arrow.Schema) (arrow.Field, error) {
	if item == nil {
		return arrow.Field{}, invalidf("aggregate", "aggregate item %d is nil", i+1)
	}
	agg, ok := AggOf(item)
	if !ok {
		return arrow.Field{}, invalidf("aggregate",
			"aggregate item %d (%s) is not an aggregate function call such as sum(x), optionally aliased", i+1, item)
	}
	if agg.Arg == nil && (agg.Func != expr.AggCount || agg.Distinct) {
		return arrow.Field{}, invalidf("aggregate", "aggregate item %d (%s) needs an argument", i+1, item)
	}
	if agg.Arg != nil {
		if err := noAgg("aggregate", "argument of "+agg.Func.String(), agg.Arg); err != nil {
			return arrow.Field{}, err
		}
	}
	t, err := agg.Type(in)
	if err != nil {
		return arrow.Field{}, fmt.Errorf("aggregate: %w", err)
	}
	return arrow.Field{Name: expr.Name(item), Type: t, Nullable: agg.Func != expr.AggCount}, nil
}

// AggOf returns the aggregate call of an aggregate item (an *expr.Agg under
// any number of aliases).
func AggOf(item expr.Expr) (*expr.Agg, bool) {
	a, ok := expr.StripAlias(item).(*expr.Agg)
	return a, ok
}

// Schema is the group-by columns followed by the aggregate columns.
func (a *Aggregate) Schema() *arrow.Schema { return a.schema }

// Children is the input.
func (a *Aggregate) Children() []Node { return []Node{a.Input} }

// WithChildren re-analyzes the aggregation over a new input.
func (a *Aggregate) WithChildren(ch []Node) (Node, error) {
	if err := checkArity("aggregate", ch, 1); err != nil {
		return nil, err
	}
	return NewAggregate(ch[0], a.GroupBy, a.Aggs)
}

// Exprs returns the group-by items followed by the aggregate items.
func (a *Aggregate) Exprs() []expr.Expr {
	return append(append(make([]expr.Expr, 0, len(a.GroupBy)+len(a.Aggs)), a.GroupBy...), a.Aggs...)
}

// String is "Aggregate: group=[…] aggs=[…]".
func (a *Aggregate) String() string {
	var sb strings.Builder
	sb.WriteString("Aggregate: group=[" + joinExprs(a.GroupBy) + "]")
	sb.WriteString(" aggs=[" + joinExprs(a.Aggs) + "]")
	return sb.String()
}

func (*Aggregate) isNode() {}
