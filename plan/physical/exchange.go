package physical

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/shuffle"
)

// exchangeNode is a stage boundary. Its map stage runs one task per input
// partition, each writing its rows into the shuffle store partitioned by
// the hash of keys (or everything into one partition for a gather); the
// node's own partitions read the store once every map task is done.
//
//	child partitions 0..M-1 ──map tasks──► shuffle store ──► partitions 0..N-1
//	                           (hash % N)   (memory, spills)
type exchangeNode struct {
	base
	keys []int // hash-partitioning keys; nil for a gather
	name string
}

func newExchange(child Node, keys []int, n int) *exchangeNode {
	e := &exchangeNode{keys: keys}
	e.schema = child.Schema()
	e.children = []Node{child}
	e.parts = n
	if keys == nil {
		e.label = fmt.Sprintf("Exchange gather: %d → 1 partitions", child.Partitions())
	} else {
		e.label = fmt.Sprintf("Exchange hash%v: %d → %d partitions", colNames(child.Schema(), keys), child.Partitions(), n)
	}
	return e
}

// store returns the run's shuffle store for e, creating it on first use.
func (x *Execution) store(e *exchangeNode) (*shuffle.Exchange, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.exchanges == nil {
		return nil, errors.New("internal error: execution already released")
	}
	if s, ok := x.exchanges[e]; ok {
		return s, nil
	}
	s, err := shuffle.New(shuffle.Config{Partitions: e.parts, Keys: e.keys, Schema: e.schema, Name: e.name, MapTasks: e.children[0].Partitions()}, x.Env)
	if err != nil {
		return nil, err
	}
	x.exchanges[e] = s
	return s, nil
}

// runMapTask drains the child's partition task into the store.
func (e *exchangeNode) runMapTask(ctx context.Context, x *Execution, task int) error {
	s, err := x.store(e)
	if err != nil {
		return err
	}
	op, err := e.children[0].Open(x, task)
	if err != nil {
		return err
	}
	w := s.Writer(task)
	err = drain(ctx, op, func(b exec.Batch) error { return w.Write(ctx, b) })
	if err == nil {
		err = w.Close(ctx)
	}
	return err
}

// drain opens op, passes every batch to sink (which does not keep it) and
// closes op on every path.
func drain(ctx context.Context, op exec.Operator, sink func(exec.Batch) error) (err error) {
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
		err = sink(b)
		b.Release()
		if err != nil {
			return err
		}
	}
}

func (e *exchangeNode) Open(x *Execution, p int) (exec.Operator, error) {
	s, err := x.store(e)
	if err != nil {
		return nil, err
	}
	return exec.Instrument(s.Reader(p), &e.metrics), nil
}
