package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// NewUnion returns the batches of each input in turn (UNION ALL). Inputs must
// have the same column types as schema (the planner casts branches first);
// their records are relabelled with schema, zero-copy.
func NewUnion(schema *arrow.Schema, inputs []Operator) (Operator, error) {
	for i, in := range inputs {
		s := in.Schema()
		if s.NumFields() != schema.NumFields() {
			return nil, fmt.Errorf("union: input %d has %d columns, want %d", i, s.NumFields(), schema.NumFields())
		}
		for c := range s.Fields() {
			if !arrow.TypeEqual(s.Field(c).Type, schema.Field(c).Type) {
				return nil, fmt.Errorf("union: input %d column %d is %s, want %s", i, c, s.Field(c).Type, schema.Field(c).Type)
			}
		}
	}
	return &unionOp{schema: schema, inputs: inputs}, nil
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
		if b.Rec.Schema().Equal(u.schema) {
			return b, nil
		}
		rec := array.NewRecord(u.schema, b.Rec.Columns(), b.Rec.NumRows())
		b.Rec.Release()
		return Batch{Rec: rec, Sel: b.Sel}, nil
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
