package sketch

import (
	"math"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cespare/xxhash/v2"
)

// Supported reports whether AppendHashes can hash values of type t:
// booleans, integers, floats, dates, times, timestamps, durations, strings
// and binaries (fixed-size or not). Nested, dictionary and decimal128
// types are not.
func Supported(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.DATE64,
		arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION,
		arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.FIXED_SIZE_BINARY:
		return true
	}
	return false
}

// AppendHashes appends to dst the hashes of the non-NULL values of
// arr[start:end], in row order, and returns the extended slice; ok is false
// (and dst unchanged) when the type is not Supported.
//
// Equal values hash equally under Grain's grouping equality: every NaN is
// one value and -0 equals +0. Integers, booleans and temporal values hash
// with the fmix64 mixer over their bits (a bijection, so distinct values
// never collide), floats likewise after canonicalization, strings and
// binaries with xxhash. Hashes are comparable only within one column.
func AppendHashes(dst []uint64, arr arrow.Array, start, end int) (_ []uint64, ok bool) {
	dst = slices.Grow(dst, end-start)
	switch a := arr.(type) {
	case *array.Boolean:
		for i := start; i < end; i++ {
			if a.IsValid(i) {
				v := uint64(0)
				if a.Value(i) {
					v = 1
				}
				dst = append(dst, fmix64(v))
			}
		}
	case *array.Int8:
		dst = appendInts(dst, a, a.Int8Values(), start, end)
	case *array.Int16:
		dst = appendInts(dst, a, a.Int16Values(), start, end)
	case *array.Int32:
		dst = appendInts(dst, a, a.Int32Values(), start, end)
	case *array.Int64:
		dst = appendInts(dst, a, a.Int64Values(), start, end)
	case *array.Uint8:
		dst = appendInts(dst, a, a.Uint8Values(), start, end)
	case *array.Uint16:
		dst = appendInts(dst, a, a.Uint16Values(), start, end)
	case *array.Uint32:
		dst = appendInts(dst, a, a.Uint32Values(), start, end)
	case *array.Uint64:
		dst = appendInts(dst, a, a.Uint64Values(), start, end)
	case *array.Date32:
		dst = appendInts(dst, a, a.Date32Values(), start, end)
	case *array.Date64:
		dst = appendInts(dst, a, a.Date64Values(), start, end)
	case *array.Time32:
		dst = appendInts(dst, a, a.Time32Values(), start, end)
	case *array.Time64:
		dst = appendInts(dst, a, a.Time64Values(), start, end)
	case *array.Timestamp:
		dst = appendInts(dst, a, a.TimestampValues(), start, end)
	case *array.Duration:
		dst = appendInts(dst, a, a.DurationValues(), start, end)
	case *array.Float32:
		vals := a.Float32Values()
		for i := start; i < end; i++ {
			if a.IsValid(i) {
				dst = append(dst, fmix64(canonFloat(float64(vals[i]))))
			}
		}
	case *array.Float64:
		vals := a.Float64Values()
		for i := start; i < end; i++ {
			if a.IsValid(i) {
				dst = append(dst, fmix64(canonFloat(vals[i])))
			}
		}
	case *array.String:
		dst = appendStrings(dst, a, a.Value, start, end)
	case *array.LargeString:
		dst = appendStrings(dst, a, a.Value, start, end)
	case *array.Binary:
		dst = appendBytes(dst, a, a.Value, start, end)
	case *array.LargeBinary:
		dst = appendBytes(dst, a, a.Value, start, end)
	case *array.FixedSizeBinary:
		dst = appendBytes(dst, a, a.Value, start, end)
	default:
		return dst, false
	}
	return dst, true
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// appendInts hashes integer-like values; the loop skips validity checks
// when the array has no NULLs.
func appendInts[T integer](dst []uint64, a arrow.Array, vals []T, start, end int) []uint64 {
	if a.NullN() == 0 {
		for _, v := range vals[start:end] {
			dst = append(dst, fmix64(uint64(v)))
		}
		return dst
	}
	for i := start; i < end; i++ {
		if a.IsValid(i) {
			dst = append(dst, fmix64(uint64(vals[i])))
		}
	}
	return dst
}

func appendStrings(dst []uint64, a arrow.Array, value func(int) string, start, end int) []uint64 {
	for i := start; i < end; i++ {
		if a.IsValid(i) {
			dst = append(dst, xxhash.Sum64String(value(i)))
		}
	}
	return dst
}

func appendBytes(dst []uint64, a arrow.Array, value func(int) []byte, start, end int) []uint64 {
	for i := start; i < end; i++ {
		if a.IsValid(i) {
			dst = append(dst, xxhash.Sum64(value(i)))
		}
	}
	return dst
}

// fmix64 is MurmurHash3's 64-bit finalizer, a bijection with full avalanche.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// canonFloat maps every NaN to one bit pattern and -0 to +0.
func canonFloat(f float64) uint64 {
	switch {
	case f != f:
		return 0x7ff8000000000001
	case f == 0:
		return 0
	}
	return math.Float64bits(f)
}
