package hashtable

import (
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// fixedStore keeps the keys of a fixed-width column as a plain []T, exactly
// as first seen (so -0.0 or a NaN payload survive into Keys), plus validity.
type fixedStore[T fixed] struct {
	vals []T
	gv   groupValidity
}

func newFixedStore[T fixed](hint int) *fixedStore[T] {
	return &fixedStore[T]{vals: make([]T, 0, hint)}
}

// same is key equality for fixed-width values: == (so -0 equals +0), plus
// NaN equals NaN. For integers a != a is false and folds away.
func same[T fixed](a, b T) bool { return a == b || (a != a && b != b) }

// appendRows copies the values of rows; null rows store zero.
func (s *fixedStore[T]) appendRows(arr arrow.Array, rows []int32) {
	vals := fixedValues[T](arr.Data())
	v := validityOf(arr)
	for _, r := range rows {
		x := vals[r]
		if v.bits != nil && !v.valid(int(r)) {
			x = 0 // deterministic value under a null
		}
		s.vals = append(s.vals, x)
	}
	s.gv.appendRows(v, rows)
}

// verify has tight loops for the common case of no nulls on either side,
// and falls back to null-aware comparisons otherwise.
func (s *fixedStore[T]) verify(arr arrow.Array, sel []int32, gids []uint32, ok []bool) {
	vals := fixedValues[T](arr.Data())
	v := validityOf(arr)
	ok = ok[:len(gids)]
	switch {
	case v.bits == nil && s.gv.nulls == 0 && sel == nil:
		for j, g := range gids {
			if !same(vals[j], s.vals[g]) {
				ok[j] = false
			}
		}
	case v.bits == nil && s.gv.nulls == 0:
		for j, r := range sel[:len(gids)] {
			if !same(vals[r], s.vals[gids[j]]) {
				ok[j] = false
			}
		}
	default:
		for j, g := range gids {
			if !s.equalIn(vals, v, int(rowAt(sel, j)), g) {
				ok[j] = false
			}
		}
	}
}

// equal is verify for a single row.
func (s *fixedStore[T]) equal(arr arrow.Array, r int, g uint32) bool {
	return s.equalIn(fixedValues[T](arr.Data()), validityOf(arr), r, g)
}

// equalIn compares row r (values vals, validity v) with group g.
func (s *fixedStore[T]) equalIn(vals []T, v validity, r int, g uint32) bool {
	rowNull := v.bits != nil && !v.valid(r)
	if rowNull || s.gv.isNull(g) {
		return rowNull && s.gv.isNull(g)
	}
	return same(vals[r], s.vals[g])
}

// build copies the values into a new buffer: the store keeps growing after
// Keys, so the arrays cannot share its memory.
func (s *fixedStore[T]) build(mem memory.Allocator, dt arrow.DataType, from, to int) (arrow.Array, error) {
	var zero T
	width := int(unsafe.Sizeof(zero))
	vals := s.vals[from:to]
	buf := newBuffer(mem, len(vals)*width)
	copy(castSlice[T](buf.Bytes()), vals)
	vbuf, nulls := s.gv.build(mem, from, to)
	return makeArray(dt, len(vals), nulls, vbuf, buf), nil
}

func (s *fixedStore[T]) truncate(n int) {
	s.vals = s.vals[:n]
	s.gv.truncate(n)
}

func (s *fixedStore[T]) bytes() int64 {
	var zero T
	return int64(cap(s.vals))*int64(unsafe.Sizeof(zero)) + s.gv.bytes()
}

// boolStore keeps the keys of a bool column as a bitmap, as Arrow does.
type boolStore struct {
	bits []byte
	n    int
	gv   groupValidity
}

// boolAt returns the value of logical row r of a bool array's values bitmap.
func boolAt(bits []byte, off, r int) bool { return bitutil.BitIsSet(bits, off+r) }

// boolValues returns the values bitmap and offset of a bool array.
func boolValues(arr arrow.Array) ([]byte, int) {
	d := arr.Data()
	if d.Len() == 0 {
		return nil, 0
	}
	return d.Buffers()[1].Bytes(), d.Offset()
}

// appendRows packs the values of rows into the bitmap; null rows store false.
func (s *boolStore) appendRows(arr arrow.Array, rows []int32) {
	bits, off := boolValues(arr)
	v := validityOf(arr)
	for _, r := range rows {
		if s.n%8 == 0 {
			s.bits = append(s.bits, 0)
		}
		x := boolAt(bits, off, int(r)) && (v.bits == nil || v.valid(int(r)))
		bitutil.SetBitTo(s.bits, s.n, x)
		s.n++
	}
	s.gv.appendRows(v, rows)
}

// verify compares row by row: bool keys have at most three groups, so this
// path is never hot.
func (s *boolStore) verify(arr arrow.Array, sel []int32, gids []uint32, ok []bool) {
	for j, g := range gids {
		if !s.equal(arr, int(rowAt(sel, j)), g) {
			ok[j] = false
		}
	}
}

func (s *boolStore) equal(arr arrow.Array, r int, g uint32) bool {
	v := validityOf(arr)
	rowNull := v.bits != nil && !v.valid(r)
	if rowNull || s.gv.isNull(g) {
		return rowNull && s.gv.isNull(g)
	}
	bits, off := boolValues(arr)
	return boolAt(bits, off, r) == bitutil.BitIsSet(s.bits, int(g))
}

func (s *boolStore) build(mem memory.Allocator, dt arrow.DataType, from, to int) (arrow.Array, error) {
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(to-from))))
	bitutil.CopyBitmap(s.bits, from, to-from, buf.Bytes(), 0)
	vbuf, nulls := s.gv.build(mem, from, to)
	return makeArray(dt, to-from, nulls, vbuf, buf), nil
}

func (s *boolStore) truncate(n int) {
	s.n = n
	s.bits = s.bits[:bitutil.BytesForBits(int64(n))]
	s.gv.truncate(n)
}

func (s *boolStore) bytes() int64 { return int64(cap(s.bits)) + s.gv.bytes() }
