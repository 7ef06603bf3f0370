package eval

import "math"

// Float loops follow IEEE 754 and never fail.

// addFloatVV computes a + b.
func addFloatVV[T floatNum](o, a, b []T, sel []int32) uint8 {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = a[i] + b[i]
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] + b[i]
		}
	}
	return 0
}

// addFloatVS computes a + s.
func addFloatVS[T floatNum](o, a []T, s T, sel []int32) uint8 {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = a[i] + s
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] + s
		}
	}
	return 0
}

// subFloatVV computes a - b.
func subFloatVV[T floatNum](o, a, b []T, sel []int32) uint8 {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = a[i] - b[i]
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] - b[i]
		}
	}
	return 0
}

// subFloatSV computes s - b.
func subFloatSV[T floatNum](o []T, s T, b []T, sel []int32) uint8 {
	if sel == nil {
		b = b[:len(o)]
		for i := range o {
			o[i] = s - b[i]
		}
	} else {
		for _, i := range sel {
			o[i] = s - b[i]
		}
	}
	return 0
}

// mulFloatVV computes a * b.
func mulFloatVV[T floatNum](o, a, b []T, sel []int32) uint8 {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = a[i] * b[i]
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] * b[i]
		}
	}
	return 0
}

// mulFloatVS computes a * s.
func mulFloatVS[T floatNum](o, a []T, s T, sel []int32) uint8 {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = a[i] * s
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] * s
		}
	}
	return 0
}

// divFloatVV computes a / b (x/0 is ±Inf, 0/0 NaN).
func divFloatVV[T floatNum](o, a, b []T, sel []int32) uint8 {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = a[i] / b[i]
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] / b[i]
		}
	}
	return 0
}

// divFloatVS computes a / s.
func divFloatVS[T floatNum](o, a []T, s T, sel []int32) uint8 {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = a[i] / s
		}
	} else {
		for _, i := range sel {
			o[i] = a[i] / s
		}
	}
	return 0
}

// modFloatVV is math.Mod (the sign of the dividend; x % 0 is NaN).
func modFloatVV[T floatNum](o, a, b []T, sel []int32) uint8 {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = T(math.Mod(float64(a[i]), float64(b[i])))
		}
	} else {
		for _, i := range sel {
			o[i] = T(math.Mod(float64(a[i]), float64(b[i])))
		}
	}
	return 0
}
