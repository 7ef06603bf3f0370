package order

import (
	"bytes"

	"github.com/apache/arrow/go/v17/arrow"
)

// colComparer compares rows of one key column by that key's full order
// (direction and NULL placement included). The column may be held in
// several slots, one array each: a sort uses one slot (its buffered
// column), a merge one per input, a merge join one per side. Each slot's
// value slices are read once, in set, so comparing costs no Arrow
// interface call.
type colComparer interface {
	// set makes slot s read arr.
	set(s int, arr arrow.Array)
	// compare orders row a of slot sa against row b of slot sb.
	compare(sa int, a int32, sb int, b int32) int
	// null reports whether row r of slot s is NULL.
	null(s int, r int32) bool
}

// keyOrder is the part of a colComparer shared by every kind: the validity
// of each slot, NULL placement and direction.
type keyOrder struct {
	nulls      []validity // by slot
	desc       bool
	nullsFirst bool
}

// compareNulls orders row a of slot sa and row b of slot sb when at least
// one is NULL. ok is false when both are valid and the values decide.
func (k *keyOrder) compareNulls(sa int, a int32, sb int, b int32) (c int, ok bool) {
	x, y := k.nulls[sa], k.nulls[sb]
	if x.bits == nil && y.bits == nil {
		return 0, false
	}
	va := x.bits == nil || x.valid(a)
	vb := y.bits == nil || y.valid(b)
	switch {
	case va && vb:
		return 0, false
	case va == vb:
		return 0, true
	case va != k.nullsFirst:
		return -1, true
	default:
		return 1, true
	}
}

// null implements colComparer.
func (k *keyOrder) null(s int, r int32) bool {
	v := k.nulls[s]
	return v.bits != nil && !v.valid(r)
}

// direct applies the key's direction to an ascending comparison.
func (k *keyOrder) direct(c int) int {
	if k.desc {
		return -c
	}
	return c
}

// fixed is the set of Go types behind fixed-width key columns.
type fixed interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64
}

// compareValues compares two values in Spark's order: for floats, -0 equals
// +0, NaN equals NaN and NaN is greater than everything else.
func compareValues[T fixed](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	// Unordered, so at least one is NaN (only floats get here).
	aNaN, bNaN := a != a, b != b
	switch {
	case aNaN && bNaN:
		return 0
	case aNaN:
		return 1
	default:
		return -1
	}
}

// fixedComparer compares a fixed-width column.
type fixedComparer[T fixed] struct {
	keyOrder
	vals [][]T // by slot
}

func (f *fixedComparer[T]) set(s int, arr arrow.Array) {
	f.nulls[s] = validityOf(arr)
	f.vals[s] = arrow.GetValues[T](arr.Data(), 1)
}

func (f *fixedComparer[T]) compare(sa int, a int32, sb int, b int32) int {
	if c, ok := f.compareNulls(sa, a, sb, b); ok {
		return c
	}
	return f.direct(compareValues(f.vals[sa][a], f.vals[sb][b]))
}

// boolView is a boolean array's value bitmap and offset.
type boolView struct {
	bits []byte
	off  int
}

// bit returns row r as 0 (false) or 1 (true).
func (v boolView) bit(r int32) int {
	i := v.off + int(r)
	return int(v.bits[i>>3]>>(i&7)) & 1
}

// boolComparer compares a boolean column (false before true).
type boolComparer struct {
	keyOrder
	vals []boolView // by slot
}

func (f *boolComparer) set(s int, arr arrow.Array) {
	f.nulls[s] = validityOf(arr)
	d := arr.Data()
	f.vals[s] = boolView{off: d.Offset()}
	if b := d.Buffers()[1]; b != nil {
		f.vals[s].bits = b.Bytes()
	}
}

func (f *boolComparer) compare(sa int, a int32, sb int, b int32) int {
	if c, ok := f.compareNulls(sa, a, sb, b); ok {
		return c
	}
	return f.direct(f.vals[sa].bit(a) - f.vals[sb].bit(b))
}

// bytesView is a string or binary array's offsets and value bytes.
type bytesView[O int32 | int64] struct {
	offs []O
	data []byte
}

// value returns row r's bytes.
func (v *bytesView[O]) value(r int32) []byte { return v.data[v.offs[r]:v.offs[r+1]] }

// bytesComparer compares a string or binary column bytewise.
type bytesComparer[O int32 | int64] struct {
	keyOrder
	vals []bytesView[O] // by slot
}

func (f *bytesComparer[O]) set(s int, arr arrow.Array) {
	f.nulls[s] = validityOf(arr)
	d := arr.Data()
	f.vals[s] = bytesView[O]{offs: arrow.GetOffsets[O](d, 1), data: dataBytes(d)}
}

func (f *bytesComparer[O]) compare(sa int, a int32, sb int, b int32) int {
	if c, ok := f.compareNulls(sa, a, sb, b); ok {
		return c
	}
	return f.direct(bytes.Compare(f.vals[sa].value(a), f.vals[sb].value(b)))
}

// newComparer returns the comparer of key k over a column of kind kd held
// in the given number of slots; set fills the slots.
func newComparer(k Key, kd kind, slots int) colComparer {
	o := keyOrder{nulls: make([]validity, slots), desc: k.Desc, nullsFirst: k.NullsFirst}
	switch kd {
	case kInt8:
		return &fixedComparer[int8]{o, make([][]int8, slots)}
	case kInt16:
		return &fixedComparer[int16]{o, make([][]int16, slots)}
	case kInt32:
		return &fixedComparer[int32]{o, make([][]int32, slots)}
	case kInt64:
		return &fixedComparer[int64]{o, make([][]int64, slots)}
	case kUint8:
		return &fixedComparer[uint8]{o, make([][]uint8, slots)}
	case kUint16:
		return &fixedComparer[uint16]{o, make([][]uint16, slots)}
	case kUint32:
		return &fixedComparer[uint32]{o, make([][]uint32, slots)}
	case kUint64:
		return &fixedComparer[uint64]{o, make([][]uint64, slots)}
	case kFloat32:
		return &fixedComparer[float32]{o, make([][]float32, slots)}
	case kFloat64:
		return &fixedComparer[float64]{o, make([][]float64, slots)}
	case kBool:
		return &boolComparer{o, make([]boolView, slots)}
	case kBytes32:
		return &bytesComparer[int32]{o, make([]bytesView[int32], slots)}
	case kBytes64:
		return &bytesComparer[int64]{o, make([]bytesView[int64], slots)}
	}
	panic("internal error: order: comparer of unknown kind")
}

// tieBreaker returns the comparison of rows of rec that share the first
// key's (rank, prefix): the full first key when its prefix is inexact, then
// every other key. It returns nil when nothing is left to compare.
func tieBreaker(rec arrow.Record, keys []Key, kinds []kind) func(a, b int32) int {
	cs := tieComparers(keys, kinds, 1)
	for i, c := range cs {
		c.set(0, rec.Column(keys[len(keys)-len(cs)+i].Col))
	}
	switch len(cs) {
	case 0:
		return nil
	case 1:
		c := cs[0]
		return func(a, b int32) int { return c.compare(0, a, 0, b) }
	}
	return func(a, b int32) int { return compareAll(cs, 0, a, 0, b) }
}

// tieComparers returns the comparers of the keys that still decide once
// the first key's (rank, prefix) is equal: every key but the first when
// the first key's prefix is exact, otherwise all of them. They are the
// last len(result) keys.
func tieComparers(keys []Key, kinds []kind, slots int) []colComparer {
	var cs []colComparer
	for i, k := range keys {
		if i == 0 && exact(kinds[0]) {
			continue
		}
		cs = append(cs, newComparer(k, kinds[i], slots))
	}
	return cs
}

// compareAll compares two rows by every comparer in turn.
func compareAll(cs []colComparer, sa int, a int32, sb int, b int32) int {
	for _, c := range cs {
		if r := c.compare(sa, a, sb, b); r != 0 {
			return r
		}
	}
	return 0
}
