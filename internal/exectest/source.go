package exectest

import (
	"context"
	"io"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// Source is a test operator that yields prepared batches in order. It owns
// one reference to each batch's record: Next hands the reference to the
// caller and Close releases the batches never handed out. Each returned
// batch carries its own copy of the selection vector, since consumers may
// narrow it in place.
type Source struct {
	schema  *arrow.Schema
	batches []exec.Batch
	pos     int   // index of the next batch to hand out
	pulls   int   // batches handed out by Next
	failAt  int   // Next returns failErr instead of batch failAt; -1 never
	failErr error // the injected error
	opens   int
	closes  int
}

var _ exec.Operator = (*Source)(nil)

// NewSource returns a source yielding batches with the given schema. It
// takes ownership of the batches.
func NewSource(schema *arrow.Schema, batches ...exec.Batch) *Source {
	return &Source{schema: schema, batches: batches, failAt: -1}
}

// FailAt makes Next return err instead of the batch at index i (counted
// from the first batch, whether already handed out or not). A negative i
// turns the failure off.
func (s *Source) FailAt(i int, err error) {
	s.failAt, s.failErr = i, err
}

// Pulls returns how many batches Next has handed out.
func (s *Source) Pulls() int { return s.pulls }

// Opens returns how many times Open was called.
func (s *Source) Opens() int { return s.opens }

// Closes returns how many times Close was called.
func (s *Source) Closes() int { return s.closes }

// Pending returns the batches not handed out yet. The source keeps owning
// them: callers may inspect but must not release or keep them.
func (s *Source) Pending() []exec.Batch { return s.batches[s.pos:] }

// Len returns how many batches the source was given.
func (s *Source) Len() int { return len(s.batches) }

// Schema implements exec.Operator.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Open implements exec.Operator; it only counts the call.
func (s *Source) Open(context.Context) error {
	s.opens++
	return nil
}

// Next implements exec.Operator. It returns ctx's error once ctx is done,
// the injected error at the failing index, and io.EOF after the last batch
// or after Close.
func (s *Source) Next(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	if s.pos == s.failAt {
		return exec.Batch{}, s.failErr
	}
	if s.pos >= len(s.batches) {
		return exec.Batch{}, io.EOF
	}
	b := s.batches[s.pos]
	s.batches[s.pos] = exec.Batch{}
	s.pos++
	s.pulls++
	if b.Sel != nil {
		b.Sel = slices.Clone(b.Sel)
	}
	return b, nil
}

// Close implements exec.Operator: it counts the call and releases the
// batches not handed out. Next returns io.EOF afterwards.
func (s *Source) Close() error {
	s.closes++
	for i := s.pos; i < len(s.batches); i++ {
		s.batches[i].Release()
		s.batches[i] = exec.Batch{}
	}
	s.pos = len(s.batches)
	return nil
}
