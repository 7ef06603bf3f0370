package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// PruneColumns removes columns no node above needs, down to the scans,
// which then read only what the plan uses (plan.Scan.WithPushdown columns):
//
//   - a Project drops unused expressions and an Aggregate unused aggregates
//     (grouping columns always stay: they define the groups; a node keeps
//     at least one item);
//   - Filter, Sort and Join add the columns their expressions read; Distinct
//     needs every column;
//   - a Union's inputs are cut to the needed positions with projections;
//   - before a Join and a Sort, which copy every column they hold, a
//     Project drops columns their input still carries (those a filter
//     below needed, say);
//   - a scan that needs no column at all still reads one (row counts);
//   - a Project left selecting exactly its pruned input disappears.
//
// The root keeps its exact schema. Correctness: parents resolve columns by
// name and qualifier, and removing unreferenced columns cannot change what
// a reference resolves to. Expressions whose column is dropped are no longer
// computed (see the package documentation on errors).
//
// Run it last: other rules may still need the columns it would remove.
type PruneColumns struct{}

// Name is "prune_columns".
func (PruneColumns) Name() string { return "prune_columns" }

// Order is Self: needs flow from the root down.
func (PruneColumns) Order() Order { return Self }

// Rewrite prunes the whole plan rooted at n.
func (PruneColumns) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	out := prune(n, allNeeded(n.Schema().NumFields()))
	if out == n || sameSchema(n.Schema(), out.Schema()) != nil {
		return n, false, nil
	}
	return out, true, nil
}

func allNeeded(n int) []bool {
	need := make([]bool, n)
	for i := range need {
		need[i] = true
	}
	return need
}

// addNeeds marks the columns of s that es read; ok is false when one does
// not resolve.
func addNeeds(need []bool, s *arrow.Schema, es ...expr.Expr) bool {
	for _, e := range es {
		if e == nil {
			continue
		}
		idx, ok := columnIndexes(e, s)
		if !ok {
			return false
		}
		for _, i := range idx {
			need[i] = true
		}
	}
	return true
}

// prune returns n restricted to at least the needed columns of its output
// (a bool per output column). It returns n itself when nothing changes, and
// keeps a subtree unchanged whenever a rebuild is rejected.
func prune(n plan.Node, need []bool) plan.Node {
	var out plan.Node
	var err error
	switch n := n.(type) {
	case *plan.Scan:
		return pruneScan(n, need)
	case *plan.Project:
		out, err = pruneProject(n, need)
	case *plan.Aggregate:
		out, err = pruneAggregate(n, need)
	case *plan.Join:
		out, err = pruneJoin(n, need)
	case *plan.Union:
		out, err = pruneUnion(n, need)
	case *plan.Filter:
		child := append([]bool(nil), need...)
		if !addNeeds(child, n.Input.Schema(), n.Pred) {
			child = allNeeded(len(need))
		}
		out, err = withChild(n, prune(n.Input, child))
	case *plan.Sort:
		child := append([]bool(nil), need...)
		if !addNeeds(child, n.Input.Schema(), n.Exprs()...) {
			child = allNeeded(len(need))
		}
		out, err = withChild(n, trim(prune(n.Input, child), n.Input.Schema(), child))
	case *plan.Limit:
		out, err = withChild(n, prune(n.Input, need))
	case *plan.Distinct:
		out, err = withChild(n, prune(n.Input, allNeeded(len(need))))
	default:
		return n
	}
	if err != nil || out == nil {
		return n
	}
	return out
}

// withChild rebuilds a single-input node over child, or returns it as is.
func withChild(n, child plan.Node) (plan.Node, error) {
	if child == n.Children()[0] {
		return n, nil
	}
	return n.WithChildren([]plan.Node{child})
}

func pruneScan(s *plan.Scan, need []bool) plan.Node {
	cols := s.Columns
	if cols == nil {
		cols = make([]int, s.FullSchema().NumFields())
		for i := range cols {
			cols[i] = i
		}
	}
	var keep []int
	for i, c := range cols {
		if need[i] {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 && len(cols) > 0 {
		keep = []int{cols[narrowest(s.Schema())]}
	}
	if len(keep) == len(cols) {
		return s
	}
	out, err := s.WithPushdown(keep, s.Filters)
	if err != nil {
		return s
	}
	return out
}

// narrowest picks the column cheapest to read: the first fixed-width one,
// else the first.
func narrowest(s *arrow.Schema) int {
	for i, f := range s.Fields() {
		if _, ok := f.Type.(arrow.FixedWidthDataType); ok {
			return i
		}
	}
	return 0
}

func pruneProject(p *plan.Project, need []bool) (plan.Node, error) {
	es := p.Exprs()
	var kept []expr.Expr
	for i, e := range es {
		if need[i] {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		kept = []expr.Expr{es[0]}
		for _, e := range es {
			if cheap(e) {
				kept = []expr.Expr{e}
				break
			}
		}
	}
	in := p.Input.Schema()
	child := make([]bool, in.NumFields())
	if !addNeeds(child, in, kept...) {
		child = allNeeded(in.NumFields())
	}
	c := prune(p.Input, child)
	if c == p.Input && len(kept) == len(es) {
		return p, nil
	}
	out, err := plan.NewProject(c, kept)
	if err == nil && isIdentity(out) {
		return c, nil // the pruned input is exactly the projection
	}
	return out, err
}

func pruneAggregate(a *plan.Aggregate, need []bool) (plan.Node, error) {
	var kept []expr.Expr
	for i, item := range a.Aggs {
		if need[len(a.GroupBy)+i] {
			kept = append(kept, item)
		}
	}
	if len(kept) == 0 && len(a.GroupBy) == 0 {
		kept = a.Aggs[:1]
	}
	in := a.Input.Schema()
	child := make([]bool, in.NumFields())
	if !addNeeds(child, in, a.GroupBy...) || !addNeeds(child, in, kept...) {
		child = allNeeded(in.NumFields())
	}
	c := prune(a.Input, child)
	if c == a.Input && len(kept) == len(a.Aggs) {
		return a, nil
	}
	return plan.NewAggregate(c, a.GroupBy, kept)
}

func pruneJoin(j *plan.Join, need []bool) (plan.Node, error) {
	ls, rs := j.Left.Schema(), j.Right.Schema()
	nl := ls.NumFields()
	lneed, rneed := make([]bool, nl), make([]bool, rs.NumFields())
	copy(lneed, need)
	if !j.Type.LeftOnly() {
		copy(rneed, need[nl:])
	}
	ok := true
	for _, k := range j.On {
		ok = ok && addNeeds(lneed, ls, k.Left) && addNeeds(rneed, rs, k.Right)
	}
	if j.Filter != nil {
		both := make([]bool, nl+rs.NumFields())
		ok = ok && addNeeds(both, j.CombinedSchema(), j.Filter)
		for i, b := range both {
			if b && i < nl {
				lneed[i] = true
			} else if b {
				rneed[i-nl] = true
			}
		}
	}
	if !ok {
		lneed, rneed = allNeeded(nl), allNeeded(rs.NumFields())
	}
	l := trim(prune(j.Left, lneed), ls, lneed)
	r := trim(prune(j.Right, rneed), rs, rneed)
	if l == j.Left && r == j.Right {
		return j, nil
	}
	return rebuildJoin(j, l, r, j.Type, j.On, j.Filter)
}

// trim puts a Project over n (whose schema was orig before pruning) that
// keeps only the needed columns, when n still carries others and is not a
// scan (a pruned scan reads only what is needed).
func trim(n plan.Node, orig *arrow.Schema, need []bool) plan.Node {
	var refs []expr.Expr
	for i, nd := range need {
		if !nd {
			continue
		}
		ref, ok := columnRef(orig, i)
		if !ok {
			return n
		}
		refs = append(refs, ref)
	}
	if _, isScan := n.(*plan.Scan); isScan || len(refs) == 0 || len(refs) >= n.Schema().NumFields() {
		return n
	}
	p, err := plan.NewProject(n, refs)
	if err != nil {
		return n
	}
	return p
}

// pruneUnion cuts every input to the needed positions.
func pruneUnion(u *plan.Union, need []bool) (plan.Node, error) {
	all, some := true, false
	for _, nd := range need {
		all, some = all && nd, some || nd
	}
	if !some { // keep one column so every input still has one
		need = append([]bool{true}, need[1:]...)
	}
	ins := make([]plan.Node, len(u.Inputs))
	changed := false
	for b, in := range u.Inputs {
		c := prune(in, need)
		if !all {
			c = trimExact(c, in.Schema(), need)
			if c == nil {
				return pruneUnion(u, allNeeded(len(need)))
			}
		}
		ins[b] = c
		changed = changed || c != in
	}
	if !changed {
		return u, nil
	}
	return plan.NewUnion(ins...)
}

// trimExact returns n restricted to exactly the needed columns of orig, in
// order, or nil when a needed column cannot be referenced unambiguously.
func trimExact(n plan.Node, orig *arrow.Schema, need []bool) plan.Node {
	var refs []expr.Expr
	for i, nd := range need {
		if !nd {
			continue
		}
		ref, ok := columnRef(orig, i)
		if !ok {
			return nil
		}
		refs = append(refs, ref)
	}
	if len(refs) == 0 {
		return n
	}
	p, err := plan.NewProject(n, refs)
	if err != nil {
		return nil
	}
	if isIdentity(p) {
		return n
	}
	return p
}
