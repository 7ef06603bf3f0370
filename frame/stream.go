package frame

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
)

// RecordStream iterates over the result of a query one record at a time,
// so results larger than memory can be consumed as they are produced:
//
//	st, err := df.Stream(ctx)
//	if err != nil { … }
//	defer st.Close()
//	for st.Next() {
//		rec := st.Record() // valid until the next call to Next or Close
//		…
//	}
//	if err := st.Err(); err != nil { … }
//
// Close may be called at any time: it stops the query and releases
// everything it holds, the current record included. A RecordStream is used
// by one goroutine at a time.
type RecordStream struct {
	ctx context.Context
	q   *query
	rec arrow.Record
	err error
}

// Stream starts the query and returns an iterator over its result. The
// query runs as the caller calls Next, under ctx. The caller must Close the
// stream (also after Next returned false).
func (df *DataFrame) Stream(ctx context.Context) (*RecordStream, error) {
	q, err := df.start(ctx, "Stream")
	if err != nil {
		return nil, err
	}
	return &RecordStream{ctx: ctx, q: q}, nil
}

// Schema is the schema of every record.
func (st *RecordStream) Schema() *arrow.Schema { return st.q.out }

// Next advances to the next record and reports whether there is one. It
// returns false at the end of the result or on an error (see Err); the
// query is then already closed.
func (st *RecordStream) Next() bool {
	st.releaseRecord()
	if st.err != nil || st.q.closed {
		return false
	}
	rec, err := st.q.next(st.ctx)
	if errors.Is(err, io.EOF) {
		st.err = st.q.finish()
		return false
	}
	if err != nil {
		st.err = err
		return false
	}
	st.rec = rec
	return true
}

// Record returns the current record. It stays valid until the next call to
// Next or Close; call Retain on it to keep it longer (and Release later).
func (st *RecordStream) Record() arrow.Record { return st.rec }

// Err returns the error that ended the iteration, or nil.
func (st *RecordStream) Err() error { return st.err }

// Close stops the query, releases the current record and every resource of
// the query. It is idempotent and returns an error only if closing the
// operators failed; stopping early is not an error.
func (st *RecordStream) Close() error {
	st.releaseRecord()
	if st.q.closed {
		return nil
	}
	if err := st.q.close(); err != nil {
		return actionErr(st.q.action, err)
	}
	return nil
}

func (st *RecordStream) releaseRecord() {
	if st.rec != nil {
		st.rec.Release()
		st.rec = nil
	}
}
