package physical

import (
	"github.com/grainql/grain/plan"
)

// estimateBytes estimates the size of a logical node's output, as Spark
// does without cost-based statistics: a scan is its source's size scaled
// by the fraction of columns read; filters, projections and aggregates are
// assumed no smaller than their input; a limit is at most its row count
// times the input's average row size; a union is the sum of its inputs.
// Joins and unknown sizes return -1 (never broadcast by size).
func estimateBytes(n plan.Node) int64 {
	switch n := n.(type) {
	case *plan.Scan:
		st := n.Source.Stats()
		if st.Bytes < 0 {
			return -1
		}
		all := n.Source.Schema().NumFields()
		if all == 0 {
			return 0
		}
		return st.Bytes * int64(n.Schema().NumFields()) / int64(all)
	case *plan.Filter, *plan.Sort, *plan.Distinct:
		return estimateBytes(n.Children()[0])
	case *plan.Project:
		in := estimateBytes(n.Input)
		if in < 0 {
			return -1
		}
		return in * int64(max(1, n.Schema().NumFields())) / int64(max(1, n.Input.Schema().NumFields()))
	case *plan.Aggregate:
		return estimateBytes(n.Input)
	case *plan.Limit:
		in := estimateBytes(n.Input)
		rows := estimateRows(n.Input)
		if in < 0 || rows <= 0 || n.Count < 0 {
			return in
		}
		return min(in, in/rows*n.Count)
	case *plan.Union:
		var sum int64
		for _, c := range n.Inputs {
			b := estimateBytes(c)
			if b < 0 {
				return -1
			}
			sum += b
		}
		return sum
	}
	return -1
}

// estimateRows estimates row counts the same way (-1 when unknown).
func estimateRows(n plan.Node) int64 {
	switch n := n.(type) {
	case *plan.Scan:
		return n.Source.Stats().Rows
	case *plan.Filter, *plan.Sort, *plan.Distinct, *plan.Project, *plan.Aggregate:
		return estimateRows(n.Children()[0])
	case *plan.Limit:
		in := estimateRows(n.Input)
		if n.Count >= 0 && (in < 0 || n.Count < in) {
			return n.Count
		}
		return in
	}
	return -1
}
