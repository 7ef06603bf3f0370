package exec

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
)

// Metrics counts what one operator did. The counters are atomic so that the
// tasks of a parallel stage can share one Metrics per plan node and a
// progress reporter can read them while the query runs.
type Metrics struct {
	// Operator names the operator in errors (see OperatorError); set it
	// before the operator runs.
	Operator string

	RowsOut      atomic.Int64 // live rows returned by Next
	Batches      atomic.Int64 // batches returned by Next
	Nanos        atomic.Int64 // wall time inside Open, Next and Close, children included
	PeakReserved atomic.Int64 // largest memory reservation observed

	mu    sync.Mutex
	extra []*Counter // operator-specific counters (groups, build rows…)
}

// Counter is a named operator-specific metric.
type Counter struct {
	Name  string
	Value atomic.Int64
}

// NewCounter returns m's counter with the given name, adding it on first
// use. The operators of every partition of a plan node share one Metrics,
// so they share its counters; NewCounter is safe for concurrent use.
func (m *Metrics) NewCounter(name string) *Counter {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.extra {
		if c.Name == name {
			return c
		}
	}
	c := &Counter{Name: name}
	m.extra = append(m.extra, c)
	return c
}

// Counter returns the counter with the given name, or nil.
func (m *Metrics) Counter(name string) *Counter {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.extra {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Counters returns m's operator-specific counters in creation order.
func (m *Metrics) Counters() []*Counter {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Counter(nil), m.extra...)
}

// ObservePeak raises PeakReserved to n if n is larger.
func (m *Metrics) ObservePeak(n int64) {
	if m == nil {
		return
	}
	for {
		cur := m.PeakReserved.Load()
		if n <= cur || m.PeakReserved.CompareAndSwap(cur, n) {
			return
		}
	}
}

// OperatorError names the operator where an error arose. Instrument wraps
// the first error an operator returns (not io.EOF) when m.Operator is set;
// the operators above it pass it through unwrapped, so the message names
// the origin once.
type OperatorError struct {
	Operator string
	Err      error
}

func (e *OperatorError) Error() string { return e.Operator + ": " + e.Err.Error() }

// Unwrap returns the operator's error.
func (e *OperatorError) Unwrap() error { return e.Err }

// named wraps err with m's operator name unless it already names one.
func (m *Metrics) named(err error) error {
	var oe *OperatorError
	if err == nil || m.Operator == "" || errors.Is(err, io.EOF) || errors.As(err, &oe) {
		return err
	}
	return &OperatorError{Operator: m.Operator, Err: err}
}

// Instrument wraps op so that its output rows, batches and time are counted
// in m, and its errors name m.Operator. It returns op itself when m is nil.
func Instrument(op Operator, m *Metrics) Operator {
	if m == nil {
		return op
	}
	return &instrumentedOp{in: op, m: m}
}

type instrumentedOp struct {
	in Operator
	m  *Metrics
}

var _ Operator = (*instrumentedOp)(nil)

func (o *instrumentedOp) Schema() *arrow.Schema { return o.in.Schema() }

func (o *instrumentedOp) Open(ctx context.Context) error {
	start := time.Now()
	err := o.in.Open(ctx)
	o.m.Nanos.Add(int64(time.Since(start)))
	return o.m.named(err)
}

func (o *instrumentedOp) Next(ctx context.Context) (Batch, error) {
	start := time.Now()
	b, err := o.in.Next(ctx)
	o.m.Nanos.Add(int64(time.Since(start)))
	if err == nil {
		o.m.RowsOut.Add(int64(b.Len()))
		o.m.Batches.Add(1)
	}
	return b, o.m.named(err)
}

func (o *instrumentedOp) Close() error {
	start := time.Now()
	err := o.in.Close()
	o.m.Nanos.Add(int64(time.Since(start)))
	return err
}
