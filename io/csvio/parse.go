package csvio

import (
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
)

// Value parsers. They take a field's bytes (quotes already removed), accept
// surrounding spaces and tabs, never allocate on success, and report
// failure with ok == false.

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseDigits reads an unsigned decimal number that fills b.
func parseDigits(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		d := uint64(c - '0')
		if d > 9 || u > (math.MaxUint64-d)/10 {
			return 0, false
		}
		u = u*10 + d
	}
	return u, true
}

// parseInt reads a signed 64-bit decimal integer with an optional sign.
func parseInt(b []byte) (int64, bool) {
	b = trimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	u, ok := parseDigits(b)
	switch {
	case !ok:
		return 0, false
	case neg && u <= 1<<63:
		return int64(-u), true // -u wraps to the two's complement of u
	case !neg && u <= math.MaxInt64:
		return int64(u), true
	}
	return 0, false
}

// parseUint reads an unsigned 64-bit decimal integer with an optional '+'.
func parseUint(b []byte) (uint64, bool) {
	b = trimSpace(b)
	if len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	return parseDigits(b)
}

// signedParser parses an integer of type T, rejecting values out of range.
func signedParser[T int8 | int16 | int32 | int64](lo, hi int64) func([]byte) (T, bool) {
	return func(b []byte) (T, bool) {
		v, ok := parseInt(b)
		if !ok || v < lo || v > hi {
			return 0, false
		}
		return T(v), true
	}
}

// unsignedParser parses an unsigned integer of type T, rejecting values out
// of range.
func unsignedParser[T uint8 | uint16 | uint32 | uint64](hi uint64) func([]byte) (T, bool) {
	return func(b []byte) (T, bool) {
		v, ok := parseUint(b)
		if !ok || v > hi {
			return 0, false
		}
		return T(v), true
	}
}

// parseFloat reads a decimal float (digits, sign, point, exponent) or one
// of nan, inf, infinity with an optional sign, in any case. Hexadecimal
// floats and underscores are refused, and so are values out of range.
func parseFloat(b []byte, bits int) (float64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			if !isFloatWord(b) {
				return 0, false
			}
			break
		}
	}
	if bits == 64 { // rounding to float64 first could misround float32
		if f, ok := fastFloat(b); ok {
			return f, true
		}
	}
	f, err := strconv.ParseFloat(string(b), bits)
	return f, err == nil
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat parses [+-]digits[.digits] with at most 15 significant digits:
// the mantissa and the power of ten are then exact float64 values, so one
// division gives the correctly rounded result. Other forms return false.
func fastFloat(b []byte) (float64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var m uint64
	digits, frac, seenDot := 0, 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if m != 0 || c != '0' {
				digits++
			}
			m = m*10 + uint64(c-'0')
			if seenDot {
				frac++
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return 0, false
		}
		if digits > 15 {
			return 0, false
		}
	}
	if len(b) == 0 || len(b) == 1 && seenDot || frac >= len(pow10) {
		return 0, false
	}
	f := float64(m) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}

// isFloatWord reports whether b is [+-](nan|inf|infinity), any case.
func isFloatWord(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	return equalFold(b, "nan") || equalFold(b, "inf") || equalFold(b, "infinity")
}

// equalFold compares b with the lower-case ASCII word w, ignoring case.
func equalFold(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}

// parseBool accepts true/false, t/f, yes/no, y/n and 1/0, in any case.
func parseBool(b []byte) (bool, bool) {
	b = trimSpace(b)
	switch {
	case equalFold(b, "true"), equalFold(b, "t"), equalFold(b, "yes"), equalFold(b, "y"), len(b) == 1 && b[0] == '1':
		return true, true
	case equalFold(b, "false"), equalFold(b, "f"), equalFold(b, "no"), equalFold(b, "n"), len(b) == 1 && b[0] == '0':
		return false, true
	}
	return false, false
}

// isBoolWord is the stricter test used by inference: true or false, any
// case (so that 0/1 columns stay integers).
func isBoolWord(b []byte) bool {
	b = trimSpace(b)
	return equalFold(b, "true") || equalFold(b, "false")
}

// parseDate reads [+-]YYYY-MM-DD (4 to 6 year digits) as days since the
// Unix epoch.
func parseDate(b []byte) (arrow.Date32, bool) {
	days, rest, ok := parseDatePrefix(trimSpace(b))
	if !ok || len(rest) != 0 {
		return 0, false
	}
	return arrow.Date32(days), true
}

// parseDatePrefix reads a date at the start of b and returns the rest.
func parseDatePrefix(b []byte) (days int64, rest []byte, ok bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n := 0
	for n < len(b) && n < 7 && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	if n < 4 || n > 6 || len(b) < n+6 || b[n] != '-' || b[n+3] != '-' {
		return 0, nil, false
	}
	y, _ := parseDigits(b[:n])
	m, okM := twoDigits(b[n+1:])
	d, okD := twoDigits(b[n+4:])
	year := int64(y)
	if neg {
		year = -year
	}
	if !okM || !okD || m < 1 || m > 12 || d < 1 || d > daysIn(year, m) {
		return 0, nil, false
	}
	return daysFromCivil(year, m, d), b[n+6:], true
}

// parseTimestamp reads a date, optionally followed by ' ' or 'T' and
// HH:MM[:SS[.fraction]], optionally followed by Z or an offset ±HH[[:]MM],
// and returns it in unit since the Unix epoch (UTC). Fraction digits
// beyond the unit's precision are truncated.
func parseTimestamp(b []byte, unit arrow.TimeUnit) (arrow.Timestamp, bool) {
	days, rest, ok := parseDatePrefix(trimSpace(b))
	if !ok {
		return 0, false
	}
	secs := days * 86400
	var nanos int64
	if len(rest) > 0 {
		if rest[0] != ' ' && rest[0] != 'T' {
			return 0, false
		}
		var tod int64
		if tod, nanos, rest, ok = parseClock(rest[1:]); !ok {
			return 0, false
		}
		secs += tod
		var off int64
		if off, ok = parseZone(rest); !ok {
			return 0, false
		}
		secs -= off
	}
	unitNanos := int64(unit.Multiplier()) // nanoseconds per unit
	perSec := int64(time.Second) / unitNanos
	if secs > math.MaxInt64/perSec || secs < math.MinInt64/perSec {
		return 0, false
	}
	v, frac := secs*perSec, nanos/unitNanos
	if v > math.MaxInt64-frac {
		return 0, false
	}
	return arrow.Timestamp(v + frac), true
}

// parseClock reads HH:MM[:SS[.f{1,9}]] and returns the seconds of the day,
// the nanoseconds and the rest of b.
func parseClock(b []byte) (secs, nanos int64, rest []byte, ok bool) {
	h, okH := twoDigits(b)
	if !okH || len(b) < 5 || b[2] != ':' {
		return 0, 0, nil, false
	}
	m, okM := twoDigits(b[3:])
	b = b[5:]
	var s int
	okS := true
	if len(b) > 0 && b[0] == ':' {
		s, okS = twoDigits(b[1:])
		b = b[min(3, len(b)):]
		if okS && len(b) > 0 && b[0] == '.' {
			n := 1
			for n < len(b) && b[n] >= '0' && b[n] <= '9' {
				n++
			}
			if n == 1 || n > 10 {
				return 0, 0, nil, false
			}
			f, _ := parseDigits(b[1:n])
			for i := n - 1; i < 9; i++ {
				f *= 10
			}
			nanos = int64(f)
			b = b[n:]
		}
	}
	if !okM || !okS || h > 23 || m > 59 || s > 59 {
		return 0, 0, nil, false
	}
	return int64(h*3600 + m*60 + s), nanos, b, true
}

// parseZone reads "", "Z" or ±HH[[:]MM] and returns the offset in seconds.
func parseZone(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	if len(b) == 1 && (b[0] == 'Z' || b[0] == 'z') {
		return 0, true
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, false
	}
	sign := int64(1)
	if b[0] == '-' {
		sign = -1
	}
	h, ok := twoDigits(b[1:])
	rest := b[min(3, len(b)):]
	m := 0
	okM := true
	switch {
	case len(rest) == 3 && rest[0] == ':':
		m, okM = twoDigits(rest[1:])
	case len(rest) == 2:
		m, okM = twoDigits(rest)
	case len(rest) != 0:
		return 0, false
	}
	if !ok || !okM || h > 23 || m > 59 {
		return 0, false
	}
	return sign * int64(h*3600+m*60), true
}

func twoDigits(b []byte) (int, bool) {
	if len(b) < 2 || b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (H. Hinnant's algorithm).
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
