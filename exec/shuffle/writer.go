package shuffle

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/spill"
)

// Writer states. Only an open writer takes rows; only closed writers count
// as finished map tasks.
const (
	stateOpen int32 = iota
	stateClosed
	stateFailed
	stateAborted
	stateReleased
)

// stateName names a writer state for error messages.
func stateName(s int32) string {
	return [...]string{"still open", "closed", "failed", "aborted", "released"}[s]
}

// Writer is the map side of one map task: it routes the rows of each batch
// to their reducer partitions, buffers them per partition and seals them
// into blocks of about Env.BatchSize rows.
//
// Call order: Write any number of times, then Close (the task succeeded) or
// Abort (it failed). Any error from Write or Close is final for this
// attempt: the writer fails and the task must be retried with a new
// Exchange.Writer (or the query fails and the exchange is released).
//
// A Writer is used by one goroutine; writers of different map tasks run
// concurrently. Batches are not retained beyond Write except through
// reference-counted columns (a batch without a selection that goes to a
// single partition is kept without copying).
type Writer struct {
	x    *Exchange
	task int
	err  error // set for writers created in a failing state

	mu     sync.Mutex
	state  atomic.Int32
	failed error
	res    *mempool.Reservation

	route   router
	staging *spill.Recycler // allocates sources, reusing released ones' memory
	sources []*source       // live sources, oldest first (dead ones skipped)
	srcRows int64           // rows in live sources
	srcSize atomic.Int64    // bytes in live sources (read by other writers)
	pending []pendingPart   // per partition: spans not yet sealed
	pendRow int64           // rows over all pending
	out     []partitionOut  // per partition: sealed blocks, in write order

	memBytes atomic.Int64 // bytes of in-memory sealed blocks
	stats    []partStats  // per partition, read by Stats while running
}

// partStats counts what one map task sent to one partition.
type partStats struct {
	rows   atomic.Int64 // rows routed (at Write)
	bytes  atomic.Int64 // bytes of sealed blocks (at seal)
	blocks atomic.Int64 // sealed blocks
}

// newWriter returns an open writer for map task task with its own
// spillable reservation.
func newWriter(x *Exchange, task int) *Writer {
	r := x.cfg.Partitions
	w := &Writer{
		x:       x,
		task:    task,
		res:     mempool.NewReservation(x.env.Pool, fmt.Sprintf("%s[map %d]", x.cfg.Name, task), true),
		pending: make([]pendingPart, r),
		out:     make([]partitionOut, r),
		stats:   make([]partStats, r),
		staging: spill.NewRecycler(x.env.Mem, stagingKeep(x.cfg.Schema)),
	}
	w.route.init(x.cfg, task)
	return w
}

// Write routes the live rows of b to their partitions. It checks ctx once,
// reserves memory for the rows it buffers (when refused, it spills this
// task's buffered rows, or else another map task's) and returns an error
// wrapping mempool.ErrMemoryLimit only when nothing in the exchange is left
// to spill. The caller keeps ownership of b.
func (w *Writer) Write(ctx context.Context, b exec.Batch) (err error) {
	if w.err != nil {
		return w.err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	defer func() { w.fail(err) }()
	if err := ctx.Err(); err != nil {
		return w.wrap("write", err)
	}
	if err := w.x.checkBatch(b); err != nil {
		return w.wrap("write", err)
	}
	n := b.Len()
	if n == 0 {
		return nil
	}
	if err := w.route.assign(b); err != nil {
		return w.wrap("route rows", err)
	}
	if err := w.ensure(estimateBytes(b.Rec, n)); err != nil {
		return err
	}
	src, err := w.newSource(b)
	if err != nil {
		return w.wrap("gather rows", err)
	}
	if err := w.addSpans(src); err != nil {
		return err
	}
	return w.ensure(0)
}

// Close seals the rows still buffered into blocks and marks the map task
// done. The blocks stay (in memory or spilled) until readers consume them
// or the exchange is released.
func (w *Writer) Close(ctx context.Context) (err error) {
	if w.err != nil {
		return w.err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	defer func() { w.fail(err) }()
	if err := ctx.Err(); err != nil {
		return w.wrap("close", err)
	}
	if err := w.sealAll(); err != nil {
		return err
	}
	if err := w.ensure(0); err != nil {
		return err
	}
	w.state.Store(stateClosed)
	w.staging.Close()
	return nil
}

// Abort discards this attempt's output: buffered rows, blocks, spill file
// references and the reservation. It is idempotent and safe after Close; a
// task that failed calls it so its memory is freed at once. FinishMap then
// fails until the task is retried with Exchange.Writer.
func (w *Writer) Abort() {
	if w.err != nil {
		return
	}
	w.discard(stateAborted)
}

// usable returns the reason the writer cannot take rows, if any. Called
// with w.mu held.
func (w *Writer) usable() error {
	if w.x.released.Load() {
		return w.wrap("write", ErrReleased)
	}
	switch s := w.state.Load(); s {
	case stateOpen:
		return nil
	case stateFailed:
		return w.failed
	default:
		return w.wrap("write", fmt.Errorf("writer %s: %w", stateName(s), ErrWriterDone))
	}
}

// fail makes err (if any) final for this attempt. Called with w.mu held.
func (w *Writer) fail(err error) {
	if err != nil && w.state.Load() == stateOpen {
		w.failed = err
		w.state.Store(stateFailed)
	}
}

// wrap adds the exchange and map task to err.
func (w *Writer) wrap(what string, err error) error {
	return fmt.Errorf("shuffle %s: map task %d: %s: %w", w.x.cfg.Name, w.task, what, err)
}

// checkBatch checks that b has the exchange's column types.
func (x *Exchange) checkBatch(b exec.Batch) error {
	if b.Rec == nil {
		return fmt.Errorf("batch without a record: %w", ErrSchemaMismatch)
	}
	fields := x.cfg.Schema.Fields()
	if int(b.Rec.NumCols()) != len(fields) {
		return fmt.Errorf("%d columns, want %d: %w", b.Rec.NumCols(), len(fields), ErrSchemaMismatch)
	}
	for i, f := range fields {
		if dt := b.Rec.Column(i).DataType(); !arrow.TypeEqual(dt, f.Type) {
			return fmt.Errorf("column %d is %s, want %s: %w", i, dt, f.Type, ErrSchemaMismatch)
		}
	}
	return nil
}

// held is the bytes the writer holds in memory: live sources and sealed
// in-memory blocks. Exact under w.mu; a racy estimate without it.
func (w *Writer) held() int64 { return w.srcSize.Load() + w.memBytes.Load() }

// discard frees everything the writer holds and moves it to state to.
// It is a no-op on a writer already aborted or released.
func (w *Writer) discard(to int32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.state.Load(); s == stateAborted || s == stateReleased {
		return
	}
	w.state.Store(to)
	for _, s := range w.sources {
		if s.rec != nil {
			s.rec.Release()
			s.rec = nil
		}
	}
	w.sources, w.srcRows = nil, 0
	w.srcSize.Store(0)
	for p := range w.pending {
		w.pending[p] = pendingPart{}
	}
	w.pendRow = 0
	for p := range w.out {
		w.dropLocked(p)
	}
	w.staging.Close()
	w.res.Free()
}

// stagingKeep is how many freed buffers a writer's staging recycler keeps:
// those of two sources (up to three buffers per column), since about one
// source is released per batch written.
func stagingKeep(schema *arrow.Schema) int { return 6 * schema.NumFields() }
