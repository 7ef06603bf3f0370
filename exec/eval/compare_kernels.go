package eval

// Comparison kernels. Floats use a total order: NaN equals NaN and sorts
// above every other value; -0 equals +0. For integers the NaN terms fold
// away at compile time (x != x is false).
//
// Every comparison is lt or eq with swapped operands and/or a negated
// result: a > b = lt(b, a), a <= b = !lt(b, a), a >= b = !lt(a, b),
// a != b = !eq(a, b).

// lt is the total order "less than" on T.
func lt[T number](a, b T) bool { return a < b || (b != b && a == a) }
func eq[T number](a, b T) bool { return a == b || (a != a && b != b) }

// The bool loops write one byte per row (result XOR neg).

// ltVV writes lt(a, b) XOR neg per row.
func ltVV[T number](o []uint8, a, b []T, neg uint8, sel []int32) {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = b2u8(lt(a[i], b[i])) ^ neg
		}
		return
	}
	for _, i := range sel {
		o[i] = b2u8(lt(a[i], b[i])) ^ neg
	}
}

// ltVS writes lt(a, s) XOR neg per row.
func ltVS[T number](o []uint8, a []T, s T, neg uint8, sel []int32) {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = b2u8(lt(a[i], s)) ^ neg
		}
		return
	}
	for _, i := range sel {
		o[i] = b2u8(lt(a[i], s)) ^ neg
	}
}

// ltSV writes lt(s, b) XOR neg per row.
func ltSV[T number](o []uint8, s T, b []T, neg uint8, sel []int32) {
	if sel == nil {
		b = b[:len(o)]
		for i := range o {
			o[i] = b2u8(lt(s, b[i])) ^ neg
		}
		return
	}
	for _, i := range sel {
		o[i] = b2u8(lt(s, b[i])) ^ neg
	}
}

// eqVV writes eq(a, b) XOR neg per row.
func eqVV[T number](o []uint8, a, b []T, neg uint8, sel []int32) {
	if sel == nil {
		a, b = a[:len(o)], b[:len(o)]
		for i := range o {
			o[i] = b2u8(eq(a[i], b[i])) ^ neg
		}
		return
	}
	for _, i := range sel {
		o[i] = b2u8(eq(a[i], b[i])) ^ neg
	}
}

// eqVS writes eq(a, s) XOR neg per row.
func eqVS[T number](o []uint8, a []T, s T, neg uint8, sel []int32) {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = b2u8(eq(a[i], s)) ^ neg
		}
		return
	}
	for _, i := range sel {
		o[i] = b2u8(eq(a[i], s)) ^ neg
	}
}

// The where loops write the rows that compare true into out (branch-free:
// every row is written, the cursor advances by the result) and return the
// count. out has room for every row.

// ltVVWhere selects the rows where lt(a, b) XOR neg.
func ltVVWhere[T number](out []int32, a, b []T, neg int, sel []int32, n int) int {
	k := 0
	if sel == nil {
		a, b = a[:n], b[:n]
		for i := range a {
			out[k] = int32(i)
			k += b2i(lt(a[i], b[i])) ^ neg
		}
		return k
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(lt(a[i], b[i])) ^ neg
	}
	return k
}

// ltVSWhere selects the rows where lt(a, s) XOR neg.
func ltVSWhere[T number](out []int32, a []T, s T, neg int, sel []int32, n int) int {
	k := 0
	if sel == nil {
		a = a[:n]
		for i := range a {
			out[k] = int32(i)
			k += b2i(lt(a[i], s)) ^ neg
		}
		return k
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(lt(a[i], s)) ^ neg
	}
	return k
}

// ltSVWhere selects the rows where lt(s, b) XOR neg.
func ltSVWhere[T number](out []int32, s T, b []T, neg int, sel []int32, n int) int {
	k := 0
	if sel == nil {
		b = b[:n]
		for i := range b {
			out[k] = int32(i)
			k += b2i(lt(s, b[i])) ^ neg
		}
		return k
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(lt(s, b[i])) ^ neg
	}
	return k
}

// eqVVWhere selects the rows where eq(a, b) XOR neg.
func eqVVWhere[T number](out []int32, a, b []T, neg int, sel []int32, n int) int {
	k := 0
	if sel == nil {
		a, b = a[:n], b[:n]
		for i := range a {
			out[k] = int32(i)
			k += b2i(eq(a[i], b[i])) ^ neg
		}
		return k
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(eq(a[i], b[i])) ^ neg
	}
	return k
}

// eqVSWhere selects the rows where eq(a, s) XOR neg.
func eqVSWhere[T number](out []int32, a []T, s T, neg int, sel []int32, n int) int {
	k := 0
	if sel == nil {
		a = a[:n]
		for i := range a {
			out[k] = int32(i)
			k += b2i(eq(a[i], s)) ^ neg
		}
		return k
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(eq(a[i], s)) ^ neg
	}
	return k
}

// cmpKernels holds the loops of one operand type.
type cmpKernels struct {
	// bools writes one result byte per row; as/bs mark scalar operands.
	bools func(o []uint8, a, b []byte, as, bs bool, sel []int32)
	// where writes the rows that compare true and returns their count.
	where func(out []int32, a, b []byte, as, bs bool, sel []int32, n int) int
}

// numCmp builds the kernels for comparison (isEq, swap, neg) on T.
func numCmp[T number](isEq, swap bool, neg uint8) cmpKernels {
	ni := int(neg)
	bools := func(o []uint8, a, b []byte, as, bs bool, sel []int32) {
		at, bt := typed[T](a), typed[T](b)
		if swap {
			at, bt, as, bs = bt, at, bs, as
		}
		switch {
		case isEq && bs:
			eqVS(o, at, bt[0], neg, sel)
		case isEq && as:
			eqVS(o, bt, at[0], neg, sel)
		case isEq:
			eqVV(o, at, bt, neg, sel)
		case bs:
			ltVS(o, at, bt[0], neg, sel)
		case as:
			ltSV(o, at[0], bt, neg, sel)
		default:
			ltVV(o, at, bt, neg, sel)
		}
	}
	where := func(out []int32, a, b []byte, as, bs bool, sel []int32, n int) int {
		at, bt := typed[T](a), typed[T](b)
		if swap {
			at, bt, as, bs = bt, at, bs, as
		}
		switch {
		case isEq && bs:
			return eqVSWhere(out, at, bt[0], ni, sel, n)
		case isEq && as:
			return eqVSWhere(out, bt, at[0], ni, sel, n)
		case isEq:
			return eqVVWhere(out, at, bt, ni, sel, n)
		case bs:
			return ltVSWhere(out, at, bt[0], ni, sel, n)
		case as:
			return ltSVWhere(out, at[0], bt, ni, sel, n)
		}
		return ltVVWhere(out, at, bt, ni, sel, n)
	}
	return cmpKernels{bools: bools, where: where}
}
