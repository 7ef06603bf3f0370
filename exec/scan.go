package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/io/source"
)

// NewScan reads the given splits one after another. Each record becomes one
// batch without a selection vector. The splits come from Source.Splits with
// the pushed projection, so schema must match their records.
func NewScan(schema *arrow.Schema, splits []source.Split, env *Env) Operator {
	return &scanOp{schema: schema, splits: splits, env: env}
}

type scanOp struct {
	schema *arrow.Schema
	splits []source.Split
	env    *Env
	next   int
	cur    source.Reader
}

var _ Operator = (*scanOp)(nil)

func (s *scanOp) Schema() *arrow.Schema { return s.schema }

func (s *scanOp) Open(context.Context) error { return nil }

func (s *scanOp) Next(ctx context.Context) (Batch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return Batch{}, err
		}
		if s.cur == nil {
			if s.next >= len(s.splits) {
				return Batch{}, io.EOF
			}
			sp := s.splits[s.next]
			s.next++
			r, err := sp.Open(ctx, s.env.Mem)
			if err != nil {
				return Batch{}, fmt.Errorf("scan %s: %w", sp, err)
			}
			s.cur = r
		}
		rec, err := s.cur.Next(ctx)
		if errors.Is(err, io.EOF) {
			err = s.cur.Close()
			s.cur = nil
			if err != nil {
				return Batch{}, fmt.Errorf("scan: close split: %w", err)
			}
			continue
		}
		if err != nil {
			return Batch{}, fmt.Errorf("scan: %w", err)
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		return Batch{Rec: rec}, nil
	}
}

func (s *scanOp) Close() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.cur = nil
	s.next = len(s.splits)
	return err
}
