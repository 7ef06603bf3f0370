package exectest

import (
	"context"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// Replay is a benchmark source that hands out the same batches on every
// run, so input generation stays out of the measured loop: Open rewinds,
// Next returns each batch with one extra reference (the caller releases
// it), and Close does nothing. The replay keeps its own references until
// Release.
type Replay struct {
	schema  *arrow.Schema
	batches []exec.Batch
	pos     int
}

var _ exec.Operator = (*Replay)(nil)

// NewReplay returns a replay of batches with the given schema. It releases
// the batches only in Release; selection vectors are handed out shared, so
// consumers must not narrow them in place.
func NewReplay(schema *arrow.Schema, batches ...exec.Batch) *Replay {
	return &Replay{schema: schema, batches: batches}
}

// ReplayRecords returns a replay of whole records with the given schema,
// which it releases only in Release.
func ReplayRecords(schema *arrow.Schema, recs ...arrow.Record) *Replay {
	batches := make([]exec.Batch, len(recs))
	for i, rec := range recs {
		batches[i] = exec.Batch{Rec: rec}
	}
	return NewReplay(schema, batches...)
}

// Batches returns the replayed batches. The replay keeps owning them:
// callers may read but must not release or keep them.
func (r *Replay) Batches() []exec.Batch { return r.batches }

// Schema implements exec.Operator.
func (r *Replay) Schema() *arrow.Schema { return r.schema }

// Open implements exec.Operator: it rewinds to the first batch.
func (r *Replay) Open(context.Context) error {
	r.pos = 0
	return nil
}

// Next implements exec.Operator.
func (r *Replay) Next(context.Context) (exec.Batch, error) {
	if r.pos >= len(r.batches) {
		return exec.Batch{}, io.EOF
	}
	b := r.batches[r.pos]
	r.pos++
	b.Rec.Retain()
	return b, nil
}

// Close implements exec.Operator; the batches stay for the next run.
func (r *Replay) Close() error { return nil }

// Release drops the replay's own references to its batches.
func (r *Replay) Release() {
	for _, b := range r.batches {
		b.Release()
	}
	r.batches = nil
}
