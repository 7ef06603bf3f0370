package agg

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
)

// newSumAcc returns the SUM accumulator for argument type t: signed
// integers sum in int64 and unsigned in uint64 (overflow is an error
// wrapping expr.ErrOverflow), floats in float64. A NULL-typed argument sums
// to NULL as int64.
func newSumAcc(t arrow.DataType) (accumulator, error) {
	i64, u64, f64 := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float64
	switch t.ID() {
	case arrow.INT8:
		return newIntSum(i64, sumSigned[int8], sumSigned[int64]), nil
	case arrow.INT16:
		return newIntSum(i64, sumSigned[int16], sumSigned[int64]), nil
	case arrow.INT32:
		return newIntSum(i64, sumSigned[int32], sumSigned[int64]), nil
	case arrow.INT64, arrow.NULL:
		return newIntSum(i64, sumSigned[int64], sumSigned[int64]), nil
	case arrow.UINT8:
		return newIntSum(u64, sumUnsigned[uint8], sumUnsigned[uint64]), nil
	case arrow.UINT16:
		return newIntSum(u64, sumUnsigned[uint16], sumUnsigned[uint64]), nil
	case arrow.UINT32:
		return newIntSum(u64, sumUnsigned[uint32], sumUnsigned[uint64]), nil
	case arrow.UINT64:
		return newIntSum(u64, sumUnsigned[uint64], sumUnsigned[uint64]), nil
	case arrow.FLOAT32:
		return &floatSum[float32]{fixedAcc: fixedAcc[float64]{dt: f64}}, nil
	case arrow.FLOAT64:
		return &floatSum[float64]{fixedAcc: fixedAcc[float64]{dt: f64}}, nil
	}
	return nil, typeErr("sum", t)
}

// intSum is SUM over integers: T is the argument's Go type, A the sum's
// (int64 or uint64). add folds raw values, addState folds partial sums;
// both report overflow.
type intSum[T number, A int64 | uint64] struct {
	fixedAcc[A]
	add      func(sums []A, seen []bool, vals []T, rs rowSet) bool
	addState func(sums []A, seen []bool, vals []A, rs rowSet) bool
}

func newIntSum[T number, A int64 | uint64](dt arrow.DataType,
	add func([]A, []bool, []T, rowSet) bool, addState func([]A, []bool, []A, rowSet) bool) *intSum[T, A] {
	return &intSum[T, A]{fixedAcc: fixedAcc[A]{dt: dt}, add: add, addState: addState}
}

func (s *intSum[T, A]) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) > 0 && s.add(s.vals, s.seen, fixedValues[T](arr), rs) {
		return overflow(s.dt)
	}
	return nil
}

func (s *intSum[T, A]) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(cols[0], rs, sc)
	if len(rs.gids) > 0 && s.addState(s.vals, s.seen, fixedValues[A](cols[0]), rs) {
		return overflow(s.dt)
	}
	return nil
}

// overflow is the error of a sum leaving the range of its result type.
func overflow(dt arrow.DataType) error {
	return fmt.Errorf("sum: result out of %s range: %w", dt, expr.ErrOverflow)
}

// floatSum is SUM over float32 or float64, accumulated in float64.
type floatSum[T float] struct{ fixedAcc[float64] }

func (s *floatSum[T]) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) > 0 {
		sumFloat(s.vals, s.seen, fixedValues[T](arr), rs)
	}
	return nil
}

func (s *floatSum[T]) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(cols[0], rs, sc)
	if len(rs.gids) > 0 {
		sumFloat(s.vals, s.seen, fixedValues[float64](cols[0]), rs)
	}
	return nil
}

// newAvgAcc returns the AVG accumulator for a numeric (or NULL) argument.
func newAvgAcc(t arrow.DataType) (accumulator, error) {
	switch t.ID() {
	case arrow.INT8:
		return &avgAcc[int8]{}, nil
	case arrow.INT16:
		return &avgAcc[int16]{}, nil
	case arrow.INT32:
		return &avgAcc[int32]{}, nil
	case arrow.INT64, arrow.NULL:
		return &avgAcc[int64]{}, nil
	case arrow.UINT8:
		return &avgAcc[uint8]{}, nil
	case arrow.UINT16:
		return &avgAcc[uint16]{}, nil
	case arrow.UINT32:
		return &avgAcc[uint32]{}, nil
	case arrow.UINT64:
		return &avgAcc[uint64]{}, nil
	case arrow.FLOAT32:
		return &avgAcc[float32]{}, nil
	case arrow.FLOAT64:
		return &avgAcc[float64]{}, nil
	}
	return nil, typeErr("average", t)
}

// avgAcc is AVG: a float64 sum and a count per group. Its partial state is
// [sum float64 (NULL when the count is 0), count int64].
type avgAcc[T number] struct {
	sums   []float64
	counts []int64
}

func (a *avgAcc[T]) resize(n int) {
	a.sums = extend(a.sums, n, 0)
	a.counts = extend(a.counts, n, 0)
}

func (*avgAcc[T]) groupBytes() int64            { return 16 }
func (*avgAcc[T]) varBound([]arrow.Array) int64 { return 0 }
func (*avgAcc[T]) varBytes() int64              { return 0 }

func (a *avgAcc[T]) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) > 0 {
		sumCount(a.sums, a.counts, fixedValues[T](arr), rs)
	}
	return nil
}

func (a *avgAcc[T]) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	if sums := nonNull(cols[0], rs, sc); len(sums.gids) > 0 {
		addFloat(a.sums, fixedValues[float64](cols[0]), sums)
	}
	if counts := nonNull(cols[1], rs, sc); len(counts.gids) > 0 {
		addPlain(a.counts, fixedValues[int64](cols[1]), counts)
	}
	return nil
}

func (a *avgAcc[T]) result(mem memory.Allocator, from, to int) (arrow.Array, error) {
	buf := newBuffer(mem, (to-from)*8)
	out := viewAs[float64](buf.Bytes())
	for i, c := range a.counts[from:to] {
		if c > 0 {
			out[i] = a.sums[from+i] / float64(c)
		}
	}
	valid, nulls := countValidity(mem, a.counts[from:to])
	return makeArray(arrow.PrimitiveTypes.Float64, to-from, nulls, valid, buf), nil
}

func (a *avgAcc[T]) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	buf := newBuffer(mem, (to-from)*8)
	copy(viewAs[float64](buf.Bytes()), a.sums[from:to])
	valid, nulls := countValidity(mem, a.counts[from:to])
	sums := makeArray(arrow.PrimitiveTypes.Float64, to-from, nulls, valid, buf)
	counts := fixedArray[int64](mem, arrow.PrimitiveTypes.Int64, a.counts[from:to], nil)
	return []arrow.Array{sums, counts}, nil
}

// countValidity builds a validity bitmap that is valid where the count is
// positive, or returns nil when every count is.
func countValidity(mem memory.Allocator, counts []int64) (*memory.Buffer, int) {
	nulls := 0
	for _, c := range counts {
		if c == 0 {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, (len(counts)+7)/8)
	bits := buf.Bytes()
	for i, c := range counts {
		if c > 0 {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	return buf, nulls
}
