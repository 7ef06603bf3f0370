package eval

import (
	"math"
	"math/bits"
	"unsafe"
)

// Kernel flags: what a loop saw among the rows it computed (which may
// include NULL slots, so callers re-check the valid rows).
const (
	flagOverflow uint8 = 1
	flagDivZero  uint8 = 2
)

type signedInt interface {
	~int8 | ~int16 | ~int32 | ~int64
}
type unsignedInt interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}
type narrowSigned interface{ ~int8 | ~int16 | ~int32 }
type narrowUnsigned interface{ ~uint8 | ~uint16 | ~uint32 }
type floatNum interface{ ~float32 | ~float64 }

// minSigned returns the most negative value of T.
func minSigned[T signedInt]() T {
	var m T = 1
	return m << (8*unsafe.Sizeof(m) - 1)
}

// The loops below compute o = a op b for the rows sel (every row of o when
// sel is nil). VV takes two vectors, VS a vector and a scalar, SV a scalar
// and a vector. Overflow tests are branch-free accumulations.

// addSignedVV computes a + b; it overflowed when the result's sign differs from
// both operands' signs ((a^r)&(b^r) < 0).
func addSignedVV[T signedInt](o, a, b []T, sel []int32) uint8 {
	var acc T
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			x, y := a[i], b[i]
			r := x + y
			o[i] = r
			acc |= (x ^ r) & (y ^ r)
		}
	} else {
		for _, i := range sel {
			x, y := a[i], b[i]
			r := x + y
			o[i] = r
			acc |= (x ^ r) & (y ^ r)
		}
	}
	return b2u8(acc < 0)
}

// addSignedVS computes a + s (overflow test as addSignedVV).
func addSignedVS[T signedInt](o, a []T, s T, sel []int32) uint8 {
	var acc T
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			x := a[i]
			r := x + s
			o[i] = r
			acc |= (x ^ r) & (s ^ r)
		}
	} else {
		for _, i := range sel {
			x := a[i]
			r := x + s
			o[i] = r
			acc |= (x ^ r) & (s ^ r)
		}
	}
	return b2u8(acc < 0)
}

// subSignedVV computes a - b; it overflowed when the operands' signs differ
// and the result's sign differs from a's ((a^b)&(a^r) < 0).
func subSignedVV[T signedInt](o, a, b []T, sel []int32) uint8 {
	var acc T
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			x, y := a[i], b[i]
			r := x - y
			o[i] = r
			acc |= (x ^ y) & (x ^ r)
		}
	} else {
		for _, i := range sel {
			x, y := a[i], b[i]
			r := x - y
			o[i] = r
			acc |= (x ^ y) & (x ^ r)
		}
	}
	return b2u8(acc < 0)
}

// subSignedVS computes a - s (overflow test as subSignedVV).
func subSignedVS[T signedInt](o, a []T, s T, sel []int32) uint8 {
	var acc T
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			x := a[i]
			r := x - s
			o[i] = r
			acc |= (x ^ s) & (x ^ r)
		}
	} else {
		for _, i := range sel {
			x := a[i]
			r := x - s
			o[i] = r
			acc |= (x ^ s) & (x ^ r)
		}
	}
	return b2u8(acc < 0)
}

// subSignedSV computes s - b (overflow test as subSignedVV).
func subSignedSV[T signedInt](o []T, s T, b []T, sel []int32) uint8 {
	var acc T
	if sel == nil {
		b = b[:len(o)]
		for i := range o {
			y := b[i]
			r := s - y
			o[i] = r
			acc |= (s ^ y) & (s ^ r)
		}
	} else {
		for _, i := range sel {
			y := b[i]
			r := s - y
			o[i] = r
			acc |= (s ^ y) & (s ^ r)
		}
	}
	return b2u8(acc < 0)
}

// mulNarrowVV multiplies 8 to 32-bit integers exactly in int64 and flags
// products that do not survive the round trip to T.
func mulNarrowVV[T narrowSigned](o, a, b []T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			w := int64(a[i]) * int64(b[i])
			o[i] = T(w)
			bad |= b2u8(int64(T(w)) != w)
		}
	} else {
		for _, i := range sel {
			w := int64(a[i]) * int64(b[i])
			o[i] = T(w)
			bad |= b2u8(int64(T(w)) != w)
		}
	}
	return bad
}

// mulNarrowVS is mulNarrowVV with a scalar right operand.
func mulNarrowVS[T narrowSigned](o, a []T, s T, sel []int32) uint8 {
	var bad uint8
	s64 := int64(s)
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			w := int64(a[i]) * s64
			o[i] = T(w)
			bad |= b2u8(int64(T(w)) != w)
		}
	} else {
		for _, i := range sel {
			w := int64(a[i]) * s64
			o[i] = T(w)
			bad |= b2u8(int64(T(w)) != w)
		}
	}
	return bad
}

// mulInt64 multiplies with a 128-bit product; the high word of the signed
// product must be the sign extension of the low word.
func mulInt64(x, y int64) (r, acc int64) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	hs := int64(hi) - (x>>63)&y - (y>>63)&x
	r = int64(lo)
	return r, hs ^ (r >> 63)
}

// mulInt64VV multiplies int64 values with overflow detection (mulInt64).
func mulInt64VV(o, a, b []int64, sel []int32) uint8 {
	var acc int64
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			r, c := mulInt64(a[i], b[i])
			o[i] = r
			acc |= c
		}
	} else {
		for _, i := range sel {
			r, c := mulInt64(a[i], b[i])
			o[i] = r
			acc |= c
		}
	}
	return b2u8(acc != 0)
}

// mulInt64VS multiplies by a scalar: the factors whose product fits form
// one range [lo, hi], computed once, so each row costs a plain multiply
// and two compares.
func mulInt64VS(o, a []int64, s int64, sel []int32) uint8 {
	lo, hi := mulRange(s)
	var bad uint8
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			x := a[i]
			o[i] = x * s
			bad |= b2u8(x < lo) | b2u8(x > hi)
		}
	} else {
		for _, i := range sel {
			x := a[i]
			o[i] = x * s
			bad |= b2u8(x < lo) | b2u8(x > hi)
		}
	}
	return bad
}

// mulRange returns the int64 values x for which x * s does not overflow.
// Go's division truncates toward zero, which rounds the bounds inward.
func mulRange(s int64) (lo, hi int64) {
	switch {
	case s == 0:
		return math.MinInt64, math.MaxInt64
	case s == -1:
		return -math.MaxInt64, math.MaxInt64
	case s > 0:
		return math.MinInt64 / s, math.MaxInt64 / s
	}
	return math.MaxInt64 / s, math.MinInt64 / s
}

// divSignedVV divides with truncation toward zero. A zero divisor is
// replaced by 1 (and flagged) so NULL slots never trap.
func divSignedVV[T signedInt](o, a, b []T, sel []int32, mod bool) uint8 {
	mn := minSigned[T]()
	var zero, ovf uint8
	one := func(x, d T) T {
		z := b2u8(d == 0)
		zero |= z
		d += T(z)
		if mod {
			return x % d
		}
		ovf |= b2u8(x == mn) & b2u8(d == -1)
		return x / d
	}
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = one(a[i], b[i])
		}
	} else {
		for _, i := range sel {
			o[i] = one(a[i], b[i])
		}
	}
	return ovf | zero<<1
}
