package expr

import (
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// WhenThen is one branch of a Case.
type WhenThen struct {
	When Expr
	Then Expr
}

// Case is CASE WHEN c1 THEN v1 … ELSE e END. A NULL condition counts as
// false. Else is nil when no Otherwise was given (the result is then NULL).
type Case struct {
	Branches []WhenThen
	Else     Expr
}

// CaseBuilder collects the branches of a Case; see When.
type CaseBuilder struct {
	branches []WhenThen
	when     Expr
}

// When starts a CASE expression: When(c1).Then(v1).When(c2).Then(v2).Otherwise(e).
func When(cond Expr) *CaseBuilder { return &CaseBuilder{when: Unwrap(cond)} }

// Then sets the value of the pending branch.
func (b *CaseBuilder) Then(v Expr) *CaseBuilder {
	nb := &CaseBuilder{branches: append(append([]WhenThen(nil), b.branches...), WhenThen{When: b.when, Then: Unwrap(v)})}
	return nb
}

// When adds another condition.
func (b *CaseBuilder) When(cond Expr) *CaseBuilder {
	return &CaseBuilder{branches: b.branches, when: Unwrap(cond)}
}

// Otherwise finishes the expression with a default value.
func (b *CaseBuilder) Otherwise(v Expr) E {
	return wrap(&Case{Branches: b.branches, Else: Unwrap(v)})
}

// End finishes the expression without a default (NULL when nothing matches).
func (b *CaseBuilder) End() E { return wrap(&Case{Branches: b.branches}) }

func (c *Case) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, br := range c.Branches {
		sb.WriteString(" WHEN " + br.When.String() + " THEN " + br.Then.String())
	}
	if c.Else != nil {
		sb.WriteString(" ELSE " + c.Else.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

// Children lists the conditions and values in order, then Else if present.
func (c *Case) Children() []Expr {
	out := make([]Expr, 0, 2*len(c.Branches)+1)
	for _, br := range c.Branches {
		out = append(out, br.When, br.Then)
	}
	if c.Else != nil {
		out = append(out, c.Else)
	}
	return out
}

func (c *Case) WithChildren(ch []Expr) Expr {
	n := 2 * len(c.Branches)
	if c.Else != nil {
		n++
	}
	mustArity("case", ch, n)
	ch = unwrapAll(ch)
	out := &Case{Branches: make([]WhenThen, len(c.Branches))}
	for i := range c.Branches {
		out.Branches[i] = WhenThen{When: ch[2*i], Then: ch[2*i+1]}
	}
	if c.Else != nil {
		out.Else = ch[n-1]
	}
	return out
}
func (*Case) isExpr() {}

// Type is the common type of every branch value (and Else).
func (c *Case) Type(in *arrow.Schema) (arrow.DataType, error) {
	if len(c.Branches) == 0 {
		return nil, typeErr(c, "CASE needs at least one WHEN")
	}
	var out arrow.DataType = arrow.Null
	for _, br := range c.Branches {
		wt, err := br.When.Type(in)
		if err != nil {
			return nil, err
		}
		if !isBoolish(wt) {
			return nil, typeErr(c, "WHEN condition %s is %s, not boolean", br.When, wt)
		}
		if out, err = unify(c, out, br.Then, in); err != nil {
			return nil, err
		}
	}
	if c.Else != nil {
		var err error
		if out, err = unify(c, out, c.Else, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// unify folds the type of e into acc with CommonType, for CASE and COALESCE.
func unify(owner Expr, acc arrow.DataType, e Expr, in *arrow.Schema) (arrow.DataType, error) {
	t, err := e.Type(in)
	if err != nil {
		return nil, err
	}
	out, ok := CommonType(acc, t)
	if !ok {
		return nil, typeErr(owner, "branches have incompatible types %s and %s", acc, t)
	}
	return out, nil
}
