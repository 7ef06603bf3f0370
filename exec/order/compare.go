package order

import (
	"bytes"

	"github.com/apache/arrow/go/v17/arrow"
)

// comparer compares two rows of one key column by that key's full order
// (direction and NULL placement included). It is built once per sort over
// the buffered columns, so comparing costs no Arrow interface call.
type comparer interface {
	compare(a, b int32) int
}

// keyOrder is the part of a comparer shared by every kind: NULL handling
// and direction.
type keyOrder struct {
	nulls      validity
	desc       bool
	nullsFirst bool
}

// compareNulls orders a and b when at least one is NULL. ok is false when
// both are valid and the values decide.
func (k *keyOrder) compareNulls(a, b int32) (c int, ok bool) {
	if k.nulls.bits == nil {
		return 0, false
	}
	va, vb := k.nulls.valid(a), k.nulls.valid(b)
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
	vals []T
}

func (f *fixedComparer[T]) compare(a, b int32) int {
	if c, ok := f.compareNulls(a, b); ok {
		return c
	}
	return f.direct(compareValues(f.vals[a], f.vals[b]))
}

// boolComparer compares a boolean column (false before true).
type boolComparer struct {
	keyOrder
	bits []byte
	off  int
}

func (f *boolComparer) compare(a, b int32) int {
	if c, ok := f.compareNulls(a, b); ok {
		return c
	}
	bit := func(r int32) int { return int(f.bits[(f.off+int(r))>>3]>>((f.off+int(r))&7)) & 1 }
	return f.direct(bit(a) - bit(b))
}

// bytesComparer compares a string or binary column bytewise.
type bytesComparer[O int32 | int64] struct {
	keyOrder
	offs []O
	data []byte
}

func (f *bytesComparer[O]) compare(a, b int32) int {
	if c, ok := f.compareNulls(a, b); ok {
		return c
	}
	return f.direct(bytes.Compare(f.data[f.offs[a]:f.offs[a+1]], f.data[f.offs[b]:f.offs[b+1]]))
}

// newComparer builds the comparer of key k over arr, a column of kind kd.
func newComparer(k Key, kd kind, arr arrow.Array) comparer {
	o := keyOrder{nulls: validityOf(arr), desc: k.Desc, nullsFirst: k.NullsFirst}
	d := arr.Data()
	switch kd {
	case kInt8:
		return &fixedComparer[int8]{o, arrow.GetValues[int8](d, 1)}
	case kInt16:
		return &fixedComparer[int16]{o, arrow.GetValues[int16](d, 1)}
	case kInt32:
		return &fixedComparer[int32]{o, arrow.GetValues[int32](d, 1)}
	case kInt64:
		return &fixedComparer[int64]{o, arrow.GetValues[int64](d, 1)}
	case kUint8:
		return &fixedComparer[uint8]{o, arrow.GetValues[uint8](d, 1)}
	case kUint16:
		return &fixedComparer[uint16]{o, arrow.GetValues[uint16](d, 1)}
	case kUint32:
		return &fixedComparer[uint32]{o, arrow.GetValues[uint32](d, 1)}
	case kUint64:
		return &fixedComparer[uint64]{o, arrow.GetValues[uint64](d, 1)}
	case kFloat32:
		return &fixedComparer[float32]{o, arrow.GetValues[float32](d, 1)}
	case kFloat64:
		return &fixedComparer[float64]{o, arrow.GetValues[float64](d, 1)}
	case kBool:
		return &boolComparer{o, d.Buffers()[1].Bytes(), d.Offset()}
	case kBytes32:
		return &bytesComparer[int32]{o, arrow.GetOffsets[int32](d, 1), dataBytes(d)}
	case kBytes64:
		return &bytesComparer[int64]{o, arrow.GetOffsets[int64](d, 1), dataBytes(d)}
	}
	panic("internal error: order: comparer of unknown kind")
}

// tieBreaker returns the comparison of rows of rec that share the first
// key's (rank, prefix): the full first key when its prefix is inexact, then
// every other key. It returns nil when nothing is left to compare.
func tieBreaker(rec arrow.Record, keys []Key, kinds []kind) func(a, b int32) int {
	var cs []comparer
	for i, k := range keys {
		if i == 0 && kinds[0].exact() {
			continue
		}
		cs = append(cs, newComparer(k, kinds[i], rec.Column(k.Col)))
	}
	switch len(cs) {
	case 0:
		return nil
	case 1:
		return cs[0].compare
	}
	return func(a, b int32) int {
		for _, c := range cs {
			if r := c.compare(a, b); r != 0 {
				return r
			}
		}
		return 0
	}
}
