package physical

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/eval"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/expr"
)

// joinSpec is what both join strategies need: the exec spec without its
// residual (each probe compiles its own Selector, since Selectors are
// single-goroutine) and the residual over the combined schema.
type joinSpec struct {
	spec     join.Spec
	residual expr.Expr
	combined *arrow.Schema
}

// newSpec returns the exec spec with a fresh residual Selector.
func (j *joinSpec) newSpec() (join.Spec, error) {
	s := j.spec
	if j.residual != nil {
		sel, err := eval.NewSelector(j.residual, j.combined)
		if err != nil {
			return s, err
		}
		s.Residual = sel
	}
	return s, nil
}

// broadcastJoinNode probes each partition of its probe child against one
// hash table built once from the build child (a single-partition gather):
// the probe side is never shuffled.
type broadcastJoinNode struct {
	base
	joinSpec
}

func newBroadcastJoin(probe, build Node, js joinSpec, schema *arrow.Schema, label string) *broadcastJoinNode {
	n := &broadcastJoinNode{joinSpec: js}
	n.schema, n.children, n.parts, n.label = schema, []Node{probe, build}, probe.Partitions(), label
	return n
}

// table returns the run's broadcast table for n, building it on first use.
// Every probe task waits for the one build.
func (x *Execution) table(ctx context.Context, n *broadcastJoinNode) (*join.Table, error) {
	x.mu.Lock()
	if x.tables == nil {
		x.mu.Unlock()
		return nil, fmt.Errorf("internal error: execution already released")
	}
	bt, ok := x.tables[n]
	if !ok {
		bt = &broadcastTable{}
		x.tables[n] = bt
	}
	x.mu.Unlock()
	bt.once.Do(func() {
		build, err := n.children[1].Open(x, 0)
		if err != nil {
			bt.err = err
			return
		}
		bt.table, bt.err = join.Build(ctx, build, n.spec.RightKeys, x.Env, &n.metrics)
	})
	return bt.table, bt.err
}

func (n *broadcastJoinNode) Open(x *Execution, p int) (exec.Operator, error) {
	probe, err := n.children[0].Open(x, p)
	if err != nil {
		return nil, err
	}
	spec, err := n.newSpec()
	if err != nil {
		probe.Close()
		return nil, err
	}
	op := &broadcastProbeOp{x: x, n: n, probe: probe, spec: spec}
	return exec.Instrument(op, &n.metrics), nil
}

// broadcastProbeOp gets the shared table when opened (building it if it is
// the first probe) and then delegates to a join probe.
type broadcastProbeOp struct {
	x     *Execution
	n     *broadcastJoinNode
	probe exec.Operator
	spec  join.Spec
	op    exec.Operator
}

func (o *broadcastProbeOp) Schema() *arrow.Schema { return o.n.schema }

func (o *broadcastProbeOp) Open(ctx context.Context) error {
	t, err := o.x.table(ctx, o.n)
	if err != nil {
		return err
	}
	if o.op, err = join.NewProbe(o.probe, t, o.spec, o.x.Env, &o.n.metrics); err != nil {
		return err
	}
	return o.op.Open(ctx)
}

func (o *broadcastProbeOp) Next(ctx context.Context) (exec.Batch, error) { return o.op.Next(ctx) }

func (o *broadcastProbeOp) Close() error {
	if o.op != nil {
		return o.op.Close()
	}
	return o.probe.Close()
}

// partitionedJoinNode joins partition p of its left child with partition p
// of its right child: both sides were hash-exchanged on the join keys into
// the same number of partitions, so matching keys meet in one task. It is
// a shuffled hash join, or a sort-merge join when both inputs were sorted
// by the keys.
type partitionedJoinNode struct {
	base
	joinSpec
	sortMerge bool // inputs arrive sorted by join.SortKeys: merge them
}

func newPartitionedJoin(left, right Node, js joinSpec, schema *arrow.Schema, label string) *partitionedJoinNode {
	n := &partitionedJoinNode{joinSpec: js}
	n.schema, n.children, n.parts, n.label = schema, []Node{left, right}, left.Partitions(), label
	return n
}

func (n *partitionedJoinNode) Open(x *Execution, p int) (exec.Operator, error) {
	l, err := n.children[0].Open(x, p)
	if err != nil {
		return nil, err
	}
	r, err := n.children[1].Open(x, p)
	if err != nil {
		l.Close()
		return nil, err
	}
	spec, err := n.newSpec()
	if err == nil {
		var op exec.Operator
		if n.sortMerge {
			op, err = join.NewSortMergeJoin(l, r, spec, x.Env, &n.metrics)
		} else {
			op, err = join.NewHashJoin(l, r, spec, x.Env, &n.metrics)
		}
		if err == nil {
			return exec.Instrument(op, &n.metrics), nil
		}
	}
	l.Close()
	r.Close()
	return nil, err
}
