package order

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
)

// entry is one row to order: the normalized prefix of its first key, the
// rank of that key's null-ness, and the row index. Comparing (rank, pre) as
// unsigned integers orders rows exactly as the first key does, except that
// string and binary prefixes hold only the first 8 bytes, so equal prefixes
// of those kinds still need a full comparison. The row index makes the order
// total, which is what makes an unstable sort stable. An entry is 16 bytes.
type entry struct {
	pre  uint64
	row  int32
	rank uint8
}

// Null ranks: NULLs rank below or above every value as the key says,
// independently of its direction.
const (
	rankNullsFirst uint8 = 0
	rankValue      uint8 = 1
	rankNullsLast  uint8 = 2
)

// lessEq reports whether e sorts at or before b on the first key's (rank,
// prefix) alone.
func (e entry) lessEq(b entry) bool {
	return e.rank < b.rank || (e.rank == b.rank && e.pre <= b.pre)
}

// prefixer computes the entries of one key column: it maps each value to a
// uint64 whose unsigned order is the key's order (direction included) and
// each NULL to its rank.
type prefixer struct {
	kind     kind
	mask     uint64 // all ones for a descending key: flipping every bit reverses the order
	nullRank uint8
}

// newPrefixer returns the prefixer of key k, whose column has kind kd.
func newPrefixer(k Key, kd kind) prefixer {
	p := prefixer{kind: kd, nullRank: rankNullsLast}
	if k.Desc {
		p.mask = math.MaxUint64
	}
	if k.NullsFirst {
		p.nullRank = rankNullsFirst
	}
	return p
}

// fill writes into out one entry per live row of arr: row i of arr when sel
// is nil (len(out) == arr.Len()), otherwise row sel[i] (len(out) == len(sel)).
func (p prefixer) fill(arr arrow.Array, sel []int32, out []entry) {
	if len(out) == 0 {
		return
	}
	d := arr.Data()
	m := p.mask
	switch p.kind {
	case kInt8:
		fillSigned(arrow.GetValues[int8](d, 1), sel, out, m)
	case kInt16:
		fillSigned(arrow.GetValues[int16](d, 1), sel, out, m)
	case kInt32:
		fillSigned(arrow.GetValues[int32](d, 1), sel, out, m)
	case kInt64:
		fillSigned(arrow.GetValues[int64](d, 1), sel, out, m)
	case kUint8:
		fillUnsigned(arrow.GetValues[uint8](d, 1), sel, out, m)
	case kUint16:
		fillUnsigned(arrow.GetValues[uint16](d, 1), sel, out, m)
	case kUint32:
		fillUnsigned(arrow.GetValues[uint32](d, 1), sel, out, m)
	case kUint64:
		fillUnsigned(arrow.GetValues[uint64](d, 1), sel, out, m)
	case kFloat32:
		fillFloat(arrow.GetValues[float32](d, 1), sel, out, m)
	case kFloat64:
		fillFloat(arrow.GetValues[float64](d, 1), sel, out, m)
	case kBool:
		fillBool(d, sel, out, m)
	case kBytes32:
		fillBytes(arrow.GetOffsets[int32](d, 1), dataBytes(d), sel, out, m)
	case kBytes64:
		fillBytes(arrow.GetOffsets[int64](d, 1), dataBytes(d), sel, out, m)
	default:
		panic("internal error: order: prefixer of unknown kind")
	}
	if arr.NullN() > 0 {
		v := validityOf(arr)
		for i := range out {
			if !v.valid(out[i].row) {
				out[i].pre, out[i].rank = 0, p.nullRank
			}
		}
	}
}

// signBit flips two's complement order into unsigned order.
const signBit = 1 << 63

// fillSigned fills entries of a signed integer column.
func fillSigned[T int8 | int16 | int32 | int64](vals []T, sel []int32, out []entry, mask uint64) {
	if sel == nil {
		for i, v := range vals[:len(out)] {
			out[i] = entry{pre: uint64(int64(v)) ^ signBit ^ mask, row: int32(i), rank: rankValue}
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = entry{pre: uint64(int64(vals[r])) ^ signBit ^ mask, row: r, rank: rankValue}
	}
}

// fillUnsigned fills entries of an unsigned integer column.
func fillUnsigned[T uint8 | uint16 | uint32 | uint64](vals []T, sel []int32, out []entry, mask uint64) {
	if sel == nil {
		for i, v := range vals[:len(out)] {
			out[i] = entry{pre: uint64(v) ^ mask, row: int32(i), rank: rankValue}
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = entry{pre: uint64(vals[r]) ^ mask, row: r, rank: rankValue}
	}
}

// fillFloat fills entries of a floating-point column.
func fillFloat[T float32 | float64](vals []T, sel []int32, out []entry, mask uint64) {
	if sel == nil {
		for i, v := range vals[:len(out)] {
			out[i] = entry{pre: normFloat(float64(v)) ^ mask, row: int32(i), rank: rankValue}
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = entry{pre: normFloat(float64(vals[r])) ^ mask, row: r, rank: rankValue}
	}
}

// normFloat maps f to a uint64 whose unsigned order is Spark's float order:
// -0 and +0 map to the same value, every NaN maps to the largest value, and
// otherwise the IEEE bits are flipped so that negatives order below
// positives. float32 keys go through float64, which is exact.
func normFloat(f float64) uint64 {
	if f != f {
		return math.MaxUint64
	}
	f += 0 // -0 + 0 is +0
	b := math.Float64bits(f)
	return b ^ (uint64(int64(b)>>63) | signBit)
}

// fillBool fills entries of a boolean column: false is 0, true is 1.
func fillBool(d arrow.ArrayData, sel []int32, out []entry, mask uint64) {
	bits, off := d.Buffers()[1].Bytes(), d.Offset()
	bit := func(r int) uint64 { return uint64(bits[(off+r)>>3]>>((off+r)&7)) & 1 }
	if sel == nil {
		for i := range out {
			out[i] = entry{pre: bit(i) ^ mask, row: int32(i), rank: rankValue}
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = entry{pre: bit(int(r)) ^ mask, row: r, rank: rankValue}
	}
}

// fillBytes fills entries of a string or binary column with the first 8
// bytes of each value, big-endian and zero-padded, so that unsigned order of
// prefixes agrees with bytewise order wherever the prefixes differ.
func fillBytes[O int32 | int64](offs []O, data []byte, sel []int32, out []entry, mask uint64) {
	if sel == nil {
		for i := range out {
			out[i] = entry{pre: prefix8(data[offs[i]:offs[i+1]]) ^ mask, row: int32(i), rank: rankValue}
		}
		return
	}
	for i, r := range sel[:len(out)] {
		out[i] = entry{pre: prefix8(data[offs[r]:offs[r+1]]) ^ mask, row: r, rank: rankValue}
	}
}

// prefix8 reads up to 8 bytes of b as a big-endian integer, zero-padded.
func prefix8(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.BigEndian.Uint64(buf[:])
}

// dataBytes returns the value bytes of a string or binary array (nil when
// the array has no data buffer). Offsets index it directly.
func dataBytes(d arrow.ArrayData) []byte {
	if b := d.Buffers()[2]; b != nil {
		return b.Bytes()
	}
	return nil
}

// validity reads an array's validity bitmap by row.
type validity struct {
	bits []byte
	off  int
}

// validityOf returns the validity of arr; bits is nil when arr has no nulls.
func validityOf(arr arrow.Array) validity {
	if arr.NullN() == 0 {
		return validity{}
	}
	d := arr.Data()
	return validity{bits: d.Buffers()[0].Bytes(), off: d.Offset()}
}

// valid reports whether row r is valid; the caller checks bits != nil.
func (v validity) valid(r int32) bool {
	i := uint(v.off) + uint(r)
	return v.bits[i>>3]>>(i&7)&1 != 0
}
