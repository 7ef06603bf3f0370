package eval

// Conditional nodes (CASE, COALESCE) evaluate each value only on the rows
// that take it, record per row which source supplies the result, and then
// gather the result in row order.

// chooser holds the per-row source bookkeeping shared by CASE and
// COALESCE.
type chooser struct {
	srcIdx scratch // int16 per row: index into srcs, or -1 for NULL
	bufA   scratch
	bufB   scratch
	bufM   scratch
	valid  scratch
	sb     strBuilder
	srcs   []*vec
	out    vec
}

// begin prepares for n rows and k sources.
func (ch *chooser) begin(n, k int) []int16 {
	ch.srcs = ch.srcs[:0]
	for i := 0; i < k; i++ {
		ch.srcs = append(ch.srcs, nullScalar)
	}
	return typed[int16](ch.srcIdx.bytes(2 * n))[:n]
}

// split divides rows (all n when nil) by predicate value: yes gets the rows
// where pick(i) is 1, no the others. Both come from ping-pong buffers that
// never alias rows.
func (ch *chooser) split(rows []int32, n int, pick func(i int) uint8, yesBuf, noBuf *scratch) (yes, no []int32) {
	yes, no = yesBuf.int32s(n), noBuf.int32s(n)
	ky, kn := 0, 0
	one := func(i int32) {
		t := int(pick(int(i)))
		yes[ky] = i
		no[kn] = i
		ky += t
		kn += 1 - t
	}
	if rows == nil {
		for i := 0; i < n; i++ {
			one(int32(i))
		}
	} else {
		for _, i := range rows {
			one(i)
		}
	}
	return yes[:ky], no[:kn]
}

// assign records source k for rows.
func assign(src []int16, rows []int32, n int, k int16) {
	if rows == nil {
		for i := 0; i < n; i++ {
			src[i] = k
		}
		return
	}
	for _, i := range rows {
		src[i] = k
	}
}

// gather builds the result for the rows sel from the recorded sources.
func (ch *chooser) gather(ec *evalCtx, b *base, src []int16, sel []int32) (*vec, error) {
	n := ec.n
	if b.p == pNull {
		return nullScalar, nil
	}
	out := &ch.out
	*out = vec{}
	// First the validity: a row is valid when its source is valid there.
	valid := ch.valid.zeroed(bitmapBytes(n))
	anyNull := false
	forRows(sel, n, func(i int) {
		k := src[i]
		ok := k >= 0 && !ch.srcs[k].isNull(i)
		setBitTo(valid, i, b2u8(ok))
		anyNull = anyNull || !ok
	})
	if anyNull {
		out.valid = valid
	}
	if b.p == pStr {
		ch.sb.reset(n)
		forRows(sel, n, func(i int) {
			if k := src[i]; k >= 0 && !ch.srcs[k].isNull(i) {
				ch.sb.add(i, ch.srcs[k].str(i))
			}
		})
		return out, ch.sb.finish(out, n)
	}
	// Fixed-width values are copied by width; the representation does not
	// matter for a copy.
	out.raw, out.owned = b.outValues(ec, false)
	switch b.p.width() {
	case 1:
		gatherFixed(typed[uint8](out.raw), ch.srcs, src, sel, n)
	case 2:
		gatherFixed(typed[uint16](out.raw), ch.srcs, src, sel, n)
	case 4:
		gatherFixed(typed[uint32](out.raw), ch.srcs, src, sel, n)
	default:
		gatherFixed(typed[uint64](out.raw), ch.srcs, src, sel, n)
	}
	return out, nil
}

// gatherFixed copies fixed-width values from their sources.
func gatherFixed[T uint8 | uint16 | uint32 | uint64](o []T, srcs []*vec, src []int16, sel []int32, n int) {
	forRows(sel, n, func(i int) {
		k := src[i]
		if k < 0 || srcs[k].raw == nil {
			return
		}
		v := srcs[k]
		j := i
		if v.scalar {
			j = 0
		}
		o[i] = typed[T](v.raw)[j]
	})
}

// caseNode is CASE WHEN c1 THEN v1 ... [ELSE e] END: a condition runs on the
// rows no earlier condition took, a value only on the rows it supplies.
type caseNode struct {
	base
	when []node
	vals []node // one per branch, then Else when present
	ch   chooser
}

// eval walks the branches, narrowing the rows still unmatched.
func (c *caseNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	n := ec.n
	src := c.ch.begin(n, len(c.vals))
	remaining := sel
	free := [2]*scratch{&c.ch.bufA, &c.ch.bufB}
	for k, w := range c.when {
		if live(remaining, n) == 0 {
			break
		}
		cond, err := evalNode(ec, w, remaining)
		if err != nil {
			return nil, err
		}
		// A NULL condition counts as false: the row stays for later
		// branches.
		matched, rest := c.ch.split(remaining, n, func(i int) uint8 {
			val, ok := boolAt(cond, i)
			return val & ok
		}, &c.ch.bufM, free[k%2])
		if len(matched) > 0 {
			v, err := evalNode(ec, c.vals[k], matched)
			if err != nil {
				return nil, err
			}
			c.ch.srcs[k] = v
			assign(src, matched, n, int16(k))
		}
		remaining = rest
	}
	// Rows no condition took get ELSE, or NULL without one.
	if live(remaining, n) > 0 {
		k := len(c.when)
		if k < len(c.vals) {
			v, err := evalNode(ec, c.vals[k], remaining)
			if err != nil {
				return nil, err
			}
			c.ch.srcs[k] = v
			assign(src, remaining, n, int16(k))
		} else {
			assign(src, remaining, n, -1)
		}
	}
	return c.ch.gather(ec, &c.base, src, sel)
}

// coalesceNode returns its first non-NULL argument; an argument runs only
// on the rows all earlier ones left NULL.
type coalesceNode struct {
	base
	vals []node
	ch   chooser
}

// eval evaluates arguments on the rows still NULL.
func (c *coalesceNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	n := ec.n
	src := c.ch.begin(n, len(c.vals))
	remaining := sel
	free := [2]*scratch{&c.ch.bufA, &c.ch.bufB}
	for k, a := range c.vals {
		if live(remaining, n) == 0 {
			break
		}
		v, err := evalNode(ec, a, remaining)
		if err != nil {
			return nil, err
		}
		c.ch.srcs[k] = v
		got, rest := c.ch.split(remaining, n, func(i int) uint8 {
			return b2u8(!v.isNull(i))
		}, &c.ch.bufM, free[k%2])
		assign(src, got, n, int16(k))
		remaining = rest
	}
	if live(remaining, n) > 0 {
		assign(src, remaining, n, -1)
	}
	return c.ch.gather(ec, &c.base, src, sel)
}

// inNode is x [NOT] IN (items): TRUE when an item equals x, else NULL when
// x or an item is NULL, else FALSE. Every item is evaluated.
type inNode struct {
	base
	x       *sharedNode
	items   []node // x = item comparisons, with their implicit casts
	negated bool
	found   scratch
	nulls   scratch
	valid   scratch
	out     vec
}

// eval evaluates x, then every comparison, and folds them per row.
func (in *inNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	n := ec.n
	in.x.reset()
	x, err := evalNode(ec, in.x, sel)
	if err != nil {
		return nil, err
	}
	// Per row: found = some item equals x; nulls = some comparison was
	// NULL (an item, or x, was NULL).
	found, nulls := in.found.bytes(n), in.nulls.bytes(n)
	forRows(sel, n, func(i int) { found[i], nulls[i] = 0, 0 })
	for _, item := range in.items {
		eq, err := evalNode(ec, item, sel)
		if err != nil {
			return nil, err
		}
		forRows(sel, n, func(i int) {
			val, ok := boolAt(eq, i)
			found[i] |= val & ok
			nulls[i] |= ok ^ 1
		})
	}
	if x.scalar && x.null {
		return nullScalar, nil
	}
	// NOT IN flips the value; validity is the same for IN and NOT IN.
	out := &in.out
	*out = vec{raw: in.vals.bytes(n)}
	valid := in.valid.bytes(bitmapBytes(n))
	neg := b2u8(in.negated)
	anyNull := false
	forRows(sel, n, func(i int) {
		xok := b2u8(!x.isNull(i))
		ok := xok & (found[i] | (nulls[i] ^ 1))
		out.raw[i] = found[i] ^ neg
		setBitTo(valid, i, ok)
		anyNull = anyNull || ok == 0
	})
	if anyNull {
		out.valid = valid
	}
	return out, nil
}
