package join

import (
	"context"
	"errors"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// hashJoinOp is a hash join that owns its build side: Open builds the table
// from the right input, then the probe streams the left input against it.
type hashJoinOp struct {
	left, right exec.Operator
	spec        Spec
	env         *exec.Env
	m           *exec.Metrics
	schema      *arrow.Schema
	probe       exec.Operator
	closed      bool
}

var _ exec.Operator = (*hashJoinOp)(nil)

// NewHashJoin returns a hash join of left (probe) and right (build): Open
// consumes the right input into a Table (see Build), then Next streams the
// left input against it (see NewProbe). The operator owns the table and
// releases it in Close. A Semi or Anti join without a residual builds a
// keys-only table: it never copies the right columns. A Cross join
// (spec.Type == Cross, no keys) buffers the right input and pairs every left
// row with every right row.
//
// An invalid spec returns an error wrapping ErrInvalidSpec; memory refusals
// during the build surface from Open wrapping mempool.ErrMemoryLimit.
func NewHashJoin(left, right exec.Operator, spec Spec, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	if err := spec.validate(left.Schema(), right.Schema()); err != nil {
		return nil, err
	}
	return &hashJoinOp{
		left: left, right: right, spec: spec, env: env, m: m,
		schema: OutputSchema(spec.Type, left.Schema(), right.Schema()),
	}, nil
}

// Schema implements exec.Operator.
func (o *hashJoinOp) Schema() *arrow.Schema { return o.schema }

// Open implements exec.Operator: it builds the table, then opens the probe.
func (o *hashJoinOp) Open(ctx context.Context) error {
	if o.closed || o.probe != nil {
		return errNotOpen
	}
	keysOnly := o.spec.Type.filtersLeft() && o.spec.Residual == nil
	t, err := buildTable(ctx, o.right, o.spec.RightKeys, !keysOnly, o.env, o.m)
	if err != nil {
		return err
	}
	p, err := NewProbe(o.left, t, o.spec, o.env, o.m)
	t.Release() // the probe holds its own reference
	if err != nil {
		return err
	}
	o.probe = p
	return p.Open(ctx)
}

// Next implements exec.Operator.
func (o *hashJoinOp) Next(ctx context.Context) (exec.Batch, error) {
	if o.probe == nil || o.closed {
		return exec.Batch{}, errNotOpen
	}
	return o.probe.Next(ctx)
}

// Close implements exec.Operator. It closes both inputs and releases the
// table; it is idempotent.
func (o *hashJoinOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	var errs []error
	if o.probe != nil {
		errs = append(errs, o.probe.Close())
	} else {
		errs = append(errs, o.left.Close())
	}
	errs = append(errs, o.right.Close())
	return errors.Join(errs...)
}
