package agg_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/expr"
)

// The oracle computes an aggregation row at a time with Go maps, straight
// from the SQL definitions, for comparison with the vectorized operator.

// keyOf is the canonical text of a value for grouping and DISTINCT: NULL is
// one key, every NaN is one key and -0 is +0.
func keyOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "N"
	case float64:
		if math.IsNaN(v) {
			return "F:NaN"
		}
		return "F:" + strconv.FormatFloat(v+0, 'g', -1, 64)
	case int64:
		return "I:" + strconv.FormatInt(v, 10)
	case string:
		return "S:" + v
	default:
		return fmt.Sprintf("%T:%v", v, v)
	}
}

// compareValues orders two non-NULL values of one column: numbers with NaN
// greatest, false before true, strings bytewise.
func compareValues(a, b any) int {
	switch a := a.(type) {
	case int64:
		return cmpOrdered(a, b.(int64))
	case uint64:
		return cmpOrdered(a, b.(uint64))
	case float64:
		b := b.(float64)
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return 0
		case math.IsNaN(a):
			return 1
		case math.IsNaN(b):
			return -1
		}
		return cmpOrdered(a, b)
	case bool:
		x, y := 0, 0
		if a {
			x = 1
		}
		if b.(bool) {
			y = 1
		}
		return x - y
	case string:
		return strings.Compare(a, b.(string))
	}
	panic(fmt.Sprintf("compareValues: %T", a))
}

func cmpOrdered[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// oracleAgg computes aggregate a over the values vals (one per row of the
// group, NULLs included; nil slice entries for count(*) are ignored).
func oracleAgg(a agg.AggSpec, t arrow.DataType, vals []any) (any, error) {
	if a.Input < 0 {
		return int64(len(vals)), nil
	}
	var nn []any
	var seen map[string]bool
	if a.Distinct {
		seen = map[string]bool{}
	}
	for _, v := range vals {
		if v == nil {
			continue
		}
		if a.Distinct {
			if seen[keyOf(v)] {
				continue
			}
			seen[keyOf(v)] = true
		}
		nn = append(nn, v)
	}
	switch a.Func {
	case expr.AggCount:
		return int64(len(nn)), nil
	case expr.AggMin, expr.AggMax:
		var best any
		for _, v := range nn {
			c := 0
			if best != nil {
				c = compareValues(v, best)
			}
			if best == nil || (a.Func == expr.AggMin && c < 0) || (a.Func == expr.AggMax && c > 0) {
				best = v
			}
		}
		return best, nil
	}
	if len(nn) == 0 {
		return nil, nil
	}
	if a.Func == expr.AggAvg {
		var s float64
		for _, v := range nn {
			s += toFloat(v)
		}
		return s / float64(len(nn)), nil
	}
	return oracleSum(t, nn)
}

// oracleSum adds non-NULL values in the SUM result type of t, checking
// overflow after every addition.
func oracleSum(t arrow.DataType, nn []any) (any, error) {
	switch {
	case expr.IsSignedInt(t):
		var s int64
		for _, v := range nn {
			x := v.(int64)
			if (x > 0 && s > math.MaxInt64-x) || (x < 0 && s < math.MinInt64-x) {
				return nil, expr.ErrOverflow
			}
			s += x
		}
		return s, nil
	case expr.IsUnsignedInt(t):
		var s uint64
		for _, v := range nn {
			x := v.(uint64)
			if s+x < s {
				return nil, expr.ErrOverflow
			}
			s += x
		}
		return s, nil
	}
	var s float64
	for _, v := range nn {
		s += v.(float64)
	}
	return s, nil
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case float64:
		return v
	}
	panic(fmt.Sprintf("toFloat: %T", v))
}

// oracle computes a Single-mode aggregation of rows (Go values, one slice
// per input row) in first-seen group order.
func oracle(spec agg.Spec, in *arrow.Schema, rows [][]any) ([][]any, error) {
	type group struct {
		key  []any
		vals [][]any // per aggregate, the argument of each row
	}
	index := map[string]*group{}
	var order []*group
	if len(spec.GroupBy) == 0 {
		g := &group{vals: make([][]any, len(spec.Aggs))}
		index[""] = g
		order = append(order, g)
	}
	for _, row := range rows {
		var key []any
		var sb strings.Builder
		for _, c := range spec.GroupBy {
			key = append(key, row[c])
			sb.WriteString(keyOf(row[c]) + "|")
		}
		g := index[sb.String()]
		if g == nil {
			g = &group{key: key, vals: make([][]any, len(spec.Aggs))}
			index[sb.String()] = g
			order = append(order, g)
		}
		for i, a := range spec.Aggs {
			var v any
			if a.Input >= 0 {
				v = row[a.Input]
			}
			g.vals[i] = append(g.vals[i], v)
		}
	}
	out := make([][]any, 0, len(order))
	for _, g := range order {
		row := slices.Clone(g.key)
		for i, a := range spec.Aggs {
			var t arrow.DataType
			if a.Input >= 0 {
				t = in.Field(a.Input).Type
			}
			v, err := oracleAgg(a, t, g.vals[i])
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out, nil
}

// sameValue compares two result values: NaN equals NaN and -0 equals +0.
func sameValue(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		return fa == fb || (math.IsNaN(fa) && math.IsNaN(fb))
	}
	return a == b
}

// requireRows checks got against want row by row (in order).
func requireRows(t *testing.T, want, got [][]any) {
	t.Helper()
	require.Equal(t, len(want), len(got), "row count")
	for i := range want {
		require.Equal(t, len(want[i]), len(got[i]), "row %d width", i)
		for c := range want[i] {
			if !sameValue(want[i][c], got[i][c]) {
				require.Failf(t, "rows differ", "row %d column %d: want %#v, got %#v\nwant row %v\ngot row  %v",
					i, c, want[i][c], got[i][c], want[i], got[i])
			}
		}
	}
}

// sortRows orders rows by their canonical text, for comparing results whose
// group order may differ.
func sortRows(rows [][]any) [][]any {
	text := func(r []any) string {
		var sb strings.Builder
		for _, v := range r {
			sb.WriteString(keyOf(v) + "|")
		}
		return sb.String()
	}
	type keyed struct {
		key string
		row []any
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		ks[i] = keyed{text(r), r}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	out := make([][]any, len(ks))
	for i, k := range ks {
		out[i] = k.row
	}
	return out
}
