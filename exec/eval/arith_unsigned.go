package eval

import "math/bits"

// Unsigned integer loops: a result below an operand (add), a subtrahend
// above the minuend, or a product beyond the type all overflow.

// addUnsignedVV computes a + b; a wrapped sum is smaller than an operand.
func addUnsignedVV[T unsignedInt](o, a, b []T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			x := a[i]
			r := x + b[i]
			o[i] = r
			bad |= b2u8(r < x)
		}
	} else {
		for _, i := range sel {
			x := a[i]
			r := x + b[i]
			o[i] = r
			bad |= b2u8(r < x)
		}
	}
	return bad
}

// addUnsignedVS computes a + s; a wrapped sum is smaller than s.
func addUnsignedVS[T unsignedInt](o, a []T, s T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			r := a[i] + s
			o[i] = r
			bad |= b2u8(r < s)
		}
	} else {
		for _, i := range sel {
			r := a[i] + s
			o[i] = r
			bad |= b2u8(r < s)
		}
	}
	return bad
}

// subUnsignedVV computes a - b; it overflows when b > a.
func subUnsignedVV[T unsignedInt](o, a, b []T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			x, y := a[i], b[i]
			o[i] = x - y
			bad |= b2u8(x < y)
		}
	} else {
		for _, i := range sel {
			x, y := a[i], b[i]
			o[i] = x - y
			bad |= b2u8(x < y)
		}
	}
	return bad
}

// subUnsignedVS computes a - s; it overflows when s > a.
func subUnsignedVS[T unsignedInt](o, a []T, s T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			x := a[i]
			o[i] = x - s
			bad |= b2u8(x < s)
		}
	} else {
		for _, i := range sel {
			x := a[i]
			o[i] = x - s
			bad |= b2u8(x < s)
		}
	}
	return bad
}

// subUnsignedSV computes s - b; it overflows when b > s.
func subUnsignedSV[T unsignedInt](o []T, s T, b []T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		b = b[:len(o)]
		for i := range o {
			y := b[i]
			o[i] = s - y
			bad |= b2u8(s < y)
		}
	} else {
		for _, i := range sel {
			y := b[i]
			o[i] = s - y
			bad |= b2u8(s < y)
		}
	}
	return bad
}

// mulUnsignedNarrowVV multiplies 8 to 32-bit unsigned values exactly in
// uint64 and flags products above T's maximum.
func mulUnsignedNarrowVV[T narrowUnsigned](o, a, b []T, sel []int32) uint8 {
	var bad uint8
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			w := uint64(a[i]) * uint64(b[i])
			o[i] = T(w)
			bad |= b2u8(uint64(T(w)) != w)
		}
	} else {
		for _, i := range sel {
			w := uint64(a[i]) * uint64(b[i])
			o[i] = T(w)
			bad |= b2u8(uint64(T(w)) != w)
		}
	}
	return bad
}

// mulUint64VV multiplies uint64 values; a non-zero high word of the
// 128-bit product is an overflow.
func mulUint64VV(o, a, b []uint64, sel []int32) uint8 {
	var acc uint64
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			hi, lo := bits.Mul64(a[i], b[i])
			o[i] = lo
			acc |= hi
		}
	} else {
		for _, i := range sel {
			hi, lo := bits.Mul64(a[i], b[i])
			o[i] = lo
			acc |= hi
		}
	}
	return b2u8(acc != 0)
}

// divUnsignedVV divides (or takes the remainder); zero divisors are
// flagged and replaced by 1.
func divUnsignedVV[T unsignedInt](o, a, b []T, sel []int32, mod bool) uint8 {
	var zero uint8
	one := func(x, d T) T {
		z := b2u8(d == 0)
		zero |= z
		d += T(z)
		if mod {
			return x % d
		}
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
	return zero << 1
}
