package reference

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Compare is a total order on values: NULL before everything; numbers by
// value (NaN above every other number, -0 equal to +0; integers of
// different Go types compare exactly, an integer against a float as
// float64); false before true; strings and []byte bytewise; dates and
// timestamps by value. Values of unrelated kinds order by kind.
func Compare(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := bigOf(a); ok {
		if y, ok := bigOf(b); ok {
			return x.Cmp(y)
		}
	}
	if isNumber(a) && isNumber(b) {
		return cmpFloat(toFloat64(a), toFloat64(b))
	}
	switch x := a.(type) {
	case bool:
		if y, ok := b.(bool); ok {
			return cmpBool(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y)
		}
	case arrow.Date32:
		if y, ok := b.(arrow.Date32); ok {
			return cmp.Compare(x, y)
		}
	case arrow.Timestamp:
		if y, ok := b.(arrow.Timestamp); ok {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(kindRank(a), kindRank(b))
}

func isNumber(v any) bool {
	switch v.(type) {
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

func kindRank(v any) int {
	switch v.(type) {
	case bool:
		return 1
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return 2
	case string:
		return 3
	case []byte:
		return 4
	case arrow.Date32:
		return 5
	case arrow.Timestamp:
		return 6
	}
	return 7
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// cmpFloat orders floats with NaN greatest and NaN equal to NaN.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CompareRows orders rows lexicographically by Compare.
func CompareRows(a, b Row) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// SortRows sorts rows in place by CompareRows.
func SortRows(rows []Row) {
	sort.SliceStable(rows, func(i, j int) bool { return CompareRows(rows[i], rows[j]) < 0 })
}

// FloatTolerance is the relative tolerance ValueEqual allows between floats.
const FloatTolerance = 1e-9

// ValueEqual reports whether two result values are equal: floats within
// FloatTolerance relative error (NaN equals NaN, infinities need the same
// sign), []byte by content, everything else with Compare == 0 and the same
// Go type.
func ValueEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return false
	}
	switch x := a.(type) {
	case float32:
		return floatClose(float64(x), float64(b.(float32)))
	case float64:
		return floatClose(x, b.(float64))
	}
	return Compare(a, b) == 0
}

func floatClose(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return false
	}
	return math.Abs(a-b) <= FloatTolerance*math.Max(math.Abs(a), math.Abs(b))
}

// RowsEqual reports whether two rows have equal values (ValueEqual).
func RowsEqual(a, b Row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !ValueEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Key returns a canonical text key for a row, usable in maps for exact
// multiset comparison. Floats are rounded to 9 significant digits, -0 is
// written as 0, and every value carries its Go type.
func Key(r Row) string {
	var sb strings.Builder
	for i, v := range r {
		if i > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(keyOf(v))
	}
	return sb.String()
}

func keyOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float32:
		return "f32:" + floatKey(float64(x))
	case float64:
		return "f64:" + floatKey(x)
	case string:
		return "s:" + strconv.Quote(x)
	case []byte:
		return "b:" + strconv.Quote(string(x))
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func floatKey(f float64) string {
	if f == 0 {
		f = 0 // drops the sign of -0
	}
	return strconv.FormatFloat(f, 'g', 9, 64)
}

// DiffMultiset compares two results as multisets of rows (order ignored,
// floats within FloatTolerance). It returns "" when they match, otherwise a
// description of the first differences.
func DiffMultiset(want, got []Row) string {
	if len(want) != len(got) {
		return fmt.Sprintf("got %d rows, want %d", len(got), len(want))
	}
	w := append([]Row(nil), want...)
	g := append([]Row(nil), got...)
	SortRows(w)
	SortRows(g)
	same := true
	for i := range w {
		if !RowsEqual(w[i], g[i]) {
			same = false
			break
		}
	}
	if same {
		return ""
	}
	// Floats within tolerance may sort differently: match greedily.
	used := make([]bool, len(g))
	var missing []Row
	for _, wr := range w {
		found := false
		for j, gr := range g {
			if !used[j] && RowsEqual(wr, gr) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, wr)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	var extra []Row
	for j, u := range used {
		if !u {
			extra = append(extra, g[j])
		}
	}
	return fmt.Sprintf("%d rows differ; missing %s; unexpected %s", len(missing), firstRows(missing), firstRows(extra))
}

func firstRows(rows []Row) string {
	var parts []string
	for i, r := range rows {
		if i == 5 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%v", []any(r)))
	}
	return strings.Join(parts, ", ")
}
