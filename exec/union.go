package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
)

// NewUnion returns the batches of each input in turn (UNION ALL). Inputs must
// have the same column types as schema (the planner casts branches first);
// their records are relabelled with schema, zero-copy (NewColumnSelect).
func NewUnion(schema *arrow.Schema, inputs []Operator) (Operator, error) {
	relabelled := make([]Operator, len(inputs))
	for i, in := range inputs {
		op, err := NewColumnSelect(in, nil, schema)
		if err != nil {
			return nil, fmt.Errorf("union input %d: %w", i, err)
		}
		relabelled[i] = op
	}
	return &unionOp{schema: schema, inputs: relabelled}, nil
}

type unionOp struct {
	schema *arrow.Schema
	inputs []Operator
	cur    int
}

var _ Operator = (*unionOp)(nil)

func (u *unionOp) Schema() *arrow.Schema { return u.schema }

func (u *unionOp) Open(ctx context.Context) error {
	for _, in := range u.inputs {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (u *unionOp) Next(ctx context.Context) (Batch, error) {
	for u.cur < len(u.inputs) {
		b, err := u.inputs[u.cur].Next(ctx)
		if errors.Is(err, io.EOF) {
			u.cur++
			continue
		}
		if err != nil {
			return Batch{}, err
		}
		return b, nil
	}
	return Batch{}, io.EOF
}

func (u *unionOp) Close() error {
	var first error
	for _, in := range u.inputs {
		if err := in.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
