package physical

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/agg"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/exec/order"
	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// ErrUnsupported reports a logical plan the executor cannot run.
var ErrUnsupported = errors.New("unsupported plan")

// planner turns logical nodes into physical ones.
type planner struct {
	cfg       Config
	batchSize int
}

// node plans n; the result has n's exact schema.
func (pl *planner) node(n plan.Node) (Node, error) {
	out, err := pl.plan(n)
	if err != nil {
		return nil, err
	}
	if !out.Schema().Equal(n.Schema()) {
		out = selectNode(out, seq(0, n.Schema().NumFields()), n.Schema())
	}
	return out, nil
}

func (pl *planner) plan(n plan.Node) (Node, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return newScan(n, pl.batchSize, pl.cfg.ScanTasks)
	case *plan.Project:
		child, err := pl.node(n.Input)
		if err != nil {
			return nil, err
		}
		exprs := n.Exprs()
		return newUnary(child, n.Schema(), n.String(), func(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
			return eval.NewProject(in, exprs, x.Env, m)
		}), nil
	case *plan.Filter:
		child, err := pl.node(n.Input)
		if err != nil {
			return nil, err
		}
		pred := n.Pred
		return newUnary(child, n.Schema(), n.String(), func(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
			return eval.NewFilter(in, pred, x.Env, m)
		}), nil
	case *plan.Aggregate:
		return pl.aggregate(n)
	case *plan.Distinct:
		return pl.distinct(n)
	case *plan.Join:
		return pl.join(n)
	case *plan.Sort:
		return pl.sort(n, -1, 0)
	case *plan.Limit:
		return pl.limit(n)
	case *plan.Union:
		return pl.union(n)
	}
	return nil, fmt.Errorf("%w: node %T", ErrUnsupported, n)
}

// gather returns child as a single partition, exchanging when needed.
func gather(child Node) Node {
	if child.Partitions() == 1 {
		return child
	}
	return newExchange(child, nil, 1)
}

// aggregate plans a two-phase aggregation: a partial aggregate in every
// input partition, a hash exchange on the group keys, a final aggregate.
// DISTINCT aggregates do not decompose, so they exchange raw rows and
// aggregate once.
func (pl *planner) aggregate(n *plan.Aggregate) (Node, error) {
	child, err := pl.node(n.Input)
	if err != nil {
		return nil, err
	}
	exprs := append([]expr.Expr(nil), n.GroupBy...)
	specs := make([]agg.AggSpec, len(n.Aggs))
	distinct := false
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
		distinct = distinct || a.Distinct
	}
	proj, err := projectNode(child, exprs, false)
	if err != nil {
		return nil, err
	}
	k := len(n.GroupBy)
	keys := seq(0, k)
	single := agg.Spec{GroupBy: keys, Aggs: specs, Mode: agg.Single}
	if distinct || proj.Partitions() == 1 {
		in := proj
		if proj.Partitions() > 1 {
			in = pl.exchange(proj, keys)
		}
		return aggNode(in, single, n.String())
	}
	// The partial aggregate switches itself to pass-through in the tasks
	// where it does not reduce the rows (see agg.SkipPartial).
	skip := agg.SkipPartial{ProbeRows: pl.cfg.PartialAggProbeRows, RatioThreshold: pl.cfg.PartialAggRatio}
	partial, err := aggNode(proj, agg.Spec{GroupBy: keys, Aggs: specs, Mode: agg.Partial, SkipPartial: skip}, n.String())
	if err != nil {
		return nil, err
	}
	final := agg.Spec{GroupBy: keys, Aggs: make([]agg.AggSpec, len(specs)), Mode: agg.Final}
	col := k
	for i, s := range specs {
		final.Aggs[i] = agg.AggSpec{Func: s.Func, Input: col, Name: s.Name}
		col += agg.StateWidth(s.Func)
	}
	return aggNode(pl.exchange(partial, keys), final, n.String())
}

// exchange hash-partitions child on keys (a gather when there are none).
func (pl *planner) exchange(child Node, keys []int) Node {
	if len(keys) == 0 {
		return gather(child)
	}
	return newExchange(child, keys, pl.cfg.ShufflePartitions)
}

// aggNode runs a hash aggregation in every partition of child.
func aggNode(child Node, spec agg.Spec, label string) (Node, error) {
	schema, err := agg.OutputSchema(spec, child.Schema())
	if err != nil {
		return nil, err
	}
	label = fmt.Sprintf("HashAggregate(%s): %s", spec.Mode, strings.TrimPrefix(label, "Aggregate: "))
	return newUnary(child, schema, label, func(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
		return agg.NewHashAggregate(in, spec, x.Env, m)
	}), nil
}

// distinct removes duplicates in every partition, exchanges rows by all
// columns and removes the duplicates that met.
func (pl *planner) distinct(n *plan.Distinct) (Node, error) {
	child, err := pl.node(n.Input)
	if err != nil {
		return nil, err
	}
	local := newUnary(child, child.Schema(), "Distinct (partial)", distinctOpener)
	if child.Partitions() == 1 {
		return local, nil
	}
	ex := pl.exchange(local, seq(0, child.Schema().NumFields()))
	return newUnary(ex, child.Schema(), "Distinct (final)", distinctOpener), nil
}

func distinctOpener(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error) {
	return agg.NewDistinct(in, x.Env, m)
}

// sort plans a global sort: each input partition is sorted (or reduced to
// its top offset+k rows when k >= 0), the sorted runs are gathered and a
// k-way merge combines them into one ordered partition. Merging sorted
// runs, rather than range-partitioning from a sample as Spark does, keeps
// the sort in one pass with no sampling job; on one host the merge is
// cheap next to the sorts, which run in parallel.
func (pl *planner) sort(n *plan.Sort, k, offset int64) (Node, error) {
	child, err := pl.node(n.Input)
	if err != nil {
		return nil, err
	}
	s := child.Schema()
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
		keys[i].Col = s.NumFields() + len(computed)
		computed = append(computed, sk.Expr)
	}
	in := child
	if len(computed) > 0 {
		if in, err = projectNode(child, computed, true); err != nil {
			return nil, err
		}
	}
	label := n.String()
	if k >= 0 {
		label = fmt.Sprintf("TopK %d %s", offset+k, label)
	}
	sorted := newUnary(in, in.Schema(), label, func(x *Execution, op exec.Operator, m *exec.Metrics) (exec.Operator, error) {
		if k >= 0 {
			return order.NewTopK(op, keys, offset+k, x.Env, m)
		}
		return order.NewSort(op, keys, x.Env, m)
	})
	var out Node = sorted
	if sorted.Partitions() > 1 {
		out = newMerge(newExchange(sorted, nil, 1), keys, "SortPreservingMerge "+strings.TrimPrefix(n.String(), "Sort: "))
	}
	if len(computed) > 0 {
		out = selectNode(out, seq(0, s.NumFields()), s)
	}
	return out, nil
}

// limit applies a limit per partition (offset+count rows each), gathers,
// and applies it again globally. Over a sort it becomes a top-k.
func (pl *planner) limit(n *plan.Limit) (Node, error) {
	if s, ok := n.Input.(*plan.Sort); ok && n.Count >= 0 {
		top, err := pl.sort(s, n.Count, n.Offset)
		if err != nil {
			return nil, err
		}
		return limitNode(top, n.Offset, n.Count, n.String()), nil
	}
	child, err := pl.node(n.Input)
	if err != nil {
		return nil, err
	}
	if child.Partitions() > 1 && n.Count >= 0 {
		child = gather(limitNode(child, 0, n.Offset+n.Count, "Limit (per partition)"))
	}
	return limitNode(gather(child), n.Offset, n.Count, n.String()), nil
}

func limitNode(child Node, offset, count int64, label string) Node {
	return newUnary(child, child.Schema(), label, func(_ *Execution, in exec.Operator, _ *exec.Metrics) (exec.Operator, error) {
		return order.NewLimit(in, offset, count), nil
	})
}

// union concatenates the branches' partitions, casting branches whose
// column types differ from the union's.
func (pl *planner) union(n *plan.Union) (Node, error) {
	want := n.Schema()
	kids := make([]Node, len(n.Inputs))
	for i, in := range n.Inputs {
		k, err := pl.node(in)
		if err != nil {
			return nil, err
		}
		if !sameTypes(k.Schema(), want) {
			// Cast by position: a branch may hold duplicate names.
			pos := selectNode(k, seq(0, want.NumFields()), positionalSchema(k.Schema()))
			casts := make([]expr.Expr, want.NumFields())
			for c := range casts {
				casts[c] = expr.Col(positionalName(c)).Cast(want.Field(c).Type)
			}
			if k, err = projectNode(pos, casts, false); err != nil {
				return nil, err
			}
		}
		kids[i] = selectNode(k, seq(0, want.NumFields()), want)
	}
	return newUnion(want, kids), nil
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
