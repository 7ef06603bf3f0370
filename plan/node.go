package plan

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// Node is an immutable logical plan node. The set of node types is sealed:
// *Scan, *Project, *Filter, *Aggregate, *Join, *Sort, *Limit, *Distinct and
// *Union. Nodes are built with their New* constructors, which validate them
// (see the package documentation); the exported fields are read-only.
type Node interface {
	// Schema is the output schema, computed once at construction.
	Schema() *arrow.Schema
	// Children are the input nodes, in a fixed order per kind.
	Children() []Node
	// WithChildren returns a copy with the inputs replaced. It checks the
	// number of children (ErrInvalidPlan), validates the node's expressions
	// against the new inputs and recomputes the schema. It never mutates the
	// receiver.
	WithChildren(ch []Node) (Node, error)
	// Exprs lists the expressions the node owns, for pruning and pushdown.
	Exprs() []expr.Expr
	// String describes the node on one line, e.g. "Filter: a > 3".
	String() string
	isNode()
}

// ErrInvalidPlan reports a structurally invalid plan: an aggregate where none
// is allowed, a wrong number of children, an out-of-range column index, a
// negative offset and the like. Unknown columns and type mismatches wrap the
// expr sentinels instead.
var ErrInvalidPlan = errors.New("invalid plan")

// invalidf returns an error wrapping ErrInvalidPlan with the node kind as
// context: "filter: invalid plan: …".
func invalidf(node, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", node, ErrInvalidPlan, fmt.Sprintf(format, args...))
}

// checkArity returns ErrInvalidPlan unless ch has n nodes, none nil.
func checkArity(node string, ch []Node, n int) error {
	if len(ch) != n {
		return invalidf(node, "got %d children, want %d", len(ch), n)
	}
	for i, c := range ch {
		if c == nil {
			return invalidf(node, "child %d is nil", i)
		}
	}
	return nil
}

// noAgg rejects an expression that contains an aggregate call.
func noAgg(node, what string, e expr.Expr) error {
	if expr.ContainsAgg(e) {
		return invalidf(node, "%s %s contains an aggregate; aggregates belong in an Aggregate node", what, e)
	}
	return nil
}

// checkExpr unwraps e, rejects nil expressions and aggregates, and derives
// its type over in.
func checkExpr(node, what string, e expr.Expr, in *arrow.Schema) (expr.Expr, arrow.DataType, error) {
	if e == nil {
		return nil, nil, invalidf(node, "%s is nil", what)
	}
	e = expr.Unwrap(e)
	if err := noAgg(node, what, e); err != nil {
		return nil, nil, err
	}
	t, err := e.Type(in)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", node, err)
	}
	return e, t, nil
}

// checkPredicate checks that pred is a boolean (or NULL) expression over in
// without aggregates.
func checkPredicate(node, what string, pred expr.Expr, in *arrow.Schema) (expr.Expr, error) {
	pred, t, err := checkExpr(node, what, pred, in)
	if err != nil {
		return nil, err
	}
	if t.ID() != arrow.BOOL && !expr.IsNullType(t) {
		return nil, fmt.Errorf("%s: %w", node, &expr.TypeError{
			Expr: pred.String(), Msg: fmt.Sprintf("%s must be boolean, got %s", what, t)})
	}
	return pred, nil
}

// outputField is the field a projected or grouped expression produces: a
// bare column keeps its input field (name, nullability, qualifier and other
// metadata); anything else is a nullable field named expr.Name(e) without a
// qualifier.
func outputField(e expr.Expr, t arrow.DataType, in *arrow.Schema) arrow.Field {
	if c, ok := e.(*expr.Column); ok {
		if i, err := expr.Resolve(in, c); err == nil {
			return in.Field(i)
		}
	}
	return arrow.Field{Name: expr.Name(e), Type: t, Nullable: true}
}
