package shuffle

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/spill"
)

// Reader returns an operator streaming reducer partition p: the blocks of
// every map task, in map task order, and within a map task in write order.
func (x *Exchange) Reader(partition int) exec.Operator {
	return x.newReader(partition, partition+1, 0, -1)
}

// ReaderRange returns an operator streaming partitions from..to-1 one after
// the other, each in map task order. It is AQE's coalescing primitive: one
// reduce task reads several small adjacent partitions.
func (x *Exchange) ReaderRange(from, to int) exec.Operator {
	return x.newReader(from, to, 0, -1)
}

// ReaderMapRange returns an operator streaming partition p's blocks from
// map tasks mapFrom..mapTo-1 only. It is AQE's skew-split primitive: the
// blocks of a skewed partition are divided among several reduce tasks by
// map task (each joins its share against a copy of the other side).
func (x *Exchange) ReaderMapRange(partition, mapFrom, mapTo int) exec.Operator {
	return x.newReader(partition, partition+1, mapFrom, mapTo)
}

// newReader returns a reader over partitions [from, to) and map tasks
// [mapFrom, mapTo) (mapTo < 0: all). Ranges are checked on Open.
func (x *Exchange) newReader(from, to, mapFrom, mapTo int) *readerOp {
	return &readerOp{x: x, from: from, to: to, mapFrom: mapFrom, mapTo: mapTo}
}

// cell is one (partition, map task) pair a reader owns.
type cell struct {
	w *Writer
	p int
}

// readerOp streams the blocks of its cells. In-memory blocks are handed
// over as they are (their reservation shrinks as they go); spilled runs are
// read back through spill.Reader with Env.Mem. Whatever it did not read is
// dropped on Close: every cell is read once.
type readerOp struct {
	x                     *Exchange
	from, to              int
	mapFrom, mapTo        int
	cells                 []cell
	next                  int // index of the cell being read
	cur                   *spill.Reader
	curRun                *run
	opened, closed, ended bool
}

var _ exec.Operator = (*readerOp)(nil)

// Schema implements exec.Operator.
func (o *readerOp) Schema() *arrow.Schema { return o.x.cfg.Schema }

// Open implements exec.Operator: it finishes the map side (FinishMap),
// checks the ranges and claims the cells. Claiming a cell another reader
// holds fails with ErrConsumed.
func (o *readerOp) Open(ctx context.Context) error {
	if o.opened {
		return fmt.Errorf("internal error: shuffle %s: reader opened twice", o.x.cfg.Name)
	}
	o.opened = true
	if err := ctx.Err(); err != nil {
		return o.wrap(err)
	}
	if err := o.x.FinishMap(); err != nil {
		return err
	}
	x := o.x
	x.mu.Lock()
	writers := append([]*Writer(nil), x.writers...)
	m := x.mapTasks
	x.mu.Unlock()
	if o.mapTo < 0 {
		o.mapTo = m
	}
	if o.from < 0 || o.to > x.cfg.Partitions || o.from >= o.to || o.mapFrom < 0 || o.mapTo > m || o.mapFrom > o.mapTo {
		return o.wrap(fmt.Errorf("partitions [%d, %d) of %d, map tasks [%d, %d) of %d: %w",
			o.from, o.to, x.cfg.Partitions, o.mapFrom, o.mapTo, m, ErrInvalidConfig))
	}
	for p := o.from; p < o.to; p++ {
		for t := o.mapFrom; t < o.mapTo && t < len(writers); t++ {
			if writers[t] == nil {
				continue
			}
			if !writers[t].claim(p, true) {
				for _, c := range o.cells {
					c.w.claim(c.p, false) // give back what this reader took
				}
				o.cells = nil
				return o.wrap(fmt.Errorf("partition %d of map task %d: %w", p, t, ErrConsumed))
			}
			o.cells = append(o.cells, cell{w: writers[t], p: p})
		}
	}
	return nil
}

// Next implements exec.Operator.
func (o *readerOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.opened || o.closed {
		return exec.Batch{}, fmt.Errorf("internal error: shuffle %s: next on a reader that is not open", o.x.cfg.Name)
	}
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, o.wrap(err)
	}
	for {
		if o.x.released.Load() {
			return exec.Batch{}, o.wrap(ErrReleased)
		}
		if o.cur != nil {
			rec, err := o.cur.Next()
			switch {
			case err == nil && rec.NumRows() == 0:
				rec.Release()
				continue
			case err == nil:
				return exec.Batch{Rec: rec}, nil
			case !errors.Is(err, io.EOF):
				return exec.Batch{}, o.wrap(err)
			}
			if err := o.closeRun(); err != nil {
				return exec.Batch{}, err
			}
			continue
		}
		if o.next == len(o.cells) {
			return exec.Batch{}, io.EOF
		}
		c := o.cells[o.next]
		b, ok := c.w.pop(c.p)
		if !ok {
			o.next++
			continue
		}
		if b.rec != nil {
			return exec.Batch{Rec: b.rec}, nil
		}
		r, err := spill.OpenSection(b.run.sf.file, b.run.sec, o.x.cfg.Schema, o.x.env.Mem)
		if err != nil {
			b.run.done(o.x)
			return exec.Batch{}, o.wrap(err)
		}
		o.cur, o.curRun = r, b.run
	}
}

// closeRun closes the spill reader of the current run and drops the run's
// file reference.
func (o *readerOp) closeRun() error {
	err := o.cur.Close()
	o.curRun.done(o.x)
	o.cur, o.curRun = nil, nil
	if err != nil {
		return o.wrap(err)
	}
	return nil
}

// Close implements exec.Operator: it closes the current run and drops every
// block it did not read. Idempotent.
func (o *readerOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	var err error
	if o.cur != nil {
		err = o.closeRun()
	}
	for ; o.next < len(o.cells); o.next++ {
		c := o.cells[o.next]
		c.w.drop(c.p)
	}
	return err
}

// wrap adds the exchange and the reader's range to err.
func (o *readerOp) wrap(err error) error {
	if o.to == o.from+1 {
		return fmt.Errorf("shuffle %s: read partition %d: %w", o.x.cfg.Name, o.from, err)
	}
	return fmt.Errorf("shuffle %s: read partitions [%d, %d): %w", o.x.cfg.Name, o.from, o.to, err)
}

// claim marks partition p of this map task as owned by a reader (on) and
// reports whether it was free; with on == false it gives it back.
func (w *Writer) claim(p int, on bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if on && w.out[p].claimed {
		return false
	}
	w.out[p].claimed = on
	return true
}

// pop removes and returns the first block of partition p; false when none
// is left. An in-memory block leaves the writer's reservation; the caller
// owns its record.
func (w *Writer) pop(p int) (block, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	bl := w.out[p].blocks
	if len(bl) == 0 {
		return block{}, false
	}
	b := bl[0]
	bl[0] = block{}
	w.out[p].blocks = bl[1:]
	if b.rec != nil {
		w.res.Shrink(b.bytes) // before held drops: see spillLocked
		w.memBytes.Add(-b.bytes)
		if w.memBytes.Load() == 0 {
			w.res.Free() // the map side is finished: nothing will grow again
		}
	}
	return b, true
}

// drop releases what is left of partition p.
func (w *Writer) drop(p int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropLocked(p)
	if w.memBytes.Load() == 0 {
		w.res.Free()
	}
}
