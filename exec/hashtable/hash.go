package hashtable

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cespare/xxhash/v2"
)

// Hashing scheme. Every key value first becomes 64 "key bits" (keyBits):
// integers sign- or zero-extend, floats are normalised so that all NaNs and
// both zeros agree, bools are 0 or 1, and strings and binaries are their
// xxhash. A row hash starts at rowSeed and folds in each column as
// h = h*rowMul + c, where c is fmix64(key bits) for fixed-width columns, the
// xxhash itself for byte columns, and nullHash for a null. Every step is a
// pure function of the values, so hashes are stable across batches, batch
// layouts, selection vectors and processes.
const (
	rowSeed   = 0x243f6a8885a308d3 // digits of pi
	rowMul    = 0x9e3779b97f4a7c15 // 2^64 / golden ratio, odd
	nullHash  = 0x13198a2e03707344 // contribution of a null key value
	nanBits   = 0x7ff8000000000001 // key bits shared by every NaN
	finalSeed = 0xa4093822299f31d0 // decorrelates HashRows from table slots
	chunkRows = 256                // rows per hashing chunk (stack buffer)
)

// fmix64 is the MurmurHash3 64-bit finaliser: a cheap bijective mixer that
// spreads every input bit over the whole word. It hashes integer keys, for
// which xxhash costs twice as much.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// floatBits returns the key bits of f: its IEEE bits, with -0 mapped to +0
// (adding +0 does that and nothing else) and every NaN mapped to nanBits.
func floatBits(f float64) uint64 {
	if f != f {
		return nanBits
	}
	return math.Float64bits(f + 0)
}

// keyBits writes the key bits of live rows lo..hi-1 of arr (of kind k) into
// u[:hi-lo]. Null rows get arbitrary bits; callers consult the validity.
func keyBits(k kind, arr arrow.Array, sel []int32, lo, hi int, u []uint64) {
	d := arr.Data()
	u = u[:hi-lo]
	switch k {
	case kInt8:
		intBits(fixedValues[int8](d), sel, lo, u)
	case kInt16:
		intBits(fixedValues[int16](d), sel, lo, u)
	case kInt32:
		intBits(fixedValues[int32](d), sel, lo, u)
	case kInt64:
		intBits(fixedValues[int64](d), sel, lo, u)
	case kUint8:
		intBits(fixedValues[uint8](d), sel, lo, u)
	case kUint16:
		intBits(fixedValues[uint16](d), sel, lo, u)
	case kUint32:
		intBits(fixedValues[uint32](d), sel, lo, u)
	case kUint64:
		intBits(fixedValues[uint64](d), sel, lo, u)
	case kFloat32:
		floatKeyBits(fixedValues[float32](d), sel, lo, u)
	case kFloat64:
		floatKeyBits(fixedValues[float64](d), sel, lo, u)
	case kBool:
		boolBits(d, sel, lo, u)
	case kBytes32:
		offs, data := offsetsAndBytes[int32](d)
		bytesBits(offs, data, sel, lo, u)
	case kBytes64:
		offs, data := offsetsAndBytes[int64](d)
		bytesBits(offs, data, sel, lo, u)
	default:
		panic(fmt.Sprintf("internal error: hashtable: key kind %d", k))
	}
}

// intBits is keyBits for integer columns: the value, widened to 64 bits.
func intBits[T integer](vals []T, sel []int32, lo int, u []uint64) {
	if sel == nil {
		for i, v := range vals[lo : lo+len(u)] {
			u[i] = uint64(v)
		}
		return
	}
	for i, r := range sel[lo : lo+len(u)] {
		u[i] = uint64(vals[r])
	}
}

// floatKeyBits is keyBits for float columns (see floatBits).
func floatKeyBits[T float32 | float64](vals []T, sel []int32, lo int, u []uint64) {
	if sel == nil {
		for i, v := range vals[lo : lo+len(u)] {
			u[i] = floatBits(float64(v))
		}
		return
	}
	for i, r := range sel[lo : lo+len(u)] {
		u[i] = floatBits(float64(vals[r]))
	}
}

// boolBits is keyBits for bool columns: 0 or 1 from the values bitmap.
func boolBits(d arrow.ArrayData, sel []int32, lo int, u []uint64) {
	if d.Len() == 0 {
		return
	}
	bits, off := d.Buffers()[1].Bytes(), uint(d.Offset())
	for i := range u {
		r := uint(lo + i)
		if sel != nil {
			r = uint(sel[lo+i])
		}
		r += off
		u[i] = uint64(bits[r>>3]>>(r&7)) & 1
	}
}

// bytesBits is keyBits for string and binary columns: the xxhash of the bytes.
func bytesBits[O int32 | int64](offs []O, data []byte, sel []int32, lo int, u []uint64) {
	if sel == nil {
		for i := range u {
			r := lo + i
			u[i] = xxhash.Sum64(data[offs[r]:offs[r+1]])
		}
		return
	}
	for i, r := range sel[lo : lo+len(u)] {
		u[i] = xxhash.Sum64(data[offs[r]:offs[r+1]])
	}
}

// rowHashes writes the row hash of every live row of cols into h (which has
// one element per live row), in chunks of len(u) rows with u as scratch.
func rowHashes(kinds []kind, cols []arrow.Array, sel []int32, h, u []uint64) {
	for lo := 0; lo < len(h); lo += len(u) {
		hi := min(lo+len(u), len(h))
		hc := h[lo:hi]
		for i := range hc {
			hc[i] = rowSeed
		}
		for c, arr := range cols {
			foldColumn(kinds[c], arr, sel, lo, hc, u)
		}
	}
}

// foldColumn folds the hashes of live rows lo..lo+len(h)-1 of arr (of kind
// k) into the row hashes h, using u as scratch.
func foldColumn(k kind, arr arrow.Array, sel []int32, lo int, h, u []uint64) {
	d, v := arr.Data(), validityOf(arr)
	switch k {
	case kInt8:
		foldInts(fixedValues[int8](d), v, sel, lo, h)
	case kInt16:
		foldInts(fixedValues[int16](d), v, sel, lo, h)
	case kInt32:
		foldInts(fixedValues[int32](d), v, sel, lo, h)
	case kInt64:
		foldInts(fixedValues[int64](d), v, sel, lo, h)
	case kUint8:
		foldInts(fixedValues[uint8](d), v, sel, lo, h)
	case kUint16:
		foldInts(fixedValues[uint16](d), v, sel, lo, h)
	case kUint32:
		foldInts(fixedValues[uint32](d), v, sel, lo, h)
	case kUint64:
		foldInts(fixedValues[uint64](d), v, sel, lo, h)
	default:
		// Floats, bools and bytes: key bits first, then fold.
		u = u[:len(h)]
		keyBits(k, arr, sel, lo, lo+len(h), u)
		foldBits(k.FitsUint64(), v, sel, lo, u, h)
	}
}

// foldInts is foldColumn for integer columns, reading the values directly.
func foldInts[T integer](vals []T, v validity, sel []int32, lo int, h []uint64) {
	switch {
	case v.bits == nil && sel == nil:
		for i, x := range vals[lo : lo+len(h)] {
			h[i] = h[i]*rowMul + fmix64(uint64(x))
		}
	case v.bits == nil:
		for i, r := range sel[lo : lo+len(h)] {
			h[i] = h[i]*rowMul + fmix64(uint64(vals[r]))
		}
	default:
		for i := range h {
			r := int(rowAt(sel, lo+i))
			c := uint64(nullHash)
			if v.valid(r) {
				c = fmix64(uint64(vals[r]))
			}
			h[i] = h[i]*rowMul + c
		}
	}
}

// foldBits folds key bits u of live rows lo.. into the row hashes h (same
// length), mixing them first when mix is set.
func foldBits(mix bool, v validity, sel []int32, lo int, u, h []uint64) {
	h = h[:len(u)]
	for i, b := range u {
		c := b
		if mix {
			c = fmix64(b)
		}
		if v.bits != nil && !v.valid(int(rowAt(sel, lo+i))) {
			c = nullHash
		}
		h[i] = h[i]*rowMul + c
	}
}

// HashRows writes a 64-bit hash of the key of every live row of cols into
// out (grown if needed) and returns it: out[i] belongs to the i-th live row.
// sel == nil means rows 0..n-1 are live; otherwise the rows in sel are.
//
// The hash depends only on the key values and the column kinds, never on the
// batch, its layout, the selection or the process, so it can route rows to
// shuffle partitions. Keys the Table groups together hash equal: a null
// equals a null, all NaNs are equal and -0 equals +0. Equal integers hash
// equally whatever the width of their columns, as do equal floats in float32
// and float64 columns and equal bytes in string and binary columns. An
// unsupported column type returns an error wrapping ErrUnsupportedType.
func HashRows(cols []arrow.Array, sel []int32, n int, out []uint64) ([]uint64, error) {
	var kbuf [8]kind
	kinds, err := kindsOfArrays(cols, kbuf[:0])
	if err != nil {
		return out, fmt.Errorf("hashtable: hash rows: %w", err)
	}
	out = resize(out, liveRows(sel, n))
	var u [chunkRows]uint64
	rowHashes(kinds, cols, sel, out, u[:])
	for i, h := range out {
		out[i] = fmix64(h ^ finalSeed)
	}
	return out, nil
}
