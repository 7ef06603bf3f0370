package reference

import (
	"context"
	"fmt"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/plan"
)

// evalJoin joins by nested loops over every (left, right) pair.
//
// A pair matches when every key pair is equal after conversion to the key's
// common type (plan.Join.KeyType; equality by Compare, so NaN = NaN and
// -0 = +0) and the residual filter, evaluated over the concatenated row, is
// true. A NULL key never matches unless NullsEqual, where NULL matches NULL
// only. Keys are evaluated for every row of both sides; the residual only for
// pairs whose keys match.
//
// Output, in left-row order: Inner and Cross emit each matching pair; Left
// also emits each unmatched left row padded with NULLs; Right and Full emit,
// after the pairs (and Full's unmatched left rows), each unmatched right row
// with NULL left columns; Semi emits each left row with at least one match,
// Anti each left row with none (once, whatever the number of matches).
func evalJoin(ctx context.Context, j *plan.Join) ([]Row, error) {
	left, err := evalNode(ctx, j.Left)
	if err != nil {
		return nil, err
	}
	right, err := evalNode(ctx, j.Right)
	if err != nil {
		return nil, err
	}
	lk, err := joinKeys(j, left, true)
	if err != nil {
		return nil, err
	}
	rk, err := joinKeys(j, right, false)
	if err != nil {
		return nil, err
	}
	nl, nr := j.Left.Schema().NumFields(), j.Right.Schema().NumFields()
	combined := j.CombinedSchema()
	rightMatched := make([]bool, len(right))
	var out []Row
	for i, l := range left {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		matched := false
		for k, r := range right {
			ok, err := pairMatches(j, combined, lk[i], rk[k], l, r)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			matched, rightMatched[k] = true, true
			if j.Type.LeftOnly() {
				break
			}
			out = append(out, concatRows(l, r))
		}
		switch {
		case j.Type == plan.JoinSemi && matched, j.Type == plan.JoinAnti && !matched:
			out = append(out, l)
		case j.Type.PadsRight() && !matched:
			out = append(out, concatRows(l, make(Row, nr)))
		}
	}
	if j.Type.PadsLeft() {
		for k, r := range right {
			if !rightMatched[k] {
				out = append(out, concatRows(make(Row, nl), r))
			}
		}
	}
	return out, nil
}

// joinKeys evaluates one side's keys for every row, converted to the key
// types of the join.
func joinKeys(j *plan.Join, rows []Row, leftSide bool) ([]Row, error) {
	schema := j.Right.Schema()
	if leftSide {
		schema = j.Left.Schema()
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = make(Row, len(j.On))
		for x, k := range j.On {
			e := k.Right
			if leftSide {
				e = k.Left
			}
			v, err := EvalExpr(e, schema, r)
			if err != nil {
				return nil, fmt.Errorf("reference: join key %s: %w", e, err)
			}
			t, err := e.Type(schema)
			if err != nil {
				return nil, err
			}
			if out[i][x], err = coerce(v, t, j.KeyType(x)); err != nil {
				return nil, fmt.Errorf("reference: join key %s: %w", e, err)
			}
		}
	}
	return out, nil
}

// pairMatches applies the key equalities and the residual filter to a pair.
func pairMatches(j *plan.Join, combined *arrow.Schema, lk, rk, l, r Row) (bool, error) {
	for x := range lk {
		a, b := lk[x], rk[x]
		if a == nil || b == nil {
			if j.NullsEqual && a == nil && b == nil {
				continue
			}
			return false, nil
		}
		if Compare(a, b) != 0 {
			return false, nil
		}
	}
	if j.Filter == nil {
		return true, nil
	}
	v, err := EvalExpr(j.Filter, combined, concatRows(l, r))
	if err != nil {
		return false, fmt.Errorf("reference: join filter %s: %w", j.Filter, err)
	}
	b, ok := v.(bool)
	return ok && b, nil
}

func concatRows(a, b Row) Row {
	return append(append(make(Row, 0, len(a)+len(b)), a...), b...)
}

// evalSort sorts stably by the keys, evaluated once per row.
func evalSort(ctx context.Context, s *plan.Sort) ([]Row, error) {
	in, err := evalNode(ctx, s.Input)
	if err != nil {
		return nil, err
	}
	schema := s.Input.Schema()
	type keyed struct {
		keys Row
		row  Row
	}
	items := make([]keyed, len(in))
	for i, r := range in {
		items[i] = keyed{keys: make(Row, len(s.Keys)), row: r}
		for x, k := range s.Keys {
			if items[i].keys[x], err = EvalExpr(k.Expr, schema, r); err != nil {
				return nil, fmt.Errorf("reference: sort key %s: %w", k.Expr, err)
			}
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		return compareSortKeys(s.Keys, items[a].keys, items[b].keys) < 0
	})
	out := make([]Row, len(items))
	for i, it := range items {
		out[i] = it.row
	}
	return out, nil
}

// compareSortKeys orders two key tuples: NULLs first or last as each key
// says (independently of Desc), values by Compare, reversed for Desc.
func compareSortKeys(keys []plan.SortKey, a, b Row) int {
	for x, k := range keys {
		va, vb := a[x], b[x]
		var c int
		switch {
		case va == nil && vb == nil:
			c = 0
		case va == nil || vb == nil:
			c = 1
			if (va == nil) == k.NullsFirst {
				c = -1
			}
		default:
			c = Compare(va, vb)
			if k.Desc {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
