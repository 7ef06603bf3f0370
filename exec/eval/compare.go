package eval

import (
	"bytes"
	"fmt"

	"github.com/grainql/grain/expr"
)

// cmpNode compares two operands of one type (after implicit casts) and
// yields a boolean. It can also select rows directly (where), which Filter
// uses to build selection vectors without materialising booleans.
type cmpNode struct {
	base
	op    expr.BinaryOp
	l, r  node
	str   bool       // operands are strings or binary
	kern  cmpKernels // numeric, boolean and temporal operands
	table [3]uint8   // strings: result for bytes.Compare -1, 0, +1
	valid scratch
	out   vec
}

// newCompare builds a comparison of two operands of one representation and
// picks its loops once.
func newCompare(b base, op expr.BinaryOp, l, r node) (node, error) {
	c := &cmpNode{base: b, op: op, l: l, r: r}
	p := l.info().p
	if p != r.info().p {
		return nil, fmt.Errorf("internal error: compare %s with %s representations", l.info().t, r.info().t)
	}
	isEq, swap, neg := cmpForm(op)
	switch p {
	case pStr:
		c.str = true
		for k, cmp := range []int{-1, 0, 1} {
			c.table[k] = b2u8(cmpHolds(op, cmp))
		}
	case pBool, pU8:
		c.kern = numCmp[uint8](isEq, swap, neg)
	case pI8:
		c.kern = numCmp[int8](isEq, swap, neg)
	case pI16:
		c.kern = numCmp[int16](isEq, swap, neg)
	case pI32:
		c.kern = numCmp[int32](isEq, swap, neg)
	case pI64:
		c.kern = numCmp[int64](isEq, swap, neg)
	case pU16:
		c.kern = numCmp[uint16](isEq, swap, neg)
	case pU32:
		c.kern = numCmp[uint32](isEq, swap, neg)
	case pU64:
		c.kern = numCmp[uint64](isEq, swap, neg)
	case pF32:
		c.kern = numCmp[float32](isEq, swap, neg)
	case pF64:
		c.kern = numCmp[float64](isEq, swap, neg)
	}
	return c, nil
}

// cmpForm expresses op as eq or lt with swapped operands and/or negation.
func cmpForm(op expr.BinaryOp) (isEq, swap bool, neg uint8) {
	switch op {
	case expr.OpEq:
		return true, false, 0
	case expr.OpNotEq:
		return true, false, 1
	case expr.OpLt:
		return false, false, 0
	case expr.OpGt:
		return false, true, 0
	case expr.OpLtEq:
		return false, true, 1
	}
	return false, false, 1 // >=
}

// cmpHolds reports whether op holds for a three-way comparison result.
func cmpHolds(op expr.BinaryOp, c int) bool {
	switch op {
	case expr.OpEq:
		return c == 0
	case expr.OpNotEq:
		return c != 0
	case expr.OpLt:
		return c < 0
	case expr.OpLtEq:
		return c <= 0
	case expr.OpGt:
		return c > 0
	}
	return c >= 0
}

// operands evaluates both sides; null reports a NULL scalar operand.
func (c *cmpNode) operands(ec *evalCtx, sel []int32) (l, r *vec, null bool, err error) {
	if l, err = evalNode(ec, c.l, sel); err != nil {
		return nil, nil, false, err
	}
	if r, err = evalNode(ec, c.r, sel); err != nil {
		return nil, nil, false, err
	}
	return l, r, (l.scalar && l.null) || (r.scalar && r.null), nil
}

// eval compares into a boolean vec.
func (c *cmpNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	l, r, null, err := c.operands(ec, sel)
	if err != nil || null {
		return nullScalar, err
	}
	return c.compute(ec, l, r, sel), nil
}

// compute compares non-NULL-scalar operands into a boolean vec.
func (c *cmpNode) compute(ec *evalCtx, l, r *vec, sel []int32) *vec {
	scalar := l.scalar && r.scalar
	if scalar {
		sel = nil
	}
	out := &c.out
	*out = vec{scalar: scalar, valid: andValid(&c.valid, vectorValid(l), vectorValid(r), ec.n)}
	n := rowsOf(ec, out)
	out.raw = c.vals.bytes(n)
	if c.str {
		forRows(sel, n, func(i int) {
			out.raw[i] = c.table[bytes.Compare(l.str(i), r.str(i))+1]
		})
		return out
	}
	c.kern.bools(out.raw, l.raw, r.raw, l.scalar, r.scalar, sel)
	return out
}

// where selects the rows of sel where the comparison is TRUE into out and
// reports whether some live row compared NULL.
func (c *cmpNode) where(ec *evalCtx, sel []int32, out []int32) ([]int32, bool, error) {
	l, r, null, err := c.operands(ec, sel)
	if err != nil {
		return nil, false, err
	}
	if null {
		return out[:0], true, nil
	}
	if l.scalar && r.scalar || c.str {
		rows, hadNull := whereVec(c.compute(ec, l, r, sel), sel, ec.n, out)
		return rows, hadNull, nil
	}
	// Compare values first (NULL slots compare garbage), then drop the
	// NULL rows in a second pass only when there are any.
	rows := out[:c.kern.where(out, l.raw, r.raw, l.scalar, r.scalar, sel, ec.n)]
	valid := andValid(&c.valid, vectorValid(l), vectorValid(r), ec.n)
	if valid == nil || !anyNull(valid, sel, ec.n) {
		return rows, false, nil
	}
	return keepValid(rows, valid), true, nil
}

// keepValid drops the rows whose validity bit is clear, in place.
func keepValid(rows []int32, valid []byte) []int32 {
	k := 0
	for _, i := range rows {
		rows[k] = i
		k += int(getBit(valid, int(i)))
	}
	return rows[:k]
}

// anyNull reports whether a live row (sel, or all n rows) is NULL.
func anyNull(valid []byte, sel []int32, n int) bool {
	// Dense: whole bytes first, then the tail bits.
	if sel == nil {
		for i := 0; i < n/8; i++ {
			if valid[i] != 0xff {
				return true
			}
		}
		for i := n / 8 * 8; i < n; i++ {
			if getBit(valid, i) == 0 {
				return true
			}
		}
		return false
	}
	var acc uint8 = 1
	for _, i := range sel {
		acc &= getBit(valid, int(i))
	}
	return acc == 0
}

// whereVec selects the rows of sel where boolean vec v is TRUE and reports
// whether some live row is NULL.
func whereVec(v *vec, sel []int32, n int, out []int32) ([]int32, bool) {
	if v.scalar {
		if v.null || v.raw[0] == 0 {
			return out[:0], v.null
		}
		if sel == nil {
			out = out[:n]
			for i := range out {
				out[i] = int32(i)
			}
			return out, false
		}
		return append(out[:0], sel...), false
	}
	k := 0
	raw := v.raw
	if sel == nil {
		raw = raw[:n]
		for i, x := range raw {
			out[k] = int32(i)
			k += int(x)
		}
	} else {
		for _, i := range sel {
			out[k] = i
			k += int(raw[i])
		}
	}
	rows := out[:k]
	if v.valid == nil || !anyNull(v.valid, sel, n) {
		return rows, false
	}
	return keepValid(rows, v.valid), true
}

// wherer is implemented by boolean nodes that select rows directly.
type wherer interface {
	where(ec *evalCtx, sel []int32, out []int32) ([]int32, bool, error)
}

// whereNode selects the rows of sel (all rows when nil) where boolean node
// nd is TRUE, writing them to out (room for ec.n rows), and reports
// whether some live row was NULL.
func whereNode(ec *evalCtx, nd node, sel []int32, out []int32) ([]int32, bool, error) {
	if live(sel, ec.n) == 0 {
		return out[:0], false, nil
	}
	if w, ok := nd.(wherer); ok {
		return w.where(ec, sel, out)
	}
	v, err := nd.eval(ec, sel)
	if err != nil {
		return nil, false, err
	}
	rows, hadNull := whereVec(v, sel, ec.n, out)
	return rows, hadNull, nil
}
