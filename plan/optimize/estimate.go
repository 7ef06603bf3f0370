package optimize

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// Defaults for what sources do not know. A source without a row count is
// assumed large, so rules that pay off on large inputs are not ruled out by
// ignorance; a column without a distinct count is assumed to have one
// distinct value per DefaultDistinctFraction of its rows.
const (
	DefaultRows             = 1_000_000
	DefaultDistinctFraction = 0.1
	// RangeSelectivity is the fraction of rows a range comparison keeps
	// (col < value, col <= col, …).
	RangeSelectivity = 1.0 / 3
	// DefaultSelectivity is the fraction of rows any other predicate keeps
	// (LIKE, functions, CASE, …).
	DefaultSelectivity = 0.25
)

// NodeEstimate is what the optimizer believes about one node's output.
type NodeEstimate struct {
	// Rows is the estimated number of output rows.
	Rows float64
	// Columns has one entry per output column.
	Columns []ColumnEstimate
	// unique lists column sets (indexes into Columns) known to identify
	// each row: no two rows are equal on them. An empty set means at most
	// one row.
	unique [][]int
}

// ColumnEstimate describes the values of one output column.
type ColumnEstimate struct {
	// Distinct is the estimated number of distinct non-NULL values.
	Distinct float64
	// NullFrac is the estimated fraction of rows that are NULL.
	NullFrac float64
}

// groups is the number of groups the column forms: its distinct values
// plus one for NULL when it has NULLs.
func (c ColumnEstimate) groups() float64 {
	if c.NullFrac > 0 {
		return c.Distinct + 1
	}
	return c.Distinct
}

// Estimates computes and memoises NodeEstimates. Nodes are immutable, so an
// estimate stays valid for as long as the node exists; one Estimates can
// serve a whole optimization, across rewrites. It is not safe for
// concurrent use.
//
// How each node kind is estimated:
//
//   - Scan: the source's Stats (exact for memtables: rows, NULL and
//     distinct counts), else DefaultRows and DefaultDistinctFraction; then
//     the pushed filters as a Filter would, then the projection.
//   - Filter: rows × selectivity (see Selectivity). Distinct counts shrink
//     as for a random sample: d' = d·(1 − (1 − sel)^(rows/d)); a column
//     compared for equality with a literal keeps one value.
//   - Project: rows unchanged; a bare column keeps its estimate; a computed
//     one has min(rows, product of its columns' distinct counts).
//   - Aggregate: groups = min(rows, product over the keys of their
//     distinct counts, +1 each for NULL); one row without keys.
//   - Join: |L|·|R| / Π max(d(lk), d(rk)) over the keys, scaled by the
//     keys' non-NULL fractions and the residual's selectivity; outer joins
//     add at least their preserved side's rows; semi joins keep the left
//     rows whose keys appear on the right (ratio of distinct counts), anti
//     joins the others; cross joins |L|·|R|.
//   - Sort: unchanged. Limit: min(rows − offset, count). Distinct: groups
//     over every column. Union: sum of the inputs.
//
// Every distinct count is capped by the node's row count.
type Estimates struct {
	memo map[plan.Node]*NodeEstimate
}

// NewEstimates returns an empty memo.
func NewEstimates() *Estimates { return &Estimates{memo: map[plan.Node]*NodeEstimate{}} }

// Estimate estimates every node of the plan rooted at n and returns the
// memo, so that callers can look up any node with Of.
func Estimate(n plan.Node) *Estimates {
	e := NewEstimates()
	e.Of(n)
	return e
}

// Of returns the estimate for n's output, computing it (and its inputs')
// on first use. Callers must not modify it.
func (e *Estimates) Of(n plan.Node) *NodeEstimate {
	if est, ok := e.memo[n]; ok {
		return est
	}
	est := e.compute(n)
	est.cap()
	e.memo[n] = est
	return est
}

// cap bounds every distinct count by the row count.
func (est *NodeEstimate) cap() {
	for i := range est.Columns {
		c := &est.Columns[i]
		c.Distinct = math.Max(0, math.Min(c.Distinct, est.Rows))
		c.NullFrac = math.Max(0, math.Min(1, c.NullFrac))
	}
}

func (e *Estimates) compute(n plan.Node) *NodeEstimate {
	switch n := n.(type) {
	case *plan.Scan:
		return e.scan(n)
	case *plan.Filter:
		in := e.Of(n.Input)
		return filtered(in, n.Pred, n.Input.Schema())
	case *plan.Project:
		return e.project(n)
	case *plan.Aggregate:
		return e.aggregate(n)
	case *plan.Join:
		return e.join(n)
	case *plan.Sort:
		return e.Of(n.Input).clone()
	case *plan.Limit:
		out := e.Of(n.Input).clone()
		out.Rows = math.Max(0, out.Rows-float64(n.Offset))
		if n.Count != plan.NoLimit {
			out.Rows = math.Min(out.Rows, float64(n.Count))
		}
		return out
	case *plan.Distinct:
		in := e.Of(n.Input)
		out := in.clone()
		all := make([]int, len(in.Columns))
		for i := range all {
			all[i] = i
		}
		out.Rows = groupCount(in, all)
		out.unique = append(out.unique, all)
		return out
	case *plan.Union:
		return e.union(n)
	}
	return &NodeEstimate{Rows: DefaultRows, Columns: make([]ColumnEstimate, n.Schema().NumFields())}
}

func (est *NodeEstimate) clone() *NodeEstimate {
	return &NodeEstimate{
		Rows:    est.Rows,
		Columns: append([]ColumnEstimate(nil), est.Columns...),
		unique:  est.unique,
	}
}

func (e *Estimates) scan(s *plan.Scan) *NodeEstimate {
	st := s.Source.Stats()
	full := s.FullSchema()
	rowsKnown := st.Rows >= 0
	est := &NodeEstimate{Rows: DefaultRows, Columns: make([]ColumnEstimate, full.NumFields())}
	if rowsKnown {
		est.Rows = float64(st.Rows)
	}
	for i := range est.Columns {
		c := ColumnEstimate{Distinct: math.Max(1, est.Rows*DefaultDistinctFraction)}
		if full.Field(i).Type.ID() == arrow.BOOL {
			c.Distinct = 2
		}
		if i < len(st.Columns) {
			cs := st.Columns[i]
			if cs.DistinctCount >= 0 {
				c.Distinct = float64(cs.DistinctCount)
			}
			if cs.NullCount >= 0 && est.Rows > 0 {
				c.NullFrac = float64(cs.NullCount) / est.Rows
			}
			// A column whose exact counts cover every row is a key.
			if rowsKnown && cs.DistinctCount >= 0 && cs.NullCount >= 0 &&
				cs.DistinctCount+min(cs.NullCount, 1) >= st.Rows && cs.NullCount <= 1 {
				est.unique = append(est.unique, []int{i})
			}
		}
		est.Columns[i] = c
	}
	if st.Rows == 0 {
		est.unique = append(est.unique, []int{})
	}
	for _, f := range s.Filters {
		est = filtered(est, f, s.Source.Schema())
	}
	if s.Columns == nil {
		return est
	}
	return est.project(s.Columns)
}

// project restricts an estimate to the given columns, in order.
func (est *NodeEstimate) project(cols []int) *NodeEstimate {
	out := &NodeEstimate{Rows: est.Rows, Columns: make([]ColumnEstimate, len(cols))}
	pos := map[int]int{}
	for i, c := range cols {
		out.Columns[i] = est.Columns[c]
		pos[c] = i
	}
	for _, u := range est.unique {
		if m, ok := remap(u, pos); ok {
			out.unique = append(out.unique, m)
		}
	}
	return out
}

// remap translates a column set through pos; ok is false when a column is
// missing.
func remap(set []int, pos map[int]int) ([]int, bool) {
	out := make([]int, len(set))
	for i, c := range set {
		p, ok := pos[c]
		if !ok {
			return nil, false
		}
		out[i] = p
	}
	return out, true
}

func (e *Estimates) project(p *plan.Project) *NodeEstimate {
	in := e.Of(p.Input)
	s := p.Input.Schema()
	out := &NodeEstimate{Rows: in.Rows, Columns: make([]ColumnEstimate, len(p.Exprs()))}
	pos := map[int]int{}
	for i, x := range p.Exprs() {
		if c, ok := x.(*expr.Column); ok {
			if j, err := expr.Resolve(s, c); err == nil {
				out.Columns[i] = in.Columns[j]
				if _, dup := pos[j]; !dup {
					pos[j] = i
				}
				continue
			}
		}
		out.Columns[i] = exprEstimate(x, in, s)
	}
	for _, u := range in.unique {
		if m, ok := remap(u, pos); ok {
			out.unique = append(out.unique, m)
		}
	}
	return out
}

// exprEstimate estimates the values of an expression over in's rows: a
// bare column keeps its estimate, a literal has one value (or only NULLs),
// anything else at most the product of its columns' groups, NULL when any
// of them is.
func exprEstimate(x expr.Expr, in *NodeEstimate, s *arrow.Schema) ColumnEstimate {
	x = expr.StripAlias(x)
	if l, ok := isLiteral(x); ok {
		if l.Value == nil {
			return ColumnEstimate{NullFrac: 1}
		}
		return ColumnEstimate{Distinct: 1}
	}
	idx, ok := columnIndexes(x, s)
	if !ok {
		return ColumnEstimate{Distinct: in.Rows}
	}
	if _, bare := x.(*expr.Column); bare {
		return in.Columns[idx[0]]
	}
	d, nf := 1.0, 0.0
	for _, i := range idx {
		d *= math.Max(1, in.Columns[i].groups())
		nf = math.Max(nf, in.Columns[i].NullFrac)
	}
	return ColumnEstimate{Distinct: math.Min(d, in.Rows), NullFrac: nf}
}

// groupCount estimates the groups of est's rows over the given columns.
func groupCount(est *NodeEstimate, cols []int) float64 {
	if est.Rows <= 0 {
		return 0
	}
	if len(cols) == 0 || est.isUnique(cols) {
		if len(cols) == 0 {
			return math.Min(1, est.Rows)
		}
		return est.Rows
	}
	g := 1.0
	for _, c := range cols {
		g *= math.Max(1, est.Columns[c].groups())
	}
	return math.Max(1, math.Min(g, est.Rows))
}

// isUnique reports whether some known unique set is contained in cols.
func (est *NodeEstimate) isUnique(cols []int) bool {
	in := map[int]bool{}
	for _, c := range cols {
		in[c] = true
	}
	for _, u := range est.unique {
		all := true
		for _, c := range u {
			all = all && in[c]
		}
		if all {
			return true
		}
	}
	return false
}

func (e *Estimates) aggregate(a *plan.Aggregate) *NodeEstimate {
	in := e.Of(a.Input)
	s := a.Input.Schema()
	keys := make([]ColumnEstimate, len(a.GroupBy))
	groups := 1.0
	if in.Rows <= 0 && len(a.GroupBy) > 0 {
		groups = 0
	}
	var keyCols []int
	plain := true
	for i, g := range a.GroupBy {
		keys[i] = exprEstimate(g, in, s)
		if c, ok := g.(*expr.Column); ok {
			if j, err := expr.Resolve(s, c); err == nil {
				keyCols = append(keyCols, j)
				continue
			}
		}
		plain = false
	}
	if len(a.GroupBy) > 0 && in.Rows > 0 {
		if plain {
			groups = groupCount(in, keyCols)
		} else {
			groups = 1
			for _, k := range keys {
				groups *= math.Max(1, k.groups())
			}
			groups = math.Max(1, math.Min(groups, in.Rows))
		}
	}
	out := &NodeEstimate{Rows: groups, Columns: make([]ColumnEstimate, 0, len(a.GroupBy)+len(a.Aggs))}
	out.Columns = append(out.Columns, keys...)
	for range a.Aggs {
		out.Columns = append(out.Columns, ColumnEstimate{Distinct: groups})
	}
	key := make([]int, len(a.GroupBy))
	for i := range key {
		key[i] = i
	}
	out.unique = [][]int{key}
	return out
}

func (e *Estimates) union(u *plan.Union) *NodeEstimate {
	out := &NodeEstimate{Columns: make([]ColumnEstimate, u.Schema().NumFields())}
	nulls := make([]float64, len(out.Columns))
	for _, in := range u.Inputs {
		ie := e.Of(in)
		out.Rows += ie.Rows
		for c := range out.Columns {
			out.Columns[c].Distinct += ie.Columns[c].Distinct
			nulls[c] += ie.Columns[c].NullFrac * ie.Rows
		}
	}
	if out.Rows > 0 {
		for c := range out.Columns {
			out.Columns[c].NullFrac = nulls[c] / out.Rows
		}
	}
	return out
}
