package optimize

import (
	"math"
	"strconv"
	"strings"

	"github.com/grainql/grain/plan"
)

// FormatWithEstimates renders a plan like plan.Format with each node's
// estimated output rows, and flags every join whose estimate exceeds its
// larger input (the rows it multiplies), which is where pre-aggregation or
// a different plan pays off:
//
//	Aggregate: group=[entity, dim_key] aggs=[sum(metric * weight) AS total]  (rows≈20,000)
//	  Join: inner on [grp = grp]  (rows≈2,000,000, fan-out ×20)
//	    Scan: fact  (rows≈100,000)
//	    Scan: dim  (rows≈1,000)
func FormatWithEstimates(n plan.Node) string {
	return NewEstimates().Format(n)
}

// Format is FormatWithEstimates with this memo.
func (e *Estimates) Format(n plan.Node) string {
	var sb strings.Builder
	e.format(&sb, n, 0)
	return sb.String()
}

func (e *Estimates) format(sb *strings.Builder, n plan.Node, depth int) {
	sb.WriteString(strings.Repeat("  ", depth))
	sb.WriteString(n.String())
	sb.WriteString("  (rows≈" + FormatCount(e.Of(n).Rows))
	if j, ok := n.(*plan.Join); ok {
		if f := e.FanOut(j); f > 1 {
			sb.WriteString(", fan-out ×" + FormatRatio(f))
		}
	}
	sb.WriteString(")\n")
	for _, c := range n.Children() {
		e.format(sb, c, depth+1)
	}
}

// FormatCount renders an estimated count rounded to an integer with
// thousands separators ("2,000,000"); a positive count below one is "<1".
func FormatCount(x float64) string {
	if x > 0 && x < 0.5 {
		return "<1"
	}
	if math.IsInf(x, 0) || math.IsNaN(x) || x >= 1e18 {
		return "huge"
	}
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	var sb strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(ch)
	}
	return sb.String()
}

// FormatRatio renders a ratio: with one decimal below 10 ("2.5"), as a
// rounded count from 10 on ("20", "1,500").
func FormatRatio(x float64) string {
	if x < 10 {
		s := strconv.FormatFloat(x, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0")
	}
	return FormatCount(x)
}
