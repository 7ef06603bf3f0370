package agg

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// newMinMaxAcc returns the MIN (isMax false) or MAX accumulator for values
// of type t: integers and the temporal types stored as integers, floats
// (NaN greatest), bool (false < true), strings and binaries (bytewise), and
// NULL (always NULL). The state of MIN and MAX is the value itself, so the
// same accumulator merges partial states.
func newMinMaxAcc(t arrow.DataType, isMax bool) (accumulator, error) {
	switch t.ID() {
	case arrow.INT8:
		return newNumMinMax[int8](t, isMax, math.MinInt8, math.MaxInt8), nil
	case arrow.INT16:
		return newNumMinMax[int16](t, isMax, math.MinInt16, math.MaxInt16), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return newNumMinMax[int32](t, isMax, math.MinInt32, math.MaxInt32), nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return newNumMinMax[int64](t, isMax, math.MinInt64, math.MaxInt64), nil
	case arrow.UINT8:
		return newNumMinMax[uint8](t, isMax, 0, math.MaxUint8), nil
	case arrow.UINT16:
		return newNumMinMax[uint16](t, isMax, 0, math.MaxUint16), nil
	case arrow.UINT32:
		return newNumMinMax[uint32](t, isMax, 0, math.MaxUint32), nil
	case arrow.UINT64:
		return newNumMinMax[uint64](t, isMax, 0, math.MaxUint64), nil
	case arrow.FLOAT32:
		return newNumMinMax(t, isMax, float32(math.Inf(-1)), float32(math.NaN())), nil
	case arrow.FLOAT64:
		return newNumMinMax(t, isMax, math.Inf(-1), math.NaN()), nil
	case arrow.BOOL:
		b := &boolMinMax{isMax: isMax}
		b.init = 1 // MIN starts at true, MAX at false
		if isMax {
			b.init = 0
		}
		return b, nil
	case arrow.STRING, arrow.BINARY:
		return &bytesMinMax[int32]{dt: t, isMax: isMax}, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return &bytesMinMax[int64]{dt: t, isMax: isMax}, nil
	case arrow.NULL:
		return nullAcc{}, nil
	}
	return nil, typeErr("order", t)
}

// numMinMax is MIN or MAX over a numeric or temporal column with Go type T.
type numMinMax[T number] struct {
	fixedAcc[T]
	fold func(acc []T, seen []bool, vals []T, rs rowSet)
}

// newNumMinMax builds a numMinMax whose new groups start at the identity of
// the fold: least for MAX, greatest for MIN.
func newNumMinMax[T number](dt arrow.DataType, isMax bool, least, greatest T) *numMinMax[T] {
	m := &numMinMax[T]{fixedAcc: fixedAcc[T]{dt: dt, init: greatest}, fold: foldMin[T]}
	if isMax {
		m.init, m.fold = least, foldMax[T]
	}
	return m
}

func (m *numMinMax[T]) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) > 0 {
		m.fold(m.vals, m.seen, fixedValues[T](arr), rs)
	}
	return nil
}

func (m *numMinMax[T]) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	return m.update(cols[0], rs, sc)
}

// boolMinMax is MIN (logical AND) or MAX (logical OR) over bools, kept as one
// byte per group and packed into a bitmap on output.
type boolMinMax struct {
	fixedAcc[uint8]
	isMax bool
}

func (b *boolMinMax) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) == 0 {
		return nil
	}
	bits, off := arr.Data().Buffers()[1].Bytes(), arr.Data().Offset()
	bit := func(i int) uint8 {
		r := off + i
		if rs.sel != nil {
			r = off + int(rs.sel[i])
		}
		return bits[r>>3] >> (r & 7) & 1
	}
	vals, seen := b.vals, b.seen
	for i, g := range rs.gids {
		if b.isMax {
			vals[g] |= bit(i)
		} else {
			vals[g] &= bit(i)
		}
		seen[g] = true
	}
	return nil
}

func (b *boolMinMax) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	return b.update(cols[0], rs, sc)
}

func (b *boolMinMax) result(mem memory.Allocator, from, to int) (arrow.Array, error) {
	buf := newBuffer(mem, (to-from+7)/8)
	bits := buf.Bytes()
	for i, v := range b.vals[from:to] {
		bits[i>>3] |= v << (i & 7)
	}
	valid, nulls := validityFrom(mem, b.seen[from:to])
	return makeArray(arrow.FixedWidthTypes.Boolean, to-from, nulls, valid, buf), nil
}

func (b *boolMinMax) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	return oneColumn(b.result(mem, from, to))
}
