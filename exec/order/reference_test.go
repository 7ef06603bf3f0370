package order_test

import (
	"bytes"
	"cmp"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec/order"
)

// refCompareValues compares two non-NULL values of the same Go type in
// Grain's order: integers by value, floats with -0 == +0 and NaN above
// everything (all NaNs equal), strings and bytes bytewise, false < true.
func refCompareValues(t *testing.T, a, b any) int {
	switch x := a.(type) {
	case int8:
		return cmp.Compare(x, b.(int8))
	case int16:
		return cmp.Compare(x, b.(int16))
	case int32:
		return cmp.Compare(x, b.(int32))
	case int64:
		return cmp.Compare(x, b.(int64))
	case uint8:
		return cmp.Compare(x, b.(uint8))
	case uint16:
		return cmp.Compare(x, b.(uint16))
	case uint32:
		return cmp.Compare(x, b.(uint32))
	case uint64:
		return cmp.Compare(x, b.(uint64))
	case arrow.Date32:
		return cmp.Compare(x, b.(arrow.Date32))
	case arrow.Timestamp:
		return cmp.Compare(x, b.(arrow.Timestamp))
	case float32:
		return refCompareFloat(float64(x), float64(b.(float32)))
	case float64:
		return refCompareFloat(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	t.Fatalf("refCompareValues: %T", a)
	return 0
}

func refCompareFloat(a, b float64) int {
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
	return 0 // includes -0 == +0
}

// refCompareRows compares two rows by keys.
func refCompareRows(t *testing.T, a, b []any, keys []order.Key) int {
	for _, k := range keys {
		x, y := a[k.Col], b[k.Col]
		var c int
		switch {
		case x == nil && y == nil:
			c = 0
		case x == nil || y == nil:
			c = 1 // NULL last
			if x != nil {
				c = -1
			}
			if k.NullsFirst {
				c = -c
			}
		default:
			c = refCompareValues(t, x, y)
			if k.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// refSort returns the rows live (indexes into rows, in input order) sorted
// stably by keys.
func refSort(t *testing.T, rows [][]any, live []int, keys []order.Key) [][]any {
	out := make([][]any, len(live))
	for i, r := range live {
		out[i] = rows[r]
	}
	sort.SliceStable(out, func(i, j int) bool { return refCompareRows(t, out[i], out[j], keys) < 0 })
	return out
}

// refLimit returns rows[offset : offset+count], clamped (count < 0: no limit).
func refLimit(rows [][]any, offset, count int64) [][]any {
	lo := min(offset, int64(len(rows)))
	hi := int64(len(rows))
	if count >= 0 {
		hi = min(hi, lo+count)
	}
	return rows[lo:hi]
}
