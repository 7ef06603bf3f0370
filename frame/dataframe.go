package frame

import (
	"errors"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// DataFrame is a lazy, immutable query: a logical plan over the tables of a
// Session. Transformations (Select, Filter, Join, GroupBy…) return a new
// DataFrame and never change the receiver, so a DataFrame can be reused and
// shared between goroutines. Nothing runs until an action (Collect, Count,
// Show, Stream…).
//
// A transformation that cannot be analyzed (an unknown column, a type
// mismatch…) does not panic and does not return an error: the DataFrame it
// returns carries a *StepError naming the failed step, later transformations
// pass it along unchanged, and every action returns it. Err reports it
// early.
type DataFrame struct {
	s        *Session
	node     plan.Node // nil when err != nil
	err      error
	disabled []string // optimizer rules disabled for this query
	hint     string   // join strategy hint for joins this DataFrame is a side of
}

// failed returns a DataFrame carrying err as the error of step. An error
// that already names a step (a *StepError) is kept as it is.
func failed(s *Session, step string, err error) *DataFrame {
	var se *StepError
	if !errors.As(err, &se) {
		se = &StepError{Step: step, Err: err}
	}
	return &DataFrame{s: s, err: se}
}

// Err returns the error of the step that failed, or nil.
func (df *DataFrame) Err() error { return df.err }

// Session returns the session df belongs to.
func (df *DataFrame) Session() *Session { return df.s }

// derive applies a plan-building step to df. It passes a previous error
// along and otherwise checks exprs against df's schema first, so that column
// and type errors name the expression without the plan node's prefix, then
// calls build.
func (df *DataFrame) derive(step string, exprs []expr.Expr, build func(plan.Node) (plan.Node, error)) *DataFrame {
	if df.err != nil {
		return &DataFrame{s: df.s, err: df.err}
	}
	if err := checkExprs(df.node.Schema(), exprs); err != nil {
		return failed(df.s, step, err)
	}
	n, err := build(df.node)
	if err != nil {
		return failed(df.s, step, err)
	}
	return &DataFrame{s: df.s, node: n}
}

// checkExprs derives the type of each expression over s and returns the
// first column or type error.
func checkExprs(s *arrow.Schema, exprs []expr.Expr) error {
	for _, e := range exprs {
		if e == nil {
			return invalidInput("nil expression")
		}
		if _, err := e.Type(s); err != nil {
			return err
		}
	}
	return nil
}

// exprList renders expressions separated by ", " for step names.
func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		if e == nil {
			parts[i] = "<nil>"
			continue
		}
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// unwrapAll returns the expressions without their builder wrappers.
func unwrapAll(es []expr.Expr) []expr.Expr {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		if e != nil {
			out[i] = expr.Unwrap(e)
		}
	}
	return out
}
