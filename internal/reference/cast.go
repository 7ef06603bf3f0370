package reference

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

// castValue converts v of type from to type to (expr.CanCast holds).
func castValue(v any, from, to arrow.DataType) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch {
	case arrow.TypeEqual(from, to):
		return v, nil
	case expr.IsString(to):
		return toString(v, from), nil
	case expr.IsString(from):
		return parseString(v.(string), to), nil
	case expr.IsTemporal(from):
		return castTemporal(v, from, to)
	}
	return convertNumeric(v, to)
}

// unitsPerSecond returns how many ticks of unit make one second.
func unitsPerSecond(u arrow.TimeUnit) int64 {
	return int64(time.Second / u.Multiplier())
}

// ticksPerDay returns the ticks of type t (date32 or timestamp) in one day.
func ticksPerDay(t arrow.DataType) int64 {
	if ts, ok := t.(*arrow.TimestampType); ok {
		return 86400 * unitsPerSecond(ts.Unit)
	}
	return 1
}

// castTemporal converts between date32 and timestamps of any unit.
func castTemporal(v any, from, to arrow.DataType) (any, error) {
	var x int64
	if d, ok := v.(arrow.Date32); ok {
		x = int64(d)
	} else {
		x = int64(v.(arrow.Timestamp))
	}
	// Work in exact integers: value * (to per from) rounded down.
	num := big.NewInt(x)
	fp, tp := ticksPerDay(from), ticksPerDay(to)
	if from.ID() == arrow.TIMESTAMP && to.ID() == arrow.TIMESTAMP {
		fp = unitsPerSecond(from.(*arrow.TimestampType).Unit)
		tp = unitsPerSecond(to.(*arrow.TimestampType).Unit)
	}
	num.Mul(num, big.NewInt(tp))
	q := new(big.Int).Div(num, big.NewInt(fp)) // Euclidean: rounds down for fp > 0
	var lo, hi *big.Int
	if to.ID() == arrow.DATE32 {
		lo, hi = intRange(arrow.PrimitiveTypes.Int32)
	} else {
		lo, hi = intRange(arrow.PrimitiveTypes.Int64)
	}
	if q.Cmp(lo) < 0 || q.Cmp(hi) > 0 {
		return nil, fmt.Errorf("%w: %v does not fit %s", expr.ErrOverflow, v, to)
	}
	if to.ID() == arrow.DATE32 {
		return arrow.Date32(q.Int64()), nil
	}
	return arrow.Timestamp(q.Int64()), nil
}

// toString formats a value for CAST(... AS string).
func toString(v any, from arrow.DataType) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float32:
		return formatFloat(float64(x), 32)
	case float64:
		return formatFloat(x, 64)
	case arrow.Date32:
		y, m, d := civil(int64(x))
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case arrow.Timestamp:
		return formatTimestamp(int64(x), from.(*arrow.TimestampType).Unit)
	}
	b, _ := bigOf(v)
	return b.String()
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// formatTimestamp writes "2006-01-02 15:04:05[.fraction]" for ticks of unit.
func formatTimestamp(ts int64, unit arrow.TimeUnit) string {
	per := unitsPerSecond(unit)
	secs, frac := floorDiv(ts, per)
	days, sod := floorDiv(secs, 86400)
	y, m, d := civil(days)
	s := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, m, d, sod/3600, sod/60%60, sod%60)
	if frac != 0 {
		digits := len(strconv.FormatInt(per, 10)) - 1
		fs := fmt.Sprintf("%0*d", digits, frac)
		s += "." + strings.TrimRight(fs, "0")
	}
	return s
}

// floorDiv returns the floor quotient and the non-negative remainder.
func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's civil_from_days).
func civil(days int64) (year, month, day int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// parseString converts a string for CAST(s AS to); nil when it does not
// parse or does not fit.
func parseString(s string, to arrow.DataType) any {
	s = strings.TrimSpace(s)
	switch {
	case to.ID() == arrow.BOOL:
		switch strings.ToLower(s) {
		case "t", "true", "y", "yes", "1":
			return true
		case "f", "false", "n", "no", "0":
			return false
		}
		return nil
	case expr.IsFloat(to):
		bits := 64
		if to.ID() == arrow.FLOAT32 {
			bits = 32
		}
		f, err := strconv.ParseFloat(s, bits)
		if err != nil && !isRangeErr(err) {
			return nil
		}
		if bits == 32 {
			return float32(f)
		}
		return f
	case expr.IsInteger(to):
		var b *big.Int
		if expr.IsSignedInt(to) {
			x, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil
			}
			b = big.NewInt(x)
		} else {
			x, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil
			}
			b = new(big.Int).SetUint64(x)
		}
		v, err := fromBig(b, to)
		if err != nil {
			return nil
		}
		return v
	case to.ID() == arrow.DATE32:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil
		}
		return arrow.Date32(t.Unix() / 86400)
	case to.ID() == arrow.TIMESTAMP:
		return parseTimestamp(s, to.(*arrow.TimestampType).Unit)
	}
	return nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func parseTimestamp(s string, unit arrow.TimeUnit) any {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		per := unitsPerSecond(unit)
		z := new(big.Int).Mul(big.NewInt(t.Unix()), big.NewInt(per))
		z.Add(z, big.NewInt(int64(t.Nanosecond())/(int64(time.Second)/per)))
		if !z.IsInt64() {
			return nil
		}
		return arrow.Timestamp(z.Int64())
	}
	return nil
}
