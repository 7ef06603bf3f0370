package eval

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// dateArithNode is date ± days and days + date. The day count is read as
// int64 clamped to ±2^40 (any such value already overflows date32), so no
// implicit cast can fail on rows where the date is NULL.
type dateArithNode struct {
	base
	l, r    node
	dateOnL bool
	sub     bool
	days    scratch
	valid   scratch
	sel     scratch
	out     vec
}

// dateArith compiles date ± days and days + date. Operands are evaluated
// left to right as written, like every binary operator.
func (c *compiler) dateArith(b base, n *expr.Binary, lt, _ arrow.DataType) (node, error) {
	l, err := c.compile(n.Left)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(n.Right)
	if err != nil {
		return nil, err
	}
	return &dateArithNode{base: b, l: l, r: r, dateOnL: lt.ID() == arrow.DATE32, sub: n.Op == expr.OpSub}, nil
}

// dayClamp bounds day counts: any |days| >= 2^33 already overflows date32
// whatever the date, and ±2^40 keeps date + days far from int64 overflow.
const dayClamp = 1 << 40

// eval adds or subtracts days with a date32 range check.
func (d *dateArithNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	l, err := evalNode(ec, d.l, sel)
	if err != nil {
		return nil, err
	}
	r, err := evalNode(ec, d.r, sel)
	if err != nil {
		return nil, err
	}
	if (l.scalar && l.null) || (r.scalar && r.null) {
		return nullScalar, nil
	}
	// Name the operands by role; the date may be on either side of +.
	date, days, daysNode := l, r, d.r
	if !d.dateOnL {
		date, days, daysNode = r, l, d.l
	}
	scalar := l.scalar && r.scalar
	if scalar {
		sel = nil
	}
	out := &d.out
	*out = vec{scalar: scalar, valid: andValid(&d.valid, vectorValid(l), vectorValid(r), ec.n)}
	out.raw, out.owned = d.outValues(ec, scalar)
	dn := rowsOf(ec, days)
	dsel := sel
	if days.scalar {
		dsel = nil
	}
	// Widen the day counts to int64 once, then one loop serves every
	// integer type.
	d64 := typed[int64](d.days.bytes(8 * dn))[:dn]
	clampDays(daysNode.info().p, d64, days.raw, dsel)
	o, dt := typed[int32](out.raw), typed[int32](date.raw)
	bad := addDays(o, dt, d64, date.scalar, days.scalar, d.sub, sel)
	if bad {
		rows := validRows(&d.sel, sel, rowsOf(ec, out), out.valid)
		if len(rows) > 0 && addDays(o, dt, d64, date.scalar, days.scalar, d.sub, rows) {
			return nil, d.fail(fmt.Errorf("%w: date out of range", expr.ErrOverflow))
		}
	}
	return out, nil
}

// addDays computes o = date ± days with int32 range checks.
func addDays(o, date []int32, days []int64, dateScalar, daysScalar, sub bool, sel []int32) bool {
	sign := int64(1)
	if sub {
		sign = -1
	}
	bad := false
	forRows(sel, len(o), func(i int) {
		di, ki := i, i
		if dateScalar {
			di = 0
		}
		if daysScalar {
			ki = 0
		}
		r := int64(date[di]) + sign*days[ki]
		o[i] = int32(r)
		bad = bad || r < math.MinInt32 || r > math.MaxInt32
	})
	return bad
}

// clampDays converts integer day counts to int64 clamped to ±dayClamp.
func clampDays(p phys, out []int64, raw []byte, sel []int32) {
	switch p {
	case pI8:
		clampLoop(out, typed[int8](raw), sel)
	case pI16:
		clampLoop(out, typed[int16](raw), sel)
	case pI32:
		clampLoop(out, typed[int32](raw), sel)
	case pI64:
		clampLoop(out, typed[int64](raw), sel)
	case pU8:
		clampLoop(out, typed[uint8](raw), sel)
	case pU16:
		clampLoop(out, typed[uint16](raw), sel)
	case pU32:
		clampLoop(out, typed[uint32](raw), sel)
	case pU64:
		forRows(sel, len(out), func(i int) {
			out[i] = int64(min(typed[uint64](raw)[i], dayClamp))
		})
	}
}

// clampLoop widens signed or narrow unsigned day counts, clamped.
func clampLoop[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](out []int64, in []T, sel []int32) {
	forRows(sel, len(out), func(i int) {
		out[i] = min(max(int64(in[i]), -dayClamp), dayClamp)
	})
}

// datePartNode is year, month or day of a date32 or timestamp, in UTC.
type datePartNode struct {
	base
	fn  expr.Func
	in  node
	sel scratch
	out vec
}

// eval extracts the field from each live row.
func (d *datePartNode) eval(ec *evalCtx, sel []int32) (*vec, error) {
	v, err := evalNode(ec, d.in, sel)
	if err != nil {
		return nil, err
	}
	if v.scalar && v.null {
		return nullScalar, nil
	}
	if v.scalar {
		sel = nil
	}
	out := &d.out
	*out = vec{scalar: v.scalar, valid: vectorValid(v)}
	out.raw, out.owned = d.outValues(ec, v.scalar)
	// Dates are days; timestamps are first floored to whole days (toward
	// the past, so -1 ns is 1969-12-31).
	perDay := ticksPerDay(d.in.info().t)
	isDate := d.in.info().p == pI32
	o := typed[int32](out.raw)
	bad := false
	one := func(i int) {
		var days int64
		if isDate {
			days = int64(typed[int32](v.raw)[i])
		} else {
			days = floorDiv(typed[int64](v.raw)[i], perDay)
		}
		y, m, dd := civilDate(days)
		switch d.fn {
		case expr.FnYear:
			o[i] = int32(y)
			bad = bad || y < math.MinInt32 || y > math.MaxInt32
		case expr.FnMonth:
			o[i] = int32(m)
		default:
			o[i] = int32(dd)
		}
	}
	forRows(sel, rowsOf(ec, v), one)
	// Only timestamps of about ±10^16 seconds and beyond have a year past
	// int32; re-check the valid live rows before failing.
	if bad {
		for _, i := range validRows(&d.sel, sel, rowsOf(ec, v), out.valid) {
			days := floorDiv(typed[int64](v.raw)[i], perDay)
			if y, _, _ := civilDate(days); y < math.MinInt32 || y > math.MaxInt32 {
				return nil, d.fail(fmt.Errorf("%w: year %d does not fit int32", expr.ErrOverflow, y))
			}
		}
	}
	return out, nil
}
