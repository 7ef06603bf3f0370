package physical

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// scanNode reads a source. Its splits are grouped into partitions (scan
// tasks); each task reads its splits one after another.
//
// The scan reads the pushed projection plus the columns its pushed filters
// need, re-applies the filters (sources treat them as hints) and drops the
// filter-only columns.
type scanNode struct {
	base
	groups   [][]source.Split
	read     *arrow.Schema
	filter   expr.Expr
	keep     []int
	rows     int64
	splitsN  int
	scanName string
}

// newScan plans the scan of n with at most tasks partitions.
func newScan(n *plan.Scan, batchSize, tasks int) (*scanNode, error) {
	raw := n.Source.Schema()
	cols := n.Columns
	if cols == nil {
		cols = make([]int, raw.NumFields())
		for i := range cols {
			cols[i] = i
		}
	}
	read := append([]int(nil), cols...)
	for _, f := range n.Filters {
		for _, c := range expr.Columns(f) {
			i, err := expr.Resolve(raw, c)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(read, i) {
				read = append(read, i)
			}
		}
	}
	splits, err := n.Source.Splits(context.Background(), source.ScanRequest{
		Columns: read, Filters: n.Filters, BatchSize: batchSize,
	})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", n.Name(), err)
	}
	fields := make([]arrow.Field, len(read))
	for i, c := range read {
		fields[i] = raw.Field(c)
	}
	s := &scanNode{read: arrow.NewSchema(fields, nil), splitsN: len(splits), scanName: n.Name()}
	s.schema = n.Schema()
	s.groups = groupSplits(splits, tasks)
	s.parts = len(s.groups)
	for _, sp := range splits {
		s.rows += max(sp.Rows(), 0)
	}
	if len(n.Filters) > 0 {
		s.filter = expr.And(n.Filters...)
	}
	s.keep = make([]int, len(cols))
	for i := range s.keep {
		s.keep[i] = i
	}
	s.label = fmt.Sprintf("Scan %s (%d splits, %d tasks)", n.String()[len("Scan: "):], len(splits), s.parts)
	return s, nil
}

// groupSplits deals splits into at most n groups of contiguous splits with
// similar row counts. There is always at least one (possibly empty) group.
func groupSplits(splits []source.Split, n int) [][]source.Split {
	n = max(1, min(n, len(splits)))
	groups := make([][]source.Split, n)
	for i, sp := range splits {
		g := i * n / max(len(splits), 1)
		groups[g] = append(groups[g], sp)
	}
	return groups
}

func (s *scanNode) Open(x *Execution, p int) (exec.Operator, error) {
	var op exec.Operator = exec.NewScan(s.read, s.groups[p], x.Env)
	if s.filter != nil {
		var err error
		if op, err = eval.NewFilter(op, s.filter, x.Env, nil); err != nil {
			return nil, fmt.Errorf("scan %s: %w", s.scanName, err)
		}
	}
	sel, err := exec.NewColumnSelect(op, s.keep, s.schema)
	if err != nil {
		op.Close()
		return nil, err
	}
	return exec.Instrument(sel, &s.metrics), nil
}
