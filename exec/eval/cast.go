package eval

import (
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// castKind says how a castNode converts.
type castKind uint8

const (
	castRelabel  castKind = iota // same representation (string ↔ large_string, time zone)
	castNumeric                  // between numbers and booleans
	castTemporal                 // date32 ↔ timestamp, timestamp units
	castToString
	castFromString
)

// castNode converts its input to another type (explicit CAST or an
// implicit promotion).
type castNode struct {
	base
	in    node
	from  arrow.DataType
	kind  castKind
	conv  convFn
	scale scaleSpec
	sel   scratch
	valid scratch
	sb    strBuilder
	out   vec
}

// newCast builds the conversion of in to b.t. A cast of a literal is
// folded at compile time unless it fails (the error then surfaces only
// when a live row needs the value).
func newCast(b base, in node) (node, error) {
	from := in.info().t
	c := &castNode{base: b, in: in, from: from}
	fp := in.info().p
	switch {
	case fp == pNull:
		if _, ok := in.(*litNode); ok {
			return &litNode{base: b, v: nullScalar}, nil
		}
		return &nullNode{base: b, in: in}, nil
	case arrow.TypeEqual(from, b.t):
		return in, nil
	case expr.IsString(b.t) && expr.IsString(from):
		c.kind = castRelabel
	case expr.IsString(b.t):
		c.kind = castToString
	case expr.IsString(from):
		c.kind = castFromString
	case expr.IsTemporal(from) && expr.IsTemporal(b.t):
		c.kind = castTemporal
		c.scale = temporalScale(from, b.t)
	case isNumberOrBool(from) && isNumberOrBool(b.t):
		c.kind = castNumeric
		c.conv = numConverter(fp, b.p)
	default:
		return nil, fmt.Errorf("%w: cannot cast %s to %s", expr.ErrType, from, b.t)
	}
	if lit, ok := in.(*litNode); ok {
		if v, err := c.fold(lit); err == nil {
			return &litNode{base: b, v: v}, nil
		}
	}
	return c, nil
}

// isNumberOrBool reports the types converted by numConverter.
func isNumberOrBool(t arrow.DataType) bool { return expr.IsNumeric(t) || t.ID() == arrow.BOOL }

// fold evaluates the cast of a literal once.
func (c *castNode) fold(lit *litNode) (*vec, error) {
	if lit.v.null {
		return nullScalar, nil
	}
	ec := &evalCtx{n: 1}
	v, err := c.convert(ec, lit.v, nil)
	if err != nil {
		return nil, err
	}
	out := &vec{scalar: true, null: v.null || v.isNull(0)}
	if out.null {
		return nullScalar, nil
	}
	out.raw = append(make([]byte, 0, 8), v.raw...)
	if v.offs != nil {
		s := v.str(0)
		out.offs, out.data = []int32{0, int32(len(s))}, append([]byte(nil), s...)
	}
	return out, nil
}

// eval evaluates the input and converts it; NULL stays NULL.
func (c *castNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	v, err := evalNode(ec, c.in, sel)
	if err != nil {
		return nil, err
	}
	if v.scalar && v.null {
		return nullScalar, nil
	}
	out, err := c.convert(ec, v, sel)
	if err != nil {
		return nil, c.fail(err)
	}
	return out, nil
}

// convert applies the cast to v for the rows sel.
func (c *castNode) convert(ec *evalCtx, v *vec, sel []int32) (*vec, error) {
	if c.kind == castRelabel {
		return v, nil
	}
	out := &c.out
	*out = vec{scalar: v.scalar, valid: vectorValid(v)}
	if v.scalar {
		sel = nil
	}
	switch c.kind {
	case castToString:
		return out, c.toString(ec, v, out, sel)
	case castFromString:
		return out, c.fromString(ec, v, out, sel)
	}
	// Numeric and temporal conversions share the flag-then-recheck scheme
	// of the arithmetic kernels.
	out.raw, out.owned = c.outValues(ec, v.scalar)
	var bad bool
	if c.kind == castNumeric {
		bad = c.conv(out.raw, v.raw, sel)
	} else {
		bad = c.scale.apply(out.raw, v.raw, sel, c.from.ID() == arrow.DATE32, c.t.ID() == arrow.DATE32)
	}
	if bad {
		rows := validRows(&c.sel, sel, rowsOf(ec, v), out.valid)
		if len(rows) > 0 && c.rerun(out, v, rows) {
			return nil, fmt.Errorf("%w: value out of range for %s", expr.ErrOverflow, c.t)
		}
	}
	return out, nil
}

// rerun converts only the given (valid, live) rows and reports whether one
// of them is out of range.
func (c *castNode) rerun(out, v *vec, rows []int32) bool {
	if c.kind == castNumeric {
		return c.conv(out.raw, v.raw, rows)
	}
	return c.scale.apply(out.raw, v.raw, rows, c.from.ID() == arrow.DATE32, c.t.ID() == arrow.DATE32)
}

// rowsOf is the number of slots of v: 1 for scalars, else the batch rows.
func rowsOf(ec *evalCtx, v *vec) int {
	if v.scalar {
		return 1
	}
	return ec.n
}

// validRows writes into dst the rows of sel (all n rows when nil) whose bit
// is set in every given bitmap (nil bitmaps are all set).
func validRows(dst *scratch, sel []int32, n int, bitmaps ...[]byte) []int32 {
	out := dst.int32s(max(n, len(sel)))
	k := 0
	keep := func(i int) int {
		ok := 1
		for _, bm := range bitmaps {
			if bm != nil {
				ok &= int(getBit(bm, i))
			}
		}
		return ok
	}
	if sel == nil {
		for i := 0; i < n; i++ {
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

// scaleSpec converts between date32 (days) and timestamps (ticks): values
// are multiplied by mul (with an overflow check) or divided by div
// rounding down.
type scaleSpec struct {
	mul, div int64
}

// ticksPerSecond is the number of ticks of a unit in one second.
func ticksPerSecond(u arrow.TimeUnit) int64 { return int64(time.Second / u.Multiplier()) }

// ticksPerDay is the number of ticks of a date32 or timestamp type in a day.
func ticksPerDay(t arrow.DataType) int64 {
	if ts, ok := t.(*arrow.TimestampType); ok {
		return 86400 * ticksPerSecond(ts.Unit)
	}
	return 1
}

// temporalScale returns how to convert ticks of from into ticks of to.
func temporalScale(from, to arrow.DataType) scaleSpec {
	f, t := ticksPerDay(from), ticksPerDay(to)
	if t >= f {
		return scaleSpec{mul: t / f}
	}
	return scaleSpec{div: f / t}
}

// apply scales the rows sel of in (int32 days when fromDate, else int64)
// into out (int32 when toDate). It reports out-of-range rows.
func (s scaleSpec) apply(out, in []byte, sel []int32, fromDate, toDate bool) bool {
	switch {
	case fromDate && toDate:
		return scaleLoop(typed[int32](out), typed[int32](in), sel, s)
	case fromDate:
		return scaleLoop(typed[int64](out), typed[int32](in), sel, s)
	case toDate:
		return scaleLoop(typed[int32](out), typed[int64](in), sel, s)
	}
	return scaleLoop(typed[int64](out), typed[int64](in), sel, s)
}

// scaleLoop applies s to each row: multiply with a bounds check before the
// product, or divide rounding down; the result must fit T.
func scaleLoop[F, T int32 | int64](out []T, in []F, sel []int32, s scaleSpec) bool {
	// Bounds of the target: date32 days or int64 ticks.
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	var z T
	if any(z) == any(int32(0)) {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	bad := false
	one := func(x int64) T {
		var r int64
		if s.mul != 0 {
			// Test before multiplying: Go division truncates toward
			// zero, which gives exactly the representable range.
			if x < lo/s.mul || x > hi/s.mul {
				bad = true
				return 0
			}
			r = x * s.mul
		} else {
			r = floorDiv(x, s.div)
			if r < lo || r > hi {
				bad = true
				return 0
			}
		}
		return T(r)
	}
	if sel == nil {
		for i := range out {
			out[i] = one(int64(in[i]))
		}
		return bad
	}
	for _, i := range sel {
		out[i] = one(int64(in[i]))
	}
	return bad
}

// floorDiv divides rounding toward negative infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// nullNode evaluates an input of NULL type (for its errors) and yields
// NULL of another type.
type nullNode struct {
	base
	in node
}

func (n *nullNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	if _, err := evalNode(ec, n.in, sel); err != nil {
		return nil, err
	}
	return nullScalar, nil
}
