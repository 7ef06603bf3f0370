package physical

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// aggregate projects the group keys and aggregate arguments, then runs a
// single-mode hash aggregate over column indexes.
func (b *builder) aggregate(n *plan.Aggregate, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
	var exprs []expr.Expr
	groupBy := make([]int, len(n.GroupBy))
	for i, g := range n.GroupBy {
		groupBy[i] = len(exprs)
		exprs = append(exprs, g)
	}
	specs := make([]agg.AggSpec, len(n.Aggs))
	for i, item := range n.Aggs {
		a, ok := plan.AggOf(item)
		if !ok {
			return nil, fmt.Errorf("internal error: aggregate item %s is not an aggregate", item)
		}
		specs[i] = agg.AggSpec{Func: a.Func, Input: -1, Distinct: a.Distinct, Name: expr.Name(item)}
		if a.Arg != nil {
			specs[i].Input = len(exprs)
			exprs = append(exprs, a.Arg)
		}
	}
	proj, err := b.project(in, exprs)
	if err != nil {
		return nil, err
	}
	return agg.NewHashAggregate(proj, agg.Spec{GroupBy: groupBy, Aggs: specs, Mode: agg.Single}, b.env, m)
}

var joinTypes = map[plan.JoinType]join.Type{
	plan.JoinInner: join.Inner, plan.JoinLeft: join.Left, plan.JoinRight: join.Right,
	plan.JoinFull: join.Full, plan.JoinSemi: join.Semi, plan.JoinAnti: join.Anti,
	plan.JoinCross: join.Cross,
}

// join appends each side's keys (cast to their common type), runs a hash
// join that builds the right side, and drops the key columns again.
func (b *builder) join(n *plan.Join, l, r exec.Operator, m *exec.Metrics) (exec.Operator, error) {
	ls, rs := l.Schema(), r.Schema()
	lexprs := make([]expr.Expr, len(n.On))
	rexprs := make([]expr.Expr, len(n.On))
	for i, k := range n.On {
		var err error
		if lexprs[i], err = castTo(k.Left, n.KeyType(i), ls); err != nil {
			return nil, err
		}
		if rexprs[i], err = castTo(k.Right, n.KeyType(i), rs); err != nil {
			return nil, err
		}
	}
	l2, lfirst, err := b.appendExprs(l, lexprs)
	if err != nil {
		return nil, err
	}
	r2, rfirst, err := b.appendExprs(r, rexprs)
	if err != nil {
		return nil, err
	}
	spec := join.Spec{Type: joinTypes[n.Type], NullsEqual: n.NullsEqual}
	for i := range n.On {
		spec.LeftKeys = append(spec.LeftKeys, lfirst+i)
		spec.RightKeys = append(spec.RightKeys, rfirst+i)
	}
	if n.Filter != nil {
		combined := arrow.NewSchema(append(append([]arrow.Field(nil), l2.Schema().Fields()...), r2.Schema().Fields()...), nil)
		if spec.Residual, err = eval.NewSelector(n.Filter, combined); err != nil {
			return nil, err
		}
	}
	op, err := join.NewHashJoin(l2, r2, spec, b.env, m)
	if err != nil {
		return nil, err
	}
	keep := make([]int, 0, n.Schema().NumFields())
	for i := 0; i < ls.NumFields(); i++ {
		keep = append(keep, i)
	}
	if !n.Type.LeftOnly() {
		off := l2.Schema().NumFields()
		for i := 0; i < rs.NumFields(); i++ {
			keep = append(keep, off+i)
		}
	}
	return exec.NewColumnSelect(op, keep, n.Schema())
}

// sort sorts by the node's keys; k >= 0 keeps only the first k rows
// (top-k). Keys that are not plain columns are computed first and dropped
// after sorting.
func (b *builder) sort(n *plan.Sort, in exec.Operator, k int64, m *exec.Metrics) (exec.Operator, error) {
	s := in.Schema()
	keys := make([]order.Key, len(n.Keys))
	var computed []expr.Expr
	for i, sk := range n.Keys {
		keys[i] = order.Key{Desc: sk.Desc, NullsFirst: sk.NullsFirst, Col: -1}
		if c, ok := expr.StripAlias(sk.Expr).(*expr.Column); ok {
			if idx, err := expr.Resolve(s, c); err == nil {
				keys[i].Col = idx
				continue
			}
		}
		computed = append(computed, sk.Expr)
	}
	op, first, err := b.appendExprs(in, computed)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if keys[i].Col < 0 {
			keys[i].Col = first
			first++
		}
	}
	var sorted exec.Operator
	if k >= 0 {
		sorted, err = order.NewTopK(op, keys, k, b.env, m)
	} else {
		sorted, err = order.NewSort(op, keys, b.env, m)
	}
	if err != nil {
		return nil, err
	}
	if len(computed) == 0 {
		return sorted, nil
	}
	keep := make([]int, s.NumFields())
	for i := range keep {
		keep[i] = i
	}
	return exec.NewColumnSelect(sorted, keep, s)
}

// union casts branches whose column types differ from the union's schema.
func (b *builder) union(n *plan.Union, kids []exec.Operator) (exec.Operator, error) {
	want := n.Schema()
	inputs := make([]exec.Operator, len(kids))
	for i, k := range kids {
		inputs[i] = k
		if sameTypes(k.Schema(), want) {
			continue
		}
		// Casts are bound by position, so duplicate names are harmless.
		pos, err := positional(k)
		if err != nil {
			return nil, err
		}
		casts := make([]expr.Expr, want.NumFields())
		for c := range casts {
			casts[c] = expr.Col(positionalName(c)).Cast(want.Field(c).Type)
		}
		if inputs[i], err = eval.NewProject(pos, casts, b.env, nil); err != nil {
			return nil, err
		}
	}
	return exec.NewUnion(want, inputs)
}

func sameTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.Fields() {
		if !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) {
			return false
		}
	}
	return true
}
