package agg

import (
	"bytes"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// span locates one group's current value in a bytesMinMax arena.
type span struct{ off, n int64 }

// compactMin is the arena size below which garbage is never compacted.
const compactMin = 1 << 16

// bytesMinMax is MIN or MAX over string or binary values (offsets of type
// O), compared bytewise. Each group's current value lives in one shared
// arena, located by a span, so the state holds no per-group pointers and GC
// marking does not grow with the number of groups. A replacement no longer
// than the old value overwrites it in place; a longer one is appended and
// the old bytes become garbage, compacted away once garbage exceeds the live
// bytes.
type bytesMinMax[O int32 | int64] struct {
	dt      arrow.DataType
	isMax   bool
	spans   []span
	seen    []bool
	arena   []byte
	garbage int64
}

func (b *bytesMinMax[O]) resize(n int) {
	b.spans = extend(b.spans, n, span{})
	b.seen = extend(b.seen, n, false)
}

func (*bytesMinMax[O]) groupBytes() int64 { return 17 }
func (b *bytesMinMax[O]) varBytes() int64 { return int64(cap(b.arena)) }

// varBound is the arena growth the next update may cause: it makes room for
// every value byte of the batch at once (see reserveArena).
func (b *bytesMinMax[O]) varBound(cols []arrow.Array) int64 {
	need := int64(len(b.arena)) + valueBytes[O](cols[0])
	if need <= int64(cap(b.arena)) {
		return 0
	}
	return max(need, 2*int64(cap(b.arena))) - int64(cap(b.arena))
}

// reserveArena grows the arena's capacity as varBound predicted, so that
// appends during the update never reallocate.
func (b *bytesMinMax[O]) reserveArena(arr arrow.Array) {
	if grow := b.varBound([]arrow.Array{arr}); grow > 0 {
		a := make([]byte, len(b.arena), int64(cap(b.arena))+grow)
		copy(a, b.arena)
		b.arena = a
	}
}

// valueBytes is the number of value bytes in the logical range of a string
// or binary array with offsets of type O.
func valueBytes[O int32 | int64](arr arrow.Array) int64 {
	d := arr.Data()
	if d.Len() == 0 || d.Buffers()[1] == nil {
		return 0
	}
	offs := viewAs[O](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	return int64(offs[len(offs)-1] - offs[0])
}

func (b *bytesMinMax[O]) update(arr arrow.Array, rs rowSet, sc *scratch) error {
	rs = nonNull(arr, rs, sc)
	if len(rs.gids) == 0 {
		return nil
	}
	b.reserveArena(arr)
	d := arr.Data()
	offs := viewAs[O](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	var data []byte
	if buf := d.Buffers()[2]; buf != nil {
		data = buf.Bytes()
	}
	want := -1 // MIN replaces when the new value compares lower
	if b.isMax {
		want = 1
	}
	for i, g := range rs.gids {
		r := i
		if rs.sel != nil {
			r = int(rs.sel[i])
		}
		v := data[offs[r]:offs[r+1]]
		sp := b.spans[g]
		if b.seen[g] && bytes.Compare(v, b.arena[sp.off:sp.off+sp.n]) != want {
			continue
		}
		b.replace(g, v)
	}
	b.compact()
	return nil
}

// replace makes v the value of group g.
func (b *bytesMinMax[O]) replace(g uint32, v []byte) {
	sp := &b.spans[g]
	n := int64(len(v))
	switch {
	case !b.seen[g]:
		sp.off = int64(len(b.arena))
		b.arena = append(b.arena, v...)
		b.seen[g] = true
	case n <= sp.n:
		copy(b.arena[sp.off:], v)
		b.garbage += sp.n - n
	default:
		b.garbage += sp.n
		sp.off = int64(len(b.arena))
		b.arena = append(b.arena, v...)
	}
	sp.n = n
}

// compact rewrites the arena without garbage once garbage exceeds the live
// bytes. The new arena is smaller than the old one, so compaction never
// needs more memory than the reservation already covers.
func (b *bytesMinMax[O]) compact() {
	live := int64(len(b.arena)) - b.garbage
	if len(b.arena) < compactMin || b.garbage <= live {
		return
	}
	a := make([]byte, 0, live)
	for g := range b.spans {
		if b.seen[g] {
			sp := &b.spans[g]
			off := int64(len(a))
			a = append(a, b.arena[sp.off:sp.off+sp.n]...)
			sp.off = off
		}
	}
	b.arena, b.garbage = a, 0
}

func (b *bytesMinMax[O]) merge(cols []arrow.Array, rs rowSet, sc *scratch) error {
	return b.update(cols[0], rs, sc)
}

func (b *bytesMinMax[O]) result(mem memory.Allocator, from, to int) (arrow.Array, error) {
	var total int64
	for _, sp := range b.spans[from:to] {
		total += sp.n
	}
	var zero O
	if sizeOf(zero) == 4 && total > math.MaxInt32 {
		return nil, fmt.Errorf("%s values of %d groups take %d bytes: %w", b.dt, to-from, total, ErrResultTooLarge)
	}
	obuf := newBuffer(mem, (to-from+1)*int(sizeOf(zero)))
	offs := viewAs[O](obuf.Bytes())
	dbuf := newBuffer(mem, int(total))
	data := dbuf.Bytes()
	pos := 0
	for i, sp := range b.spans[from:to] {
		offs[i] = O(pos)
		if b.seen[from+i] {
			pos += copy(data[pos:], b.arena[sp.off:sp.off+sp.n])
		}
	}
	offs[to-from] = O(pos)
	valid, nulls := validityFrom(mem, b.seen[from:to])
	return makeArray(b.dt, to-from, nulls, valid, obuf, dbuf), nil
}

func (b *bytesMinMax[O]) state(mem memory.Allocator, from, to int) ([]arrow.Array, error) {
	return oneColumn(b.result(mem, from, to))
}
