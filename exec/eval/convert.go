package eval

import (
	"math"
	"unsafe"
)

// number is every numeric Go type the evaluator computes with.
type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// convFn converts the rows sel (all rows of out when nil) of in into out.
// It reports whether some converted row is out of range; garbage rows
// (NULL or dead) may set it, so callers re-check the valid live rows.
type convFn func(out, in []byte, sel []int32) (bad bool)

// isIntPhys reports an integer representation.
func isIntPhys(p phys) bool   { return p >= pI8 && p <= pU64 }
func isFloatPhys(p phys) bool { return p == pF32 || p == pF64 }
func isSignedPhys(p phys) bool {
	return p >= pI8 && p <= pI64
}

// numConverter returns the conversion between two numeric or boolean
// representations (booleans read as uint8 0/1).
func numConverter(from, to phys) convFn {
	switch from {
	case pBool, pU8:
		return convFrom[uint8](from, to)
	case pI8:
		return convFrom[int8](from, to)
	case pI16:
		return convFrom[int16](from, to)
	case pI32:
		return convFrom[int32](from, to)
	case pI64:
		return convFrom[int64](from, to)
	case pU16:
		return convFrom[uint16](from, to)
	case pU32:
		return convFrom[uint32](from, to)
	case pU64:
		return convFrom[uint64](from, to)
	case pF32:
		return convFrom[float32](from, to)
	default:
		return convFrom[float64](from, to)
	}
}

// convFrom dispatches on the target representation for source type F.
func convFrom[F number](from, to phys) convFn {
	switch to {
	case pBool:
		return wrapConv(toBool[F])
	case pI8:
		return convTo[F, int8](from, to)
	case pI16:
		return convTo[F, int16](from, to)
	case pI32:
		return convTo[F, int32](from, to)
	case pI64:
		return convTo[F, int64](from, to)
	case pU8:
		return convTo[F, uint8](from, to)
	case pU16:
		return convTo[F, uint16](from, to)
	case pU32:
		return convTo[F, uint32](from, to)
	case pU64:
		return convTo[F, uint64](from, to)
	case pF32:
		return convTo[F, float32](from, to)
	default:
		return convTo[F, float64](from, to)
	}
}

// wrapConv adapts a typed conversion loop to convFn.
func wrapConv[F, T any](f func(out []T, in []F, sel []int32) bool) convFn {
	return func(out, in []byte, sel []int32) bool {
		o := typed[T](out)
		return f(o, typed[F](in)[:len(o)], sel)
	}
}

// convTo picks the conversion loop: range-checked for float to integer
// and for integer narrowing or sign changes, plain otherwise.
func convTo[F, T number](from, to phys) convFn {
	switch {
	case isIntPhys(to) && isFloatPhys(from):
		return wrapConv(floatToInt[F, T])
	case isIntPhys(to) && from != pBool && !widens(from, to):
		return wrapConv(intToInt[F, T])
	}
	return wrapConv(convPlain[F, T])
}

// widens reports whether every value of integer representation from fits
// integer representation to.
func widens(from, to phys) bool {
	fw, tw := from.width(), to.width()
	switch {
	case isSignedPhys(from) == isSignedPhys(to):
		return fw <= tw
	case isSignedPhys(to): // unsigned into signed
		return fw < tw
	}
	return false // signed into unsigned
}

// convPlain converts with Go's conversion (exact, or rounding to float).
func convPlain[F, T number](out []T, in []F, sel []int32) bool {
	if sel == nil {
		for i, x := range in {
			out[i] = T(x)
		}
		return false
	}
	for _, i := range sel {
		out[i] = T(in[i])
	}
	return false
}

// intToInt converts integers, flagging values that do not fit T.
func intToInt[F, T number](out []T, in []F, sel []int32) bool {
	bad := false
	if sel == nil {
		for i, x := range in {
			// A value fits when it survives the round trip and keeps
			// its sign (int8(-1) -> uint8 255 -> int8 -1 round-trips).
			t := T(x)
			out[i] = t
			bad = bad || F(t) != x || (x < 0) != (t < 0)
		}
		return bad
	}
	for _, i := range sel {
		x := in[i]
		t := T(x)
		out[i] = t
		bad = bad || F(t) != x || (x < 0) != (t < 0)
	}
	return bad
}

// intBounds returns the half-open float range [lo, hi) of values whose
// truncation fits integer type T.
func intBounds[T number]() (lo, hi float64) {
	var z T
	bits := int(unsafe.Sizeof(z)) * 8
	if T(0)-1 < 0 { // signed
		return -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
	}
	return 0, math.Ldexp(1, bits)
}

// floatToInt truncates toward zero, flagging NaN, ±Inf and values out of
// T's range.
func floatToInt[F, T number](out []T, in []F, sel []int32) bool {
	lo, hi := intBounds[T]()
	bad := false
	if sel == nil {
		for i, x := range in {
			// NaN fails both comparisons; out-of-range values are
			// replaced by 0 before Go's (implementation-defined)
			// conversion.
			t := math.Trunc(float64(x))
			ok := t >= lo && t < hi
			if !ok {
				t = 0
			}
			out[i] = T(t)
			bad = bad || !ok
		}
		return bad
	}
	for _, i := range sel {
		t := math.Trunc(float64(in[i]))
		ok := t >= lo && t < hi
		if !ok {
			t = 0
		}
		out[i] = T(t)
		bad = bad || !ok
	}
	return bad
}

// toBool converts numbers to booleans (x != 0; NaN is true).
func toBool[F number](out []uint8, in []F, sel []int32) bool {
	if sel == nil {
		for i, x := range in {
			out[i] = b2u8(x != 0)
		}
		return false
	}
	for _, i := range sel {
		out[i] = b2u8(in[i] != 0)
	}
	return false
}
