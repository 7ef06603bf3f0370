package frame

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// JoinType is the kind of a join: Inner, Left, Right, Full, Semi, Anti or
// Cross.
type JoinType = plan.JoinType

// Join types, with Spark's meaning. Semi keeps the left rows that have a
// match and Anti those that have none (left columns only, each row once).
const (
	Inner = plan.JoinInner
	Left  = plan.JoinLeft
	Right = plan.JoinRight
	Full  = plan.JoinFull
	Semi  = plan.JoinSemi
	Anti  = plan.JoinAnti
	Cross = plan.JoinCross
)

// JoinOn is the condition of a join: Using for column names both sides
// share, On for an expression. The zero JoinOn is no condition, accepted
// only by Cross (and Inner, which then means Cross).
type JoinOn struct {
	using []string
	cond  expr.Expr
}

// Using joins on equality of the named columns, which both sides must
// have (SQL USING, PySpark's on=["k"]). Each key appears once in the
// output, first: taken from the left side for Inner, Left, Semi and Anti,
// from the right side for Right, and coalesce(left.k, right.k) for Full.
// The left's other columns follow, then the right's.
func Using(cols ...string) JoinOn { return JoinOn{using: append([]string{}, cols...)} }

// On joins on a boolean expression over both sides. Its top-level AND
// terms of the form l = r, with l over one side only and r over the other,
// become the equality keys of a hash join; the other terms are evaluated on
// each matching pair. Every column of both sides is kept. Columns with the
// same name on both sides must be qualified: give the DataFrames distinct
// names with Alias, e.g.
//
//	f := facts.Alias("f")
//	d := dims.Alias("d")
//	f.Join(d, frame.On(expr.Col("f.grp").Eq(expr.Col("d.grp"))), frame.Inner)
func On(cond expr.Expr) JoinOn { return JoinOn{cond: expr.Unwrap(cond)} }

// IsZero reports whether j is no condition.
func (j JoinOn) IsZero() bool { return j.using == nil && j.cond == nil }

// String is "using [a, b]", "on <cond>" or "" for no condition.
func (j JoinOn) String() string {
	switch {
	case j.using != nil:
		return "using [" + strings.Join(j.using, ", ") + "]"
	case j.cond != nil:
		return "on " + j.cond.String()
	}
	return ""
}

// Join combines df (the left side) with other (the right side); see
// JoinOn for the condition and JoinType for how. Both DataFrames must come
// from the same session. To join a DataFrame with itself, alias both
// sides: df.Alias("a").Join(df.Alias("b"), …).
func (df *DataFrame) Join(other *DataFrame, on JoinOn, how JoinType) *DataFrame {
	step := "Join(" + how.String() + ")"
	if !on.IsZero() {
		step = "Join(" + on.String() + ", " + how.String() + ")"
	}
	return df.combine(step, other, func(l, r plan.Node) (plan.Node, error) {
		var (
			n   plan.Node
			err error
		)
		switch {
		case how == Cross || on.IsZero():
			if !on.IsZero() {
				return nil, invalidInput("a cross join takes no condition")
			}
			if how != Cross && how != Inner {
				return nil, invalidInput("a %s join needs a condition (Using or On)", how)
			}
			n, err = plan.NewJoin(l, r, Cross, nil, nil)
		case on.using != nil:
			n, err = usingJoin(l, r, on.using, how)
		default:
			n, err = exprJoin(l, r, on.cond, how)
		}
		if err != nil {
			return nil, explainSelfJoin(err)
		}
		return applyHints(n, l, r, df.hint, other.hint)
	})
}

// usingJoin joins on equally named columns and projects each key once.
//
// The keys of one side are dropped from the output (the right side's, or
// the left side's for Right joins). When the kept keys could not be
// referenced by name next to them, as when the left key is a computed,
// unqualified column, the dropped side's keys are first renamed
// (__right_k or __left_k) by a projection under the join.
func usingJoin(l, r plan.Node, names []string, how JoinType) (plan.Node, error) {
	if len(names) == 0 {
		return nil, invalidInput("Using needs at least one column")
	}
	li, ri, err := usingKeys(l.Schema(), r.Schema(), names)
	if err != nil {
		return nil, err
	}
	if !how.LeftOnly() {
		if how == Right {
			l, err = renameKeysIfNeeded(l, li, r, ri, "__left_")
		} else {
			r, err = renameKeysIfNeeded(r, ri, l, li, "__right_")
		}
		if err != nil {
			return nil, err
		}
	}
	ls, rs := l.Schema(), r.Schema()
	keys := make([]plan.JoinKey, len(names))
	for k := range names {
		lref, err := columnRef(ls, li[k])
		if err != nil {
			return nil, fmt.Errorf("left side: %w", err)
		}
		rref, err := columnRef(rs, ri[k])
		if err != nil {
			return nil, fmt.Errorf("right side: %w", err)
		}
		keys[k] = plan.JoinKey{Left: lref, Right: rref}
	}
	j, err := plan.NewJoin(l, r, how, keys, nil)
	if err != nil || how.LeftOnly() {
		return j, err
	}
	return usingProject(j, names, li, ri, how)
}

// usingKeys resolves each Using name on both sides.
func usingKeys(ls, rs *arrow.Schema, names []string) (li, ri []int, err error) {
	li = make([]int, len(names))
	ri = make([]int, len(names))
	seen := map[string]bool{}
	for k, name := range names {
		if seen[name] {
			return nil, nil, invalidInput("column %q named twice in Using", name)
		}
		seen[name] = true
		c := &expr.Column{Name: name}
		if li[k], err = expr.Resolve(ls, c); err != nil {
			return nil, nil, fmt.Errorf("left side: %w", err)
		}
		if ri[k], err = expr.Resolve(rs, c); err != nil {
			return nil, nil, fmt.Errorf("right side: %w", err)
		}
	}
	return li, ri, nil
}

// renameKeysIfNeeded renames the keys drop of side d (whose keys leave the
// output) when one of the keys keep of side k cannot be referenced by name
// in the two sides' combined schema.
func renameKeysIfNeeded(d plan.Node, drop []int, k plan.Node, keep []int, prefix string) (plan.Node, error) {
	both := arrow.NewSchema(append(append([]arrow.Field(nil), k.Schema().Fields()...), d.Schema().Fields()...), nil)
	need := false
	for _, i := range keep {
		if _, err := columnRef(both, i); err != nil {
			need = true
		}
	}
	if !need {
		return d, nil
	}
	refs, err := columnRefs(d.Schema())
	if err != nil {
		return nil, err
	}
	for _, i := range drop {
		refs[i] = &expr.Alias{Expr: refs[i], Name: prefix + d.Schema().Field(i).Name}
	}
	return plan.NewProject(d, refs)
}

// usingProject puts each key once, first, then the other left columns,
// then the other right columns.
func usingProject(j *plan.Join, names []string, li, ri []int, how JoinType) (plan.Node, error) {
	js := j.Schema()
	nl, nr := j.Left.Schema().NumFields(), j.Right.Schema().NumFields()
	var out []expr.Expr
	for k, name := range names {
		lref, err := columnRef(js, li[k])
		if err != nil {
			return nil, err
		}
		rref, err := columnRef(js, nl+ri[k])
		if err != nil {
			return nil, err
		}
		switch how {
		case Right:
			out = append(out, rref)
		case Full:
			out = append(out, expr.Coalesce(lref, rref).As(name))
		default:
			out = append(out, lref)
		}
	}
	rest := func(off, n int, keyIdx []int) error {
		for i := 0; i < n; i++ {
			if slices.Contains(keyIdx, i) {
				continue
			}
			ref, err := columnRef(js, off+i)
			if err != nil {
				return err
			}
			out = append(out, ref)
		}
		return nil
	}
	if err := rest(0, nl, li); err != nil {
		return nil, err
	}
	if err := rest(nl, nr, ri); err != nil {
		return nil, err
	}
	return plan.NewProject(j, out)
}

// exprJoin splits cond into equality keys across the sides and a residual.
func exprJoin(l, r plan.Node, cond expr.Expr, how JoinType) (plan.Node, error) {
	ls, rs := l.Schema(), r.Schema()
	both := arrow.NewSchema(append(append([]arrow.Field(nil), ls.Fields()...), rs.Fields()...), nil)
	if err := checkExprs(both, []expr.Expr{cond}); err != nil {
		return nil, err
	}
	var keys []plan.JoinKey
	var rest []expr.Expr
	for _, c := range conjuncts(cond) {
		if b, ok := c.(*expr.Binary); ok && b.Op == expr.OpEq {
			sl, sr := sideOf(b.Left, ls, rs), sideOf(b.Right, ls, rs)
			switch {
			case sl == sideLeft && sr == sideRight:
				keys = append(keys, plan.JoinKey{Left: b.Left, Right: b.Right})
				continue
			case sl == sideRight && sr == sideLeft:
				keys = append(keys, plan.JoinKey{Left: b.Right, Right: b.Left})
				continue
			}
		}
		rest = append(rest, c)
	}
	var residual expr.Expr
	if len(rest) > 0 {
		residual = expr.Unwrap(expr.And(rest...))
	}
	if how == Inner && len(keys) == 0 {
		how = Cross // an inner join without equality keys is a filtered cross join
	}
	return plan.NewJoin(l, r, how, keys, residual)
}

// conjuncts flattens the top-level ANDs of e.
func conjuncts(e expr.Expr) []expr.Expr {
	e = expr.Unwrap(e)
	if b, ok := e.(*expr.Binary); ok && b.Op == expr.OpAnd {
		return append(conjuncts(b.Left), conjuncts(b.Right)...)
	}
	return []expr.Expr{e}
}

// side says which join input an expression's columns come from.
type side uint8

const (
	sideNone  side = iota // no columns
	sideLeft              // only left columns
	sideRight             // only right columns
	sideMixed             // both, or a column that resolves on both or neither
)

// sideOf classifies e by the columns it references.
func sideOf(e expr.Expr, ls, rs *arrow.Schema) side {
	s := sideNone
	for _, c := range expr.Columns(e) {
		_, lerr := expr.Resolve(ls, c)
		_, rerr := expr.Resolve(rs, c)
		var cs side
		switch {
		case lerr == nil && rerr != nil:
			cs = sideLeft
		case lerr != nil && rerr == nil:
			cs = sideRight
		default:
			return sideMixed
		}
		if s != sideNone && s != cs {
			return sideMixed
		}
		s = cs
	}
	return s
}

// explainSelfJoin replaces an ambiguous-column error caused by both sides
// carrying the same qualifier (a DataFrame joined with itself without
// Alias), whose plain message would be confusing, with one that says what
// to do. It still wraps expr.ErrAmbiguousColumn.
func explainSelfJoin(err error) error {
	var ce *expr.ColumnError
	if !errors.As(err, &ce) || !errors.Is(err, expr.ErrAmbiguousColumn) {
		return err
	}
	seen := map[string]bool{}
	for _, q := range ce.Qualifiers {
		if seen[q] {
			return fmt.Errorf("%w %q: both sides of the join are named %q; give them distinct names with Alias, e.g. df.Alias(\"a\").Join(df.Alias(\"b\"), ...)",
				expr.ErrAmbiguousColumn, ce.Name, q)
		}
		seen[q] = true
	}
	return err
}
