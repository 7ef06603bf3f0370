package eval

import (
	"bytes"
	"math"
	"strconv"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
)

// toString formats the rows sel of v as text (see package doc for the
// formats).
func (c *castNode) toString(ec *evalCtx, v, out *vec, sel []int32) error {
	n := rowsOf(ec, v)
	c.sb.reset(n)
	unit := arrow.Second
	if ts, ok := c.from.(*arrow.TimestampType); ok {
		unit = ts.Unit
	}
	// The per-row closure costs a call per row; formatting dwarfs it.
	fp := c.in.info().p
	isDate := c.from.ID() == arrow.DATE32
	isTs := c.from.ID() == arrow.TIMESTAMP
	one := func(i int) {
		if v.isNull(i) {
			return
		}
		c.sb.start(i)
		d := c.sb.data
		switch {
		case isDate:
			d = appendDate(d, int64(typed[int32](v.raw)[i]))
		case isTs:
			d = appendTimestamp(d, typed[int64](v.raw)[i], unit)
		default:
			d = appendNumber(d, fp, v.raw, i)
		}
		c.sb.data = d
		c.sb.commit(i)
	}
	forRows(sel, n, one)
	return c.sb.finish(out, n)
}

// forRows calls f for every row of sel, or rows 0..n-1 when sel is nil.
// It is for per-row work that dwarfs the call (parsing, formatting).
func forRows(sel []int32, n int, f func(i int)) {
	if sel == nil {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	for _, i := range sel {
		f(int(i))
	}
}

// appendNumber formats value i of a numeric or boolean representation.
func appendNumber(d []byte, p phys, raw []byte, i int) []byte {
	switch p {
	case pBool:
		return strconv.AppendBool(d, raw[i] != 0)
	case pI8:
		return strconv.AppendInt(d, int64(typed[int8](raw)[i]), 10)
	case pI16:
		return strconv.AppendInt(d, int64(typed[int16](raw)[i]), 10)
	case pI32:
		return strconv.AppendInt(d, int64(typed[int32](raw)[i]), 10)
	case pI64:
		return strconv.AppendInt(d, typed[int64](raw)[i], 10)
	case pU8:
		return strconv.AppendUint(d, uint64(raw[i]), 10)
	case pU16:
		return strconv.AppendUint(d, uint64(typed[uint16](raw)[i]), 10)
	case pU32:
		return strconv.AppendUint(d, uint64(typed[uint32](raw)[i]), 10)
	case pU64:
		return strconv.AppendUint(d, typed[uint64](raw)[i], 10)
	case pF32:
		return appendFloat(d, float64(typed[float32](raw)[i]), 32)
	}
	return appendFloat(d, typed[float64](raw)[i], 64)
}

// appendFloat formats a float with the shortest round-trip digits, spelling
// NaN and the infinities as Spark does.
func appendFloat(d []byte, f float64, bitSize int) []byte {
	switch {
	case f != f:
		return append(d, "NaN"...)
	case math.IsInf(f, 1):
		return append(d, "Infinity"...)
	case math.IsInf(f, -1):
		return append(d, "-Infinity"...)
	}
	return strconv.AppendFloat(d, f, 'g', -1, bitSize)
}

// appendPadded writes x in decimal, zero-padded to width characters
// including a leading minus sign (as fmt's %0*d).
func appendPadded(d []byte, x int64, width int) []byte {
	var tmp [24]byte
	digits := strconv.AppendInt(tmp[:0], x, 10)
	if x < 0 {
		d = append(d, '-')
		digits = digits[1:]
		width--
	}
	for k := len(digits); k < width; k++ {
		d = append(d, '0')
	}
	return append(d, digits...)
}

// civilDate converts days since 1970-01-01 to year, month, day in the
// proleptic Gregorian calendar, counting 400-year eras of 146097 days.
func civilDate(days int64) (y, m, d int64) {
	days += 719468 // shift the epoch to 0000-03-01
	era := days / 146097
	if days%146097 < 0 {
		era--
	}
	doe := days - era*146097                               // day of era [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of year from March 1
	mp := (5*doy + 2) / 153                                // month from March [0, 11]
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	y = yoe + era*400
	if m > 12 {
		m -= 12
		y++
	}
	return y, m, d
}

// appendDate writes days since the epoch as YYYY-MM-DD (years beyond four
// digits or negative are written in full).
func appendDate(d []byte, days int64) []byte {
	y, m, dd := civilDate(days)
	d = appendPadded(d, y, 4)
	d = append(d, '-')
	d = appendPadded(d, m, 2)
	d = append(d, '-')
	return appendPadded(d, dd, 2)
}

// appendTimestamp writes ticks of unit as "YYYY-MM-DD hh:mm:ss" plus the
// fraction in the unit's digits with trailing zeros dropped. Seconds and
// days are floored, so times before 1970 read forward from midnight.
func appendTimestamp(d []byte, ts int64, unit arrow.TimeUnit) []byte {
	per := ticksPerSecond(unit)
	secs := floorDiv(ts, per)
	frac := ts - secs*per
	days := floorDiv(secs, 86400)
	sod := secs - days*86400
	d = appendDate(d, days)
	d = append(d, ' ')
	d = appendPadded(d, sod/3600, 2)
	d = append(d, ':')
	d = appendPadded(d, sod/60%60, 2)
	d = append(d, ':')
	d = appendPadded(d, sod%60, 2)
	if frac != 0 {
		digits := len(strconv.FormatInt(per, 10)) - 1
		d = append(d, '.')
		d = appendPadded(d, frac, digits)
		for d[len(d)-1] == '0' {
			d = d[:len(d)-1]
		}
	}
	return d
}

// fromString parses the rows sel of string vec v. Rows that do not parse
// become NULL.
func (c *castNode) fromString(ec *evalCtx, v, out *vec, sel []int32) error {
	n := rowsOf(ec, v)
	out.raw, out.owned = c.outValues(ec, v.scalar)
	// Start from the input's validity and clear the rows that fail.
	valid := c.valid.bytes(bitmapBytes(n))
	if in := vectorValid(v); in != nil {
		copy(valid, in[:(n+7)/8])
	} else {
		for i := range valid {
			valid[i] = 0xff
		}
	}
	out.valid = valid
	p := c.p
	unit := arrow.Second
	if ts, ok := c.t.(*arrow.TimestampType); ok {
		unit = ts.Unit
	}
	failed := false
	forRows(sel, n, func(i int) {
		if v.isNull(i) {
			return
		}
		// Parsers get a string view of the Arrow bytes (no copy); none of
		// them keeps it.
		s := bytes.TrimSpace(v.str(i))
		if !parseInto(out.raw, i, p, c.t.ID(), unit, unsafe.String(unsafe.SliceData(s), len(s))) {
			setBitTo(valid, i, 0)
			failed = true
		}
	})
	if v.scalar {
		out.null = failed
	}
	return nil
}

// parseInto parses s as the value of row i of raw; false when it does not
// parse or fit. s may alias Arrow memory and must not be retained.
func parseInto(raw []byte, i int, p phys, id arrow.Type, unit arrow.TimeUnit, s string) bool {
	switch {
	case p == pBool:
		b, ok := parseBool(s)
		raw[i] = b2u8(b)
		return ok
	case isFloatPhys(p):
		bitSize := 64
		if p == pF32 {
			bitSize = 32
		}
		f, err := strconv.ParseFloat(s, bitSize)
		if err != nil && !isRangeErr(err) {
			return false
		}
		if p == pF32 {
			typed[float32](raw)[i] = float32(f)
		} else {
			typed[float64](raw)[i] = f
		}
		return true
	case id == arrow.DATE32:
		// time.Parse checks the calendar (2023-02-29 fails).
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return false
		}
		typed[int32](raw)[i] = int32(t.Unix() / 86400)
		return true
	case id == arrow.TIMESTAMP:
		x, ok := parseTimestamp(s, unit)
		typed[int64](raw)[i] = x
		return ok
	case isSignedPhys(p):
		// Parse as 64 bits, then range-check for the target width.
		x, err := strconv.ParseInt(s, 10, 64)
		return err == nil && storeInt(raw, i, p, x, 0, true)
	}
	x, err := strconv.ParseUint(s, 10, 64)
	return err == nil && storeInt(raw, i, p, 0, x, false)
}

// isRangeErr reports a syntactically valid number out of the float range.
func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseBool accepts t, true, y, yes, 1, f, false, n, no, 0 in any ASCII case.
func parseBool(s string) (val, ok bool) {
	if len(s) > 5 {
		return false, false
	}
	var low [5]byte
	for k := 0; k < len(s); k++ {
		b := s[k]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		low[k] = b
	}
	switch string(low[:len(s)]) {
	case "t", "true", "y", "yes", "1":
		return true, true
	case "f", "false", "n", "no", "0":
		return false, true
	}
	return false, false
}

// storeInt range-checks a parsed integer (x when signed, u otherwise) for
// representation p and stores it at row i.
func storeInt(raw []byte, i int, p phys, x int64, u uint64, signed bool) bool {
	if !signed {
		if u > math.MaxInt64 {
			if p != pU64 {
				return false
			}
			typed[uint64](raw)[i] = u
			return true
		}
		x = int64(u)
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch p {
	case pI8:
		lo, hi = math.MinInt8, math.MaxInt8
	case pI16:
		lo, hi = math.MinInt16, math.MaxInt16
	case pI32:
		lo, hi = math.MinInt32, math.MaxInt32
	case pU8:
		lo, hi = 0, math.MaxUint8
	case pU16:
		lo, hi = 0, math.MaxUint16
	case pU32:
		lo, hi = 0, math.MaxUint32
	case pU64:
		lo = 0
	}
	if x < lo || x > hi {
		return false
	}
	switch p {
	case pI8:
		typed[int8](raw)[i] = int8(x)
	case pI16:
		typed[int16](raw)[i] = int16(x)
	case pI32:
		typed[int32](raw)[i] = int32(x)
	case pI64:
		typed[int64](raw)[i] = x
	case pU8:
		raw[i] = uint8(x)
	case pU16:
		typed[uint16](raw)[i] = uint16(x)
	case pU32:
		typed[uint32](raw)[i] = uint32(x)
	default:
		typed[uint64](raw)[i] = uint64(x)
	}
	return true
}

// timestampLayouts are the accepted text forms of a timestamp; fractional
// seconds may follow the seconds.
var timestampLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"}

// parseTimestamp parses s into ticks of unit; false when it does not parse
// or does not fit int64.
func parseTimestamp(s string, unit arrow.TimeUnit) (int64, bool) {
	for _, layout := range timestampLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		per := ticksPerSecond(unit)
		secs, frac := t.Unix(), int64(t.Nanosecond())/(int64(time.Second)/per)
		if secs < 0 && frac > 0 { // keep the product small: -1.5 s = -1 s - 0.5 s
			secs, frac = secs+1, frac-per
		}
		x, acc := mulInt64(secs, per)
		sum := x + frac
		if acc != 0 || (frac > 0 && sum < x) || (frac < 0 && sum > x) {
			return 0, false
		}
		return sum, true
	}
	return 0, false
}
