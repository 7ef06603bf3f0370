package eval

// Constant boolean results (read-only).
var (
	falseScalar = &vec{scalar: true, raw: []byte{0}}
	trueScalar  = &vec{scalar: true, raw: []byte{1}}
)

// boolScalar returns the shared constant for b.
func boolScalar(b bool) *vec {
	if b {
		return trueScalar
	}
	return falseScalar
}

// logicNode is AND/OR with three-valued logic. The right operand is
// evaluated only on the rows the left one does not decide (AND: not FALSE,
// OR: not TRUE), so it never raises errors for rows that do not need it.
type logicNode struct {
	base
	and   bool
	l, r  node
	sub   scratch // rows for the right operand
	tmp   scratch // AND where: rows where the left is TRUE
	valid scratch
	out   vec
}

// boolAt reads row i of a boolean vec as (value, valid) bits.
func boolAt(v *vec, i int) (val, ok uint8) {
	if v.scalar {
		if v.null {
			return 0, 0
		}
		return v.raw[0] & 1, 1
	}
	ok = 1
	if v.valid != nil {
		ok = getBit(v.valid, i)
	}
	return v.raw[i] & 1, ok
}

// eval evaluates the left operand on sel and the right one on the
// rows the left leaves undecided.
func (g *logicNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	l, err := evalNode(ec, g.l, sel)
	if err != nil {
		return nil, err
	}
	decisive := b2u8(!g.and) // FALSE decides AND, TRUE decides OR
	// The right operand runs on the undecided rows only; when the left is
	// a constant it is either decisive everywhere or nowhere.
	rsel := sel
	switch {
	case l.scalar && !l.null && l.raw[0] == decisive:
		return l, nil
	case !l.scalar:
		rsel = g.undecided(ec, l, sel, decisive)
	}
	r, err := evalNode(ec, g.r, rsel)
	if err != nil {
		return nil, err
	}
	return g.combine(ec, l, r, sel), nil
}

// undecided returns the rows of sel where l is not the decisive value.
func (g *logicNode) undecided(ec *evalCtx, l *vec, sel []int32, decisive uint8) []int32 {
	out := g.sub.int32s(ec.n)
	k := 0
	// keep is 0 for a valid decisive value, 1 otherwise (NULL included:
	// NULL AND x still depends on x).
	keep := func(i int) int {
		val, ok := boolAt(l, i)
		return int(1 ^ ok&b2u8(val == decisive))
	}
	if sel == nil {
		for i := 0; i < ec.n; i++ {
			out[k] = int32(i)
			k += keep(i)
		}
	} else {
		for _, i := range sel {
			out[k] = i
			k += keep(int(i))
		}
	}
	return out[:k]
}

// combine applies the truth table to the rows sel. Rows the left operand
// decided read garbage from r, which the table ignores.
func (g *logicNode) combine(ec *evalCtx, l, r *vec, sel []int32) *vec {
	scalar := l.scalar && r.scalar
	if scalar {
		sel = nil
	}
	out := &g.out
	*out = vec{scalar: scalar}
	n := rowsOf(ec, out)
	out.raw = g.vals.bytes(n)
	// Without NULLs the table is plain & or |.
	if !l.hasNulls() && !r.hasNulls() {
		forRows(sel, n, func(i int) {
			lv, _ := boolAt(l, i)
			rv, _ := boolAt(r, i)
			if g.and {
				out.raw[i] = lv & rv
			} else {
				out.raw[i] = lv | rv
			}
		})
		return out
	}
	valid := g.valid.bytes(bitmapBytes(n))
	forRows(sel, n, func(i int) {
		lv, lok := boolAt(l, i)
		rv, rok := boolAt(r, i)
		// AND is known when both sides are, or either side is a known
		// FALSE; OR when both are, or either is a known TRUE.
		var val, ok uint8
		if g.and {
			val = lv & rv
			ok = lok&rok | lok&(lv^1) | rok&(rv^1)
		} else {
			val = lv | rv
			ok = lok&rok | lok&lv | rok&rv
		}
		out.raw[i] = val
		setBitTo(valid, i, ok)
	})
	if scalar {
		out.null = getBit(valid, 0) == 0
	} else {
		out.valid = valid
	}
	return out
}

// where narrows the selection through an AND: the left operand's TRUE rows
// become the right operand's selection. When the left is NULL somewhere
// the right must also run on those rows, so it falls back to eval.
func (g *logicNode) where(ec *evalCtx, sel []int32, out []int32) ([]int32, bool, error) {
	if !g.and {
		v, err := g.eval(ec, sel)
		if err != nil {
			return nil, false, err
		}
		rows, hadNull := whereVec(v, sel, ec.n, out)
		return rows, hadNull, nil
	}
	// t1 lives in the node's own buffer: the right side reads it as its
	// selection while writing out.
	t1, null1, err := whereNode(ec, g.l, sel, g.tmp.int32s(ec.n))
	if err != nil {
		return nil, false, err
	}
	if null1 {
		v, err := g.eval(ec, sel)
		if err != nil {
			return nil, false, err
		}
		rows, hadNull := whereVec(v, sel, ec.n, out)
		return rows, hadNull, nil
	}
	if len(t1) == 0 {
		return out[:0], false, nil
	}
	return whereNode(ec, g.r, t1, out)
}

// notNode is NOT (NULL stays NULL).
type notNode struct {
	base
	in  node
	out vec
}

// eval flips TRUE and FALSE.
func (n *notNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	v, err := evalNode(ec, n.in, sel)
	if err != nil {
		return nil, err
	}
	if v.scalar {
		if v.null {
			return nullScalar, nil
		}
		return boolScalar(v.raw[0] == 0), nil
	}
	out := &n.out
	*out = vec{valid: v.valid, raw: n.vals.bytes(ec.n)}
	if sel == nil {
		raw := v.raw[:ec.n]
		for i, x := range raw {
			out.raw[i] = x ^ 1
		}
	} else {
		for _, i := range sel {
			out.raw[i] = v.raw[i] ^ 1
		}
	}
	return out, nil
}

// isNullNode is IS NULL / IS NOT NULL (never NULL).
type isNullNode struct {
	base
	in  node
	not bool
	out vec
}

// eval tests validity; an operand without NULLs gives a constant.
func (n *isNullNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	v, err := evalNode(ec, n.in, sel)
	if err != nil {
		return nil, err
	}
	if !v.hasNulls() {
		return boolScalar(n.not), nil
	}
	if v.scalar {
		return boolScalar(!n.not), nil
	}
	out := &n.out
	*out = vec{raw: n.vals.bytes(ec.n)}
	flip := b2u8(!n.not)
	forRows(sel, ec.n, func(i int) {
		out.raw[i] = getBit(v.valid, i) ^ flip
	})
	return out, nil
}
