package hashtable

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// bytesStore keeps the keys of a string or binary column the way Arrow does:
// one byte slice with every key back to back and an offsets slice, so group
// g is data[offs[g]:offs[g+1]]. It holds no per-key pointers, which keeps GC
// marking independent of the number of groups. O is the offset width of the
// column's arrays (int32 for string/binary, int64 for the large types); the
// store itself always uses int64 offsets.
type bytesStore[O int32 | int64] struct {
	offs []int64 // len = groups + 1
	data []byte
	gv   groupValidity
}

func newBytesStore[O int32 | int64](hint int) *bytesStore[O] {
	offs := make([]int64, 1, hint+1)
	return &bytesStore[O]{offs: offs}
}

// key returns the bytes of group g.
func (s *bytesStore[O]) key(g uint32) []byte { return s.data[s.offs[g]:s.offs[g+1]] }

// appendRows copies the bytes of rows; a null row stores an empty key.
func (s *bytesStore[O]) appendRows(arr arrow.Array, rows []int32) {
	offs, data := offsetsAndBytes[O](arr.Data())
	v := validityOf(arr)
	for _, r := range rows {
		if v.bits == nil || v.valid(int(r)) {
			s.data = append(s.data, data[offs[r]:offs[r+1]]...)
		}
		s.offs = append(s.offs, int64(len(s.data)))
	}
	s.gv.appendRows(v, rows)
}

// verify compares lengths and bytes (Go's string comparison, which beats
// hand-inlined word compares on keys of mixed lengths), with a null-aware
// loop only when either side has nulls.
func (s *bytesStore[O]) verify(arr arrow.Array, sel []int32, gids []uint32, ok []bool) {
	offs, data := offsetsAndBytes[O](arr.Data())
	v := validityOf(arr)
	ok = ok[:len(gids)]
	switch {
	case v.bits == nil && s.gv.nulls == 0 && sel == nil:
		for j, g := range gids {
			if string(data[offs[j]:offs[j+1]]) != string(s.key(g)) {
				ok[j] = false
			}
		}
	case v.bits == nil && s.gv.nulls == 0:
		for j, r := range sel[:len(gids)] {
			if string(data[offs[r]:offs[r+1]]) != string(s.key(gids[j])) {
				ok[j] = false
			}
		}
	default:
		for j, g := range gids {
			if !s.equalIn(offs, data, v, int(rowAt(sel, j)), g) {
				ok[j] = false
			}
		}
	}
}

func (s *bytesStore[O]) equal(arr arrow.Array, r int, g uint32) bool {
	offs, data := offsetsAndBytes[O](arr.Data())
	return s.equalIn(offs, data, validityOf(arr), r, g)
}

// equalIn compares row r (offsets offs into data, validity v) with group g.
func (s *bytesStore[O]) equalIn(offs []O, data []byte, v validity, r int, g uint32) bool {
	rowNull := v.bits != nil && !v.valid(r)
	if rowNull || s.gv.isNull(g) {
		return rowNull && s.gv.isNull(g)
	}
	return string(data[offs[r]:offs[r+1]]) == string(s.key(g))
}

// build copies the keys of groups from..to-1 with offsets rebased to zero,
// in the offset width of the column's type.
func (s *bytesStore[O]) build(mem memory.Allocator, dt arrow.DataType, from, to int) (arrow.Array, error) {
	base, end := s.offs[from], s.offs[to]
	var zero O
	width := int(unsafe.Sizeof(zero))
	if width == 4 && end-base > math.MaxInt32 {
		return nil, fmt.Errorf("%d bytes of %s keys in groups %d..%d: %w",
			end-base, dt, from, to-1, ErrKeysTooLarge)
	}
	obuf := newBuffer(mem, (to-from+1)*width)
	offs := castSlice[O](obuf.Bytes())
	for i, o := range s.offs[from : to+1] {
		offs[i] = O(o - base)
	}
	dbuf := newBuffer(mem, int(end-base))
	copy(dbuf.Bytes(), s.data[base:end])
	vbuf, nulls := s.gv.build(mem, from, to)
	return makeArray(dt, to-from, nulls, vbuf, obuf, dbuf), nil
}

func (s *bytesStore[O]) truncate(n int) {
	s.offs = s.offs[:n+1]
	s.data = s.data[:s.offs[n]]
	s.gv.truncate(n)
}

func (s *bytesStore[O]) bytes() int64 {
	return int64(cap(s.offs))*8 + int64(cap(s.data)) + s.gv.bytes()
}
