package order

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// breaker is the pipeline-breaking machinery sort and top-k share: the
// input, the memory reservation, the buffer of compacted input rows, the
// sorter and the sorted run being emitted.
//
// Every byte it holds is reserved first. At rest,
//
//	res.Size() == buf.bytes + runBytes + scratch
//
// where runBytes covers the run being emitted (its record and permutation)
// and scratch the sorter's entries kept for reuse.
type breaker struct {
	name  string // reservation consumer and error prefix: "sort", "top-k"
	input exec.Operator
	env   *exec.Env
	m     *exec.Metrics
	srt   *sorter

	res      *mempool.Reservation
	buf      *buffer
	out      *run
	runBytes int64
	scratch  int64
	permBuf  []int32 // permutation storage reused between sorts
	opened   bool
	closed   bool
}

// newBreaker validates keys against the input schema and returns the shared
// state of a sort or top-k named name.
func newBreaker(name string, input exec.Operator, keys []Key, env *exec.Env, m *exec.Metrics) (*breaker, error) {
	if input == nil || env == nil {
		return nil, fmt.Errorf("%s: internal error: nil input or env", name)
	}
	kinds, err := resolveKeys(input.Schema(), keys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	keys = append([]Key(nil), keys...)
	return &breaker{name: name, input: input, env: env, m: m, srt: newSorter(keys, kinds)}, nil
}

// Schema is the input's schema: ordering does not change columns.
func (b *breaker) Schema() *arrow.Schema { return b.input.Schema() }

// Open registers the reservation and opens the input.
func (b *breaker) Open(ctx context.Context) error {
	if b.closed || b.opened {
		return fmt.Errorf("%s: internal error: open called twice or after close", b.name)
	}
	b.opened = true
	b.res = mempool.NewReservation(b.env.Pool, b.name, true)
	b.buf = newBuffer(b.env, b.input.Schema(), b.res, b.name)
	return b.input.Open(ctx)
}

// grow reserves n more bytes and records the new peak.
func (b *breaker) grow(n int64, what string) error {
	if err := b.res.TryGrow(n); err != nil {
		return fmt.Errorf("%s: %s: %w", b.name, what, err)
	}
	b.m.ObservePeak(b.res.Size())
	return nil
}

// pull returns the next input batch, or io.EOF. It checks ctx once per
// batch.
func (b *breaker) pull(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	batch, err := b.input.Next(ctx)
	if err != nil && !errors.Is(err, io.EOF) {
		return exec.Batch{}, fmt.Errorf("%s: %w", b.name, err)
	}
	return batch, err
}

// add buffers the live rows of batch and releases it.
func (b *breaker) add(batch exec.Batch) error {
	defer batch.Release()
	if err := b.buf.add(batch); err != nil {
		return err
	}
	b.m.ObservePeak(b.res.Size())
	return nil
}

// sortBuffer moves the buffered rows into one record and orders them. The
// record's bytes move from the buffer to the caller's account, as do the
// permutation's n*4 bytes, which sortBuffer reserves; the caller releases
// the record and settles both (see permBytes).
func (b *breaker) sortBuffer() (arrow.Record, []int32, error) {
	n := int64(b.buf.rows)
	grow := max(n*(entrySize-4)-b.scratch, 0)
	concatTmp := b.buf.maxColumn()
	if err := b.grow(grow+concatTmp+permBytes(int(n)), fmt.Sprintf("reserve sort scratch for %d rows", n)); err != nil {
		return nil, nil, err
	}
	b.scratch += grow
	rec, err := b.buf.concat()
	b.res.Shrink(concatTmp)
	if err != nil {
		b.res.Shrink(permBytes(int(n)))
		return nil, nil, err
	}
	b.permBuf = b.srt.sort(rec, b.permBuf)
	return rec, b.permBuf, nil
}

// permBytes is the memory of a permutation of n rows.
func permBytes(n int) int64 { return int64(n) * 4 }

// dropScratch frees the sorter's entries and their reservation.
func (b *breaker) dropScratch() {
	b.srt.entries = nil
	b.res.Shrink(b.scratch)
	b.scratch = 0
}

// startRun makes rec, ordered by perm, the run to emit from row lo to hi
// (exclusive). recBytes is the record's reserved size; the permutation's is
// already reserved by sortBuffer.
func (b *breaker) startRun(rec arrow.Record, perm []int32, lo, hi int, recBytes int64) {
	b.out = &run{rec: rec, perm: perm, pos: lo, end: hi}
	b.runBytes = recBytes + permBytes(len(perm))
}

// emit returns the next batch of the run, or io.EOF once it is exhausted,
// at which point it releases the run and everything reserved.
func (b *breaker) emit(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	rec, err := b.out.next(b.env)
	if err != nil {
		return exec.Batch{}, fmt.Errorf("%s: gather output: %w", b.name, err)
	}
	if rec == nil {
		b.finish()
		return exec.Batch{}, io.EOF
	}
	return exec.Batch{Rec: rec}, nil
}

// finish releases the run, the buffer and the scratch once output is done.
func (b *breaker) finish() {
	if b.out != nil {
		b.out.release()
	}
	b.buf.release()
	b.dropScratch()
	b.res.Shrink(b.runBytes)
	b.runBytes = 0
	b.permBuf = nil
}

// Close releases everything the operator holds and closes the input. It is
// idempotent.
func (b *breaker) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	if b.out != nil {
		b.out.release()
	}
	if b.buf != nil {
		b.buf.release()
	}
	b.srt.entries, b.permBuf = nil, nil
	b.res.Free()
	if err := b.input.Close(); err != nil {
		return fmt.Errorf("%s: close input: %w", b.name, err)
	}
	return nil
}
