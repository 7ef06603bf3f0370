package eval

import (
	"fmt"
	"unsafe"

	"github.com/grainql/grain/expr"
)

// arithKernel computes o = a op b over raw values of one representation for
// the rows sel (all rows of o when nil); as and bs say which operands are
// scalars. It returns flagOverflow/flagDivZero bits.
type arithKernel func(o, a, b []byte, as, bs bool, sel []int32) uint8

// arithNode is + - * / % on operands already converted to its type.
type arithNode struct {
	base
	op    expr.BinaryOp
	l, r  node
	kern  arithKernel
	valid scratch
	sel   scratch
	out   vec
}

// newArith builds an arithmetic node whose operands already have its type.
func newArith(b base, op expr.BinaryOp, l, r node) node {
	return &arithNode{base: b, op: op, l: l, r: r, kern: arithKernelFor(op, b.p)}
}

// eval evaluates both operands, then the kernel on the rows where
// neither is a NULL scalar; errors come only from valid live rows.
func (a *arithNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	l, err := evalNode(ec, a.l, sel)
	if err != nil {
		return nil, err
	}
	r, err := evalNode(ec, a.r, sel)
	if err != nil {
		return nil, err
	}
	if (l.scalar && l.null) || (r.scalar && r.null) {
		return nullScalar, nil
	}
	scalar := l.scalar && r.scalar
	if scalar {
		sel = nil
	}
	out := &a.out
	*out = vec{scalar: scalar, valid: andValid(&a.valid, vectorValid(l), vectorValid(r), ec.n)}
	out.raw, out.owned = a.outValues(ec, scalar)
	// The kernel computes every row of sel, NULL slots included (their
	// garbage is harmless: no trap, result slot masked by validity).
	if flags := a.kern(out.raw, l.raw, r.raw, l.scalar, r.scalar, sel); flags != 0 {
		// Garbage in NULL slots may have raised a flag: recompute the
		// valid live rows alone.
		rows := validRows(&a.sel, sel, rowsOf(ec, out), out.valid)
		if len(rows) > 0 {
			if err := flagErr(a.kern(out.raw, l.raw, r.raw, l.scalar, r.scalar, rows)); err != nil {
				return nil, a.fail(err)
			}
		}
	}
	return out, nil
}

// flagErr turns kernel flags into the sentinel error.
func flagErr(flags uint8) error {
	switch {
	case flags&flagDivZero != 0:
		return expr.ErrDivideByZero
	case flags&flagOverflow != 0:
		return expr.ErrOverflow
	}
	return nil
}

// arithKernelFor picks the loops of one operator and representation at
// compile time; per batch only the operand shapes are switched on.
func arithKernelFor(op expr.BinaryOp, p phys) arithKernel {
	switch p {
	case pI8:
		return signedArith[int8](op, mulNarrowVV[int8], mulNarrowVS[int8])
	case pI16:
		return signedArith[int16](op, mulNarrowVV[int16], mulNarrowVS[int16])
	case pI32:
		return signedArith[int32](op, mulNarrowVV[int32], mulNarrowVS[int32])
	case pI64:
		return signedArith[int64](op, mulInt64VV, mulInt64VS)
	case pU8:
		return unsignedArith[uint8](op, mulUnsignedNarrowVV[uint8])
	case pU16:
		return unsignedArith[uint16](op, mulUnsignedNarrowVV[uint16])
	case pU32:
		return unsignedArith[uint32](op, mulUnsignedNarrowVV[uint32])
	case pU64:
		return unsignedArith[uint64](op, mulUint64VV)
	case pF32:
		return floatArith[float32](op)
	case pF64:
		return floatArith[float64](op)
	}
	panic(fmt.Sprintf("internal error: arithmetic on representation %d", p))
}

// broadcastTo returns a as a vector of len(o) values: itself, or its scalar
// value copied to the rows sel of tmp.
func broadcastTo[T any](tmp *scratch, o, a []T, scalar bool, sel []int32) []T {
	if !scalar || len(o) == 1 {
		return a
	}
	var z T
	out := typed[T](tmp.bytes(len(o) * int(unsafe.Sizeof(z))))
	s := a[0]
	if sel == nil {
		for i := range out {
			out[i] = s
		}
	} else {
		for _, i := range sel {
			out[i] = s
		}
	}
	return out
}

// vvOnly adapts a vector-vector loop to any operand shapes by broadcasting
// scalars (used where no scalar loop exists).
func vvOnly[T any](f func(o, a, b []T, sel []int32) uint8) arithKernel {
	var ta, tb scratch
	return func(o, a, b []byte, as, bs bool, sel []int32) uint8 {
		ot := typed[T](o)
		at := broadcastTo(&ta, ot, typed[T](a), as, sel)
		bt := broadcastTo(&tb, ot, typed[T](b), bs, sel)
		return f(ot, at, bt, sel)
	}
}

// shaped picks the vector-vector, vector-scalar or scalar-vector loop.
// Commutative operations swap operands for a scalar on the left; others
// without an sv loop broadcast the scalar.
func shaped[T any](commutative bool, vv func(o, a, b []T, sel []int32) uint8,
	vs func(o, a []T, s T, sel []int32) uint8, sv func(o []T, s T, b []T, sel []int32) uint8) arithKernel {
	var tmp scratch
	return func(o, a, b []byte, as, bs bool, sel []int32) uint8 {
		ot, at, bt := typed[T](o), typed[T](a), typed[T](b)
		switch {
		case bs:
			return vs(ot, at, bt[0], sel)
		case as && sv != nil:
			return sv(ot, at[0], bt, sel)
		case as && commutative:
			return vs(ot, bt, at[0], sel)
		case as:
			return vv(ot, broadcastTo(&tmp, ot, at, true, sel), bt, sel)
		}
		return vv(ot, at, bt, sel)
	}
}

// signedArith builds the kernel of a signed type; the multiplication loops
// differ between narrow types (widened to int64) and int64 (128-bit
// product), so the caller passes them in.
func signedArith[T signedInt](op expr.BinaryOp, mulVV func(o, a, b []T, sel []int32) uint8,
	mulVS func(o, a []T, s T, sel []int32) uint8) arithKernel {
	switch op {
	case expr.OpAdd:
		return shaped(true, addSignedVV[T], addSignedVS[T], nil)
	case expr.OpSub:
		return shaped(false, subSignedVV[T], subSignedVS[T], subSignedSV[T])
	case expr.OpMul:
		return shaped(true, mulVV, mulVS, nil)
	}
	mod := op == expr.OpMod
	return vvOnly(func(o, a, b []T, sel []int32) uint8 { return divSignedVV(o, a, b, sel, mod) })
}

// unsignedArith builds the kernel of an unsigned type. Only + and - have
// scalar loops; scalars of * / % are broadcast first.
func unsignedArith[T unsignedInt](op expr.BinaryOp, mulVV func(o, a, b []T, sel []int32) uint8) arithKernel {
	switch op {
	case expr.OpAdd:
		return shaped(true, addUnsignedVV[T], addUnsignedVS[T], nil)
	case expr.OpSub:
		return shaped(false, subUnsignedVV[T], subUnsignedVS[T], subUnsignedSV[T])
	case expr.OpMul:
		return vvOnly(mulVV)
	}
	mod := op == expr.OpMod
	return vvOnly(func(o, a, b []T, sel []int32) uint8 { return divUnsignedVV(o, a, b, sel, mod) })
}

// floatArith builds the kernel of a float type (IEEE, never failing).
func floatArith[T floatNum](op expr.BinaryOp) arithKernel {
	switch op {
	case expr.OpAdd:
		return shaped(true, addFloatVV[T], addFloatVS[T], nil)
	case expr.OpSub:
		// IEEE defines a - s as a + (-s), so the add loop serves.
		subVS := func(o, a []T, s T, sel []int32) uint8 { return addFloatVS(o, a, -s, sel) }
		return shaped(false, subFloatVV[T], subVS, subFloatSV[T])
	case expr.OpMul:
		return shaped(true, mulFloatVV[T], mulFloatVS[T], nil)
	case expr.OpDiv:
		return shaped(false, divFloatVV[T], divFloatVS[T], nil)
	}
	return vvOnly(modFloatVV[T])
}

// negNode is arithmetic negation: -MinInt and -x for unsigned x > 0
// overflow.
type negNode struct {
	base
	in  node
	sel scratch
	out vec
}

// eval negates its operand.
func (n *negNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	v, err := evalNode(ec, n.in, sel)
	if err != nil {
		return nil, err
	}
	if v.scalar && v.null {
		return nullScalar, nil
	}
	if v.scalar {
		sel = nil
	}
	out := &n.out
	*out = vec{scalar: v.scalar, valid: vectorValid(v)}
	out.raw, out.owned = n.outValues(ec, v.scalar)
	if negate(n.p, out.raw, v.raw, sel) {
		rows := validRows(&n.sel, sel, rowsOf(ec, v), out.valid)
		if len(rows) > 0 && negate(n.p, out.raw, v.raw, rows) {
			return nil, n.fail(expr.ErrOverflow)
		}
	}
	return out, nil
}

// negate computes o = -a for the rows sel and reports overflow (-MinInt,
// or -x for unsigned x > 0).
func negate(p phys, o, a []byte, sel []int32) bool {
	switch p {
	case pI8:
		return negSigned(typed[int8](o), typed[int8](a), sel)
	case pI16:
		return negSigned(typed[int16](o), typed[int16](a), sel)
	case pI32:
		return negSigned(typed[int32](o), typed[int32](a), sel)
	case pI64:
		return negSigned(typed[int64](o), typed[int64](a), sel)
	case pU8:
		return negUnsigned(typed[uint8](o), typed[uint8](a), sel)
	case pU16:
		return negUnsigned(typed[uint16](o), typed[uint16](a), sel)
	case pU32:
		return negUnsigned(typed[uint32](o), typed[uint32](a), sel)
	case pU64:
		return negUnsigned(typed[uint64](o), typed[uint64](a), sel)
	case pF32:
		negFloat(typed[float32](o), typed[float32](a), sel)
	default:
		negFloat(typed[float64](o), typed[float64](a), sel)
	}
	return false
}

// negSigned negates; only the most negative value overflows.
func negSigned[T signedInt](o, a []T, sel []int32) bool {
	mn := minSigned[T]()
	var bad uint8
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = -a[i]
			bad |= b2u8(a[i] == mn)
		}
	} else {
		for _, i := range sel {
			o[i] = -a[i]
			bad |= b2u8(a[i] == mn)
		}
	}
	return bad != 0
}

// negUnsigned negates; any non-zero value overflows (the result would be
// negative).
func negUnsigned[T unsignedInt](o, a []T, sel []int32) bool {
	var acc T
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = -a[i]
			acc |= a[i]
		}
	} else {
		for _, i := range sel {
			o[i] = -a[i]
			acc |= a[i]
		}
	}
	return acc != 0
}

// negFloat negates (flipping the sign of zeros and NaN).
func negFloat[T floatNum](o, a []T, sel []int32) {
	if sel == nil {
		a = a[:len(o)]
		for i := range o {
			o[i] = -a[i]
		}
	} else {
		for _, i := range sel {
			o[i] = -a[i]
		}
	}
}
