package eval

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// node is one compiled expression node. eval computes the node for the
// rows in sel (all ec.n rows when sel is nil; never empty, see evalNode)
// and returns a vec owned by the node, valid until the node is evaluated
// again. A node is evaluated at most once per Evaluator.Eval, except
// through sharedNode, which caches.
type node interface {
	eval(ec *evalCtx, sel []int32) (*vec, error)
	info() *base
}

// base holds what every node knows about itself.
type base struct {
	t    arrow.DataType // result type
	p    phys           // result representation
	text string         // canonical text of the expression, for errors
	// root is set on the node whose result becomes the Evaluator's
	// output; it allocates its fixed-width values from the query
	// allocator so the result needs no copy.
	root bool
	vals scratch // values when not root
}

// info returns the node's common fields.
func (b *base) info() *base { return b }

// fail wraps a run-time error with the expression's text.
func (b *base) fail(err error) error {
	return fmt.Errorf("evaluate %s: %w", b.text, err)
}

// outValues returns a buffer for the node's fixed-width result: one value
// for a scalar, else ec.n values. It is node scratch, or for a vector
// result of the root node a buffer from the query allocator (to be stored
// in the result vec's owned field by the caller).
func (b *base) outValues(ec *evalCtx, scalar bool) ([]byte, *memory.Buffer) {
	n := ec.n
	if scalar {
		n = 1
	}
	size := n * b.p.width()
	if b.root && !scalar && b.p != pBool {
		if ec.owned != nil {
			ec.owned.Release()
		}
		buf := memory.NewResizableBuffer(ec.mem)
		buf.Resize(size)
		ec.owned = buf
		return buf.Bytes(), buf
	}
	return b.vals.bytes(size), nil
}

// evalCtx is the state of one Evaluator.Eval call.
type evalCtx struct {
	rec   arrow.Record
	n     int // physical rows
	mem   memory.Allocator
	owned *memory.Buffer // the root's value buffer, until handed to the result
}

// evalNode evaluates nd on sel, returning a NULL scalar without evaluating
// anything when no row is live: a node is never run, and so never fails,
// on zero rows.
func evalNode(ec *evalCtx, nd node, sel []int32) (*vec, error) {
	if live(sel, ec.n) == 0 {
		return nullScalar, nil
	}
	return nd.eval(ec, sel)
}

// sharedNode evaluates its input once and hands the same result to several
// parents (the probe value of IN, compared with every item). Its owner
// calls reset before each evaluation, since the owner itself may run more
// than once per Eval on different rows (an AND filter falling back).
type sharedNode struct {
	in     node
	cached bool
	v      *vec
	err    error
}

// reset forgets the cached result.
func (s *sharedNode) reset() { s.cached = false }

// info returns the shared node's fields.
func (s *sharedNode) info() *base { return s.in.info() }

// eval evaluates the input on the first call of each Eval.
func (s *sharedNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	if !s.cached {
		s.cached = true
		s.v, s.err = evalNode(ec, s.in, sel)
	}
	return s.v, s.err
}
