package agg

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
)

// accumulator holds the running state of one aggregate for every group, in
// columnar form: one Go slice per state component, indexed by group id.
// Updates are typed loops over (row, group id) pairs; the per-batch cost of
// calling through the interface is paid once per batch, never per row.
//
// The operator owns the group capacity: it reserves memory, then calls
// resize. Accumulators never grow by themselves, except for the value bytes
// of string and binary MIN/MAX, reported by varBound and varBytes.
type accumulator interface {
	// resize makes room for n groups (n never decreases) and initialises the
	// new ones to the empty state.
	resize(n int)
	// groupBytes is the state size of one group, in bytes.
	groupBytes() int64
	// varBound is an upper bound of the bytes an update (or merge) with
	// these input columns may add beyond the per-group state.
	varBound(cols []arrow.Array) int64
	// varBytes is the memory held beyond the per-group state.
	varBytes() int64
	// update folds raw input values (Single and Partial modes). arr is the
	// argument column, nil for count(*).
	update(arr arrow.Array, rs rowSet, sc *scratch) error
	// merge folds partial states (Final mode): cols are the aggregate's
	// state columns.
	merge(cols []arrow.Array, rs rowSet, sc *scratch) error
	// result returns the final values of groups from..to-1.
	result(mem memory.Allocator, from, to int) (arrow.Array, error)
	// state returns the partial-state columns of groups from..to-1.
	state(mem memory.Allocator, from, to int) ([]arrow.Array, error)
}

// newAccumulator builds the accumulator of a. t is the argument type in
// Single and Partial modes (nil for count(*)) and the type of the first
// state column in Final mode; Final accumulators are built as if their
// input were the state type, since merging a sum, min or max state is the
// same fold as aggregating raw values of that type.
func newAccumulator(a AggSpec, t arrow.DataType) (accumulator, error) {
	switch a.Func {
	case expr.AggCount:
		return &countAcc{star: t == nil}, nil
	case expr.AggSum:
		return newSumAcc(t)
	case expr.AggAvg:
		return newAvgAcc(t)
	case expr.AggMin, expr.AggMax:
		return newMinMaxAcc(t, a.Func == expr.AggMax)
	}
	return nil, fmt.Errorf("function %d: %w", a.Func, ErrInvalidSpec)
}

// typeErr reports an argument type an aggregate does not support.
func typeErr(what string, t arrow.DataType) error {
	return fmt.Errorf("cannot %s %s: %w", what, t, expr.ErrType)
}

// fixedAcc is the common part of accumulators with one fixed-width value per
// group and a flag telling whether the group saw a non-NULL value.
type fixedAcc[A any] struct {
	vals []A
	seen []bool
	init A              // value of a new group
	dt   arrow.DataType // type of the result and state column
}

func (f *fixedAcc[A]) resize(n int) {
	f.vals = extend(f.vals, n, f.init)
	f.seen = extend(f.seen, n, false)
}

func (f *fixedAcc[A]) groupBytes() int64 {
	var zero A
	return int64(sizeOf(zero)) + 1
}

func (*fixedAcc[A]) varBound([]arrow.Array) int64 { return 0 }
func (*fixedAcc[A]) varBytes() int64              { return 0 }

func (f *fixedAcc[A]) result(mem memory.Allocator, from, to int) (arrow.Array, error) {
	return fixedArray(mem, f.dt, f.vals[from:to], f.seen[from:to]), nil
}

func (f *fixedAcc[A]) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	return oneColumn(f.result(mem, from, to))
}

// oneColumn turns the result of a one-column state into a state.
func oneColumn(a arrow.Array, err error) ([]arrow.Array, error) {
	if err != nil {
		return nil, err
	}
	return []arrow.Array{a}, nil
}

// countAcc is COUNT(x) and COUNT(*); its state is the count itself.
type countAcc struct {
	counts []int64
	star   bool
}

func (c *countAcc) resize(n int)               { c.counts = extend(c.counts, n, 0) }
func (*countAcc) groupBytes() int64            { return 8 }
func (*countAcc) varBound([]arrow.Array) int64 { return 0 }
func (*countAcc) varBytes() int64              { return 0 }
func (c *countAcc) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	return oneColumn(c.result(mem, from, to))
}

func (c *countAcc) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	if !c.star {
		rs = nonNull(arr, rs, sc)
	}
	countRows(c.counts, rs.gids)
	return nil
}

func (c *countAcc) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(cols[0], rs, sc)
	addPlain(c.counts, fixedValues[int64](cols[0]), rs)
	return nil
}

func (c *countAcc) result(mem memory.Allocator, from, to int) (arrow.Array, error) {
	return fixedArray[int64](mem, arrow.PrimitiveTypes.Int64, c.counts[from:to], nil), nil
}

// nullAcc is MIN or MAX over a NULL-typed argument: every result is NULL.
type nullAcc struct{}

func (nullAcc) resize(int)                                  {}
func (nullAcc) groupBytes() int64                           { return 0 }
func (nullAcc) varBound([]arrow.Array) int64                { return 0 }
func (nullAcc) varBytes() int64                             { return 0 }
func (nullAcc) update(arrow.Array, rowSet, *scratch) error  { return nil }
func (nullAcc) merge([]arrow.Array, rowSet, *scratch) error { return nil }
func (nullAcc) result(_ memory.Allocator, from, to int) (arrow.Array, error) {
	return array.NewNull(to - from), nil
}
func (n nullAcc) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	return oneColumn(n.result(mem, from, to))
}
