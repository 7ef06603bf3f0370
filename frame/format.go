package frame

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/expr"
)

// maxCellRunes is the widest cell Show prints; longer values are cut and
// end in "...".
const maxCellRunes = 40

// formatCell renders row i of arr for Show: "null" for NULL, integers in
// decimal, floats in the shortest form that round-trips (with ".0" when
// integral, NaN, Infinity), dates as 2006-01-02, timestamps in UTC (or their
// zone) as 2006-01-02 15:04:05[.ffffff], binary as 0x…, strings with control
// characters escaped.
func formatCell(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10)
	case *array.Float32:
		return expr.FormatFloat(float64(a.Value(i)), 32)
	case *array.Float64:
		return expr.FormatFloat(a.Value(i), 64)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.String:
		return escapeText(a.Value(i))
	case *array.LargeString:
		return escapeText(a.Value(i))
	case *array.Binary:
		return "0x" + hex.EncodeToString(a.Value(i))
	case *array.LargeBinary:
		return "0x" + hex.EncodeToString(a.Value(i))
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	case *array.Timestamp:
		return formatTimestamp(a.Value(i), a.DataType().(*arrow.TimestampType))
	}
	return escapeText(arr.ValueStr(i))
}

// formatTimestamp prints a timestamp in its type's zone (UTC when none),
// with a fractional part only when there is one.
func formatTimestamp(v arrow.Timestamp, t *arrow.TimestampType) string {
	tm := v.ToTime(t.Unit)
	if t.TimeZone != "" {
		if loc, err := t.GetZone(); err == nil && loc != nil {
			tm = tm.In(loc)
		}
	}
	return tm.Format("2006-01-02 15:04:05.999999999")
}

// textEscaper keeps every cell on one line.
var textEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// escapeText escapes line breaks and tabs and cuts long values.
func escapeText(s string) string {
	s = textEscaper.Replace(s)
	if utf8.RuneCountInString(s) <= maxCellRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxCellRunes-3 {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

// rightAligned reports whether Show aligns a column of type t to the right
// (numbers).
func rightAligned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}
