package optimize

import (
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// MergeProjections combines a Project directly over another Project into
// one, substituting the inner expressions for the outer references, and
// removes a Project that returns its input unchanged (bare columns selecting
// every input field in order).
//
//	Project: total * 2 AS t2, k          Project: (m * w) * 2 AS t2, k
//	  Project: k, m * w AS total    →      Scan: t
//	    Scan: t
//
// Correctness: substitution computes the same values; output names, types
// and qualifiers are kept (a substituted bare column that was a computed
// inner column is aliased with its name, so it stays an unqualified
// computed field). The rule does not apply when a computed inner
// expression is referenced more than once, which would compute it twice. An
// inner expression that no outer one references is not computed any more;
// see the package documentation on errors.
type MergeProjections struct{}

// Name is "merge_projections".
func (MergeProjections) Name() string { return "merge_projections" }

// Order is BottomUp.
func (MergeProjections) Order() Order { return BottomUp }

// Rewrite merges or removes n.
func (MergeProjections) Rewrite(n plan.Node, _ *Config) (plan.Node, bool, error) {
	p, ok := n.(*plan.Project)
	if !ok {
		return n, false, nil
	}
	if isIdentity(p) {
		return p.Input, true, nil
	}
	inner, ok := p.Input.(*plan.Project)
	if !ok {
		return n, false, nil
	}
	s := inner.Schema()
	ies := inner.Exprs()
	uses := make([]int, len(ies))
	for _, e := range p.Exprs() {
		idx, ok := columnIndexes(e, s)
		if !ok {
			return n, false, nil
		}
		for _, i := range idx {
			uses[i]++
		}
	}
	for i, e := range ies {
		if uses[i] > 1 && !cheap(e) {
			return n, false, nil
		}
	}
	merged := make([]expr.Expr, len(p.Exprs()))
	for i, e := range p.Exprs() {
		if merged[i], ok = inlineItem(e, s, ies); !ok {
			return n, false, nil
		}
	}
	out, err := plan.NewProject(inner.Input, merged)
	if err != nil || sameSchema(p.Schema(), out.Schema()) != nil {
		return n, false, nil // e.g. a name the inner projection made unambiguous
	}
	return out, true, nil
}

// cheap reports whether computing e twice costs nothing worth avoiding.
func cheap(e expr.Expr) bool {
	switch expr.StripAlias(e).(type) {
	case *expr.Column, *expr.Literal:
		return true
	}
	return false
}

// isIdentity reports whether p returns its input unchanged: its i-th
// expression is a bare column resolving to input field i, for every field.
func isIdentity(p *plan.Project) bool {
	in := p.Input.Schema()
	if len(p.Exprs()) != in.NumFields() {
		return false
	}
	for i, e := range p.Exprs() {
		c, ok := e.(*expr.Column)
		if !ok {
			return false
		}
		j, err := expr.Resolve(in, c)
		if err != nil || j != i {
			return false
		}
	}
	return true
}
