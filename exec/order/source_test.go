package order_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// source is a test operator that hands out prepared batches (each a slice
// of one record, optionally with a selection vector) and counts how many it
// handed out. It returns failAt's error instead of batch failAt when set.
type source struct {
	schema  *arrow.Schema
	batches []exec.Batch
	pos     int
	pulled  int // batches returned by Next
	failAt  int // -1: never fail
	opened  bool
	closed  int // Close calls
}

var _ exec.Operator = (*source)(nil)

var errSource = errors.New("source failed")

func (s *source) Schema() *arrow.Schema { return s.schema }

func (s *source) Open(context.Context) error {
	s.opened = true
	return nil
}

func (s *source) Next(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	if s.pos == s.failAt {
		return exec.Batch{}, errSource
	}
	if s.pos >= len(s.batches) {
		return exec.Batch{}, io.EOF
	}
	b := s.batches[s.pos]
	s.batches[s.pos] = exec.Batch{}
	s.pos++
	s.pulled++
	if b.Sel != nil {
		b.Sel = append([]int32{}, b.Sel...) // the consumer may narrow it in place
	}
	return b, nil
}

func (s *source) Close() error {
	s.closed++
	for i := s.pos; i < len(s.batches); i++ {
		s.batches[i].Release()
		s.batches[i] = exec.Batch{}
	}
	return nil
}

// table is generated test data: the record and the live rows of the
// batches cut from it, in input order.
type table struct {
	rec  arrow.Record
	rows [][]any // every row of rec, as Go values
}

// newSource cuts t.rec into batches of random sizes (some empty), giving
// half of them a random selection vector, and returns the source and the
// indexes of the live rows in input order.
func newSource(t *testing.T, g *gen, tb table) (*source, []int) {
	t.Helper()
	n := int(tb.rec.NumRows())
	src := &source{schema: tb.rec.Schema(), failAt: -1}
	var live []int
	for lo := 0; lo < n || (n == 0 && len(src.batches) == 0); {
		size := g.batchLen(n - lo)
		rec := tb.rec.NewSlice(int64(lo), int64(lo+size))
		b := exec.Batch{Rec: rec}
		if g.rng.Intn(2) == 0 {
			b.Sel = []int32{}
			for i := 0; i < size; i++ {
				if g.rng.Intn(3) != 0 {
					b.Sel = append(b.Sel, int32(i))
				}
			}
		}
		for i := 0; i < b.Len(); i++ {
			live = append(live, lo+b.Row(i))
		}
		src.batches = append(src.batches, b)
		lo += size
		if n == 0 {
			break
		}
	}
	return src, live
}
