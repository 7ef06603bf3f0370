package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// NewColumnSelect returns an operator that keeps the input columns cols, in
// that order, and labels them with schema (same types, possibly other names
// and metadata). It copies no data and keeps the selection vector. cols ==
// nil keeps every column. It returns input itself when nothing would change.
func NewColumnSelect(input Operator, cols []int, schema *arrow.Schema) (Operator, error) {
	in := input.Schema()
	if cols == nil {
		cols = make([]int, in.NumFields())
		for i := range cols {
			cols[i] = i
		}
	}
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("internal error: column select: %d columns for a %d-field schema", len(cols), schema.NumFields())
	}
	identity := len(cols) == in.NumFields()
	for i, c := range cols {
		if c < 0 || c >= in.NumFields() {
			return nil, fmt.Errorf("internal error: column select: index %d out of range", c)
		}
		if !arrow.TypeEqual(in.Field(c).Type, schema.Field(i).Type) {
			return nil, fmt.Errorf("internal error: column select: column %d is %s, want %s", c, in.Field(c).Type, schema.Field(i).Type)
		}
		identity = identity && c == i
	}
	if identity && in.Equal(schema) {
		return input, nil
	}
	return &columnSelectOp{input: input, cols: cols, schema: schema}, nil
}

type columnSelectOp struct {
	input  Operator
	cols   []int
	schema *arrow.Schema
}

var _ Operator = (*columnSelectOp)(nil)

func (o *columnSelectOp) Schema() *arrow.Schema          { return o.schema }
func (o *columnSelectOp) Open(ctx context.Context) error { return o.input.Open(ctx) }
func (o *columnSelectOp) Close() error                   { return o.input.Close() }

func (o *columnSelectOp) Next(ctx context.Context) (Batch, error) {
	b, err := o.input.Next(ctx)
	if err != nil {
		return Batch{}, err
	}
	arrs := make([]arrow.Array, len(o.cols))
	for i, c := range o.cols {
		arrs[i] = b.Rec.Column(c)
	}
	rec := array.NewRecord(o.schema, arrs, b.Rec.NumRows())
	b.Rec.Release()
	return Batch{Rec: rec, Sel: b.Sel}, nil
}
