package physical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// coalesceNode streams every partition of its child into one, without
// materializing them: the result of a parallel query reaches the caller
// while its partitions are still being computed (DataFusion's
// CoalescePartitionsExec).
//
//	partition 0 ─ worker ─┐
//	partition 1 ─ worker ─┼─► bounded channel ─► Next (caller's goroutine)
//	partition 2 ─ worker ─┘
//
// At most workers partitions run at once; each takes the next partition
// not yet started. Rows arrive in no particular order.
type coalesceNode struct {
	base
	workers int
}

func newCoalesce(child Node, workers int) *coalesceNode {
	n := &coalesceNode{workers: max(1, min(workers, child.Partitions()))}
	n.schema, n.children, n.parts = child.Schema(), []Node{child}, 1
	n.label = fmt.Sprintf("Coalesce %d → 1 partitions (%d workers, streaming)", child.Partitions(), n.workers)
	return n
}

func (n *coalesceNode) Open(x *Execution, _ int) (exec.Operator, error) {
	return exec.Instrument(&coalesceOp{n: n, x: x}, &n.metrics), nil
}

// coalesceResult is one message from a worker: a batch or an error.
type coalesceResult struct {
	b   exec.Batch
	err error
}

// coalesceOp owns its worker goroutines: Close cancels them, waits for
// them and releases every batch still in flight.
type coalesceOp struct {
	n      *coalesceNode
	x      *Execution
	cancel context.CancelFunc
	out    chan coalesceResult
	wg     sync.WaitGroup
	done   bool
}

var _ exec.Operator = (*coalesceOp)(nil)

func (o *coalesceOp) Schema() *arrow.Schema { return o.n.schema }

func (o *coalesceOp) Open(ctx context.Context) error {
	ctx, o.cancel = context.WithCancel(ctx)
	o.out = make(chan coalesceResult, 2*o.n.workers)
	var next atomic.Int64
	child := o.n.children[0]
	for w := 0; w < o.n.workers; w++ {
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			for {
				p := int(next.Add(1) - 1)
				if p >= child.Partitions() {
					return
				}
				if err := o.run(ctx, child, p); err != nil {
					o.send(ctx, coalesceResult{err: err})
					return
				}
			}
		}()
	}
	go func() {
		o.wg.Wait()
		close(o.out)
	}()
	return nil
}

// run streams partition p into the channel.
func (o *coalesceOp) run(ctx context.Context, child Node, p int) (err error) {
	op, err := child.Open(o.x, p)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := op.Close(); err == nil {
			err = cerr
		}
	}()
	if err := op.Open(ctx); err != nil {
		return err
	}
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if b.Sel != nil {
			// The producer may reuse its selection buffer on its next call.
			b.Sel = append([]int32(nil), b.Sel...)
		}
		if !o.send(ctx, coalesceResult{b: b}) {
			b.Release()
			return ctx.Err()
		}
	}
}

// send delivers r unless the operator is being cancelled.
func (o *coalesceOp) send(ctx context.Context, r coalesceResult) bool {
	select {
	case o.out <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

func (o *coalesceOp) Next(ctx context.Context) (exec.Batch, error) {
	if o.done {
		return exec.Batch{}, io.EOF
	}
	select {
	case r, ok := <-o.out:
		if !ok {
			o.done = true
			return exec.Batch{}, io.EOF
		}
		if r.err != nil {
			o.done = true
			o.cancel()
			return exec.Batch{}, r.err
		}
		return r.b, nil
	case <-ctx.Done():
		return exec.Batch{}, ctx.Err()
	}
}

// Close stops the workers, waits for them and releases undelivered batches.
func (o *coalesceOp) Close() error {
	if o.cancel == nil {
		return nil
	}
	o.cancel()
	for r := range o.out {
		if r.err == nil {
			r.b.Release()
		}
	}
	o.cancel = nil
	return nil
}
