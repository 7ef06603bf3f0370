package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// Where a predicate may go in a join depends on which side it reads and on
// the join type. A WHERE predicate (a Filter above the join) sees output
// rows, including the NULL-padded rows of outer joins:
//
//	WHERE over    inner/cross  left   right  full  semi/anti
//	left only     left         left   -      -     left
//	right only    right        -      right  -     (no right columns)
//	both sides    residual/key -      -      -     -
//
// Pushing a left-only predicate into the left input of a right join would
// be wrong: a left row it removes would turn matched right rows into
// NULL-padded ones, which the predicate might accept (IS NULL). A residual
// ON condition decides matches, never which preserved rows exist, so it can
// go into the NULL-supplying side only:
//
//	ON over       inner/cross  left   right  full  semi   anti
//	left only     left         -      left   -     left   -
//	right only    right        right  -      -     right  right
//
// An equality between a left-only and a right-only expression becomes an
// equality key (a cross join becomes an inner join) unless the join has
// NullsEqual, where keys would let NULL match NULL. Only conjuncts that
// cannot raise an error move: in their new place they see rows the join
// would have removed.

// joinSide classifies which inputs a conjunct reads.
type joinSide uint8

const (
	sideNone joinSide = iota // no columns, or unresolvable: stays
	sideLeft
	sideRight
	sideBoth
)

// sideOf classifies e, resolved against s whose first nl fields come from
// the left input.
func sideOf(e expr.Expr, s *arrow.Schema, nl int) joinSide {
	idx, ok := columnIndexes(e, s)
	if !ok || len(idx) == 0 {
		return sideNone
	}
	l, r := false, false
	for _, i := range idx {
		if i < nl {
			l = true
		} else {
			r = true
		}
	}
	switch {
	case l && r:
		return sideBoth
	case l:
		return sideLeft
	}
	return sideRight
}

// joinParts collects what a pushdown adds to a join.
type joinParts struct {
	left, right []expr.Expr // predicates for the inputs
	keys        []plan.JoinKey
	residual    []expr.Expr
	kept        []expr.Expr // stay where they were
}

func (p *joinParts) moved() bool {
	return len(p.left)+len(p.right)+len(p.keys)+len(p.residual) > 0
}

// asKey returns c as an equality key when it is l = r (or r = l) with l
// over the left input and r over the right, comparable, and keys would not
// change its meaning.
func asKey(c expr.Expr, j *plan.Join) (plan.JoinKey, bool) {
	b, ok := c.(*expr.Binary)
	if !ok || b.Op != expr.OpEq || j.NullsEqual {
		return plan.JoinKey{}, false
	}
	nl := j.Left.Schema().NumFields()
	s := j.CombinedSchema()
	l, r := b.Left, b.Right
	if sideOf(l, s, nl) == sideRight && sideOf(r, s, nl) == sideLeft {
		l, r = r, l
	}
	if sideOf(l, s, nl) != sideLeft || sideOf(r, s, nl) != sideRight {
		return plan.JoinKey{}, false
	}
	lt, rt := typeOf(l, j.Left.Schema()), typeOf(r, j.Right.Schema())
	if lt == nil || rt == nil {
		return plan.JoinKey{}, false
	}
	if _, ok := expr.CommonType(lt, rt); !ok {
		return plan.JoinKey{}, false
	}
	return plan.JoinKey{Left: l, Right: r}, true
}

// pushIntoJoin distributes a WHERE predicate over a join.
func pushIntoJoin(f *plan.Filter, j *plan.Join) (plan.Node, error) {
	s := j.Schema()
	nl := j.Left.Schema().NumFields()
	if j.Type.LeftOnly() {
		nl = s.NumFields()
	}
	inner := j.Type == plan.JoinInner || j.Type == plan.JoinCross
	var p joinParts
	for _, c := range conjuncts(f.Pred) {
		if mayFail(c, s) {
			p.kept = append(p.kept, c)
			continue
		}
		switch side := sideOf(c, s, nl); {
		case side == sideLeft && (inner || j.Type == plan.JoinLeft || j.Type.LeftOnly()):
			p.left = append(p.left, c)
		case side == sideRight && (inner || j.Type == plan.JoinRight):
			p.right = append(p.right, c)
		case side == sideBoth && inner:
			if k, ok := asKey(c, j); ok {
				p.keys = append(p.keys, k)
			} else {
				p.residual = append(p.residual, c)
			}
		default:
			p.kept = append(p.kept, c)
		}
	}
	if !p.moved() {
		return nil, nil
	}
	out, err := applyJoinParts(j, &p, j.Filter)
	if err != nil {
		return nil, err
	}
	return filterOver(out, p.kept)
}

// pushJoinResidual moves conjuncts of a join's residual condition into its
// NULL-supplying inputs or into its keys.
func pushJoinResidual(j *plan.Join) plan.Node {
	if j.Filter == nil || j.Type == plan.JoinFull {
		return j
	}
	s := j.CombinedSchema()
	nl := j.Left.Schema().NumFields()
	inner := j.Type == plan.JoinInner || j.Type == plan.JoinCross
	var p joinParts
	for _, c := range conjuncts(j.Filter) {
		if mayFail(c, s) {
			p.kept = append(p.kept, c)
			continue
		}
		k, isKey := asKey(c, j)
		switch side := sideOf(c, s, nl); {
		case side == sideLeft && (inner || j.Type == plan.JoinRight || j.Type == plan.JoinSemi):
			p.left = append(p.left, c)
		case side == sideRight && j.Type != plan.JoinRight:
			p.right = append(p.right, c)
		case side == sideBoth && isKey:
			p.keys = append(p.keys, k)
		default:
			p.kept = append(p.kept, c)
		}
	}
	if !p.moved() {
		return j
	}
	out, err := applyJoinParts(j, &p, andAll(p.kept))
	if err != nil {
		return j
	}
	return out
}

// applyJoinParts rebuilds j with filtered inputs, extra keys and the given
// residual plus p.residual.
func applyJoinParts(j *plan.Join, p *joinParts, residual expr.Expr) (plan.Node, error) {
	l, err := filterOver(j.Left, p.left)
	if err != nil {
		return nil, err
	}
	r, err := filterOver(j.Right, p.right)
	if err != nil {
		return nil, err
	}
	on := append(append([]plan.JoinKey(nil), j.On...), p.keys...)
	typ := j.Type
	if typ == plan.JoinCross && len(on) > 0 {
		typ = plan.JoinInner
	}
	var rs []expr.Expr
	if residual != nil {
		rs = append(rs, residual)
	}
	rs = append(rs, p.residual...)
	return rebuildJoin(j, l, r, typ, on, andAll(rs))
}
