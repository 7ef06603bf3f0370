package order

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// buffer holds the compacted input of a sort or top-k until it is ordered:
// the columns of every batch received, as per-column chunks, with their
// bytes reserved in the operator's reservation before they are held.
//
// It is the run builder of the sort: when spilling arrives, a refused
// reservation will turn the buffer into a sorted run on disk and empty it.
type buffer struct {
	env      *exec.Env
	schema   *arrow.Schema
	res      *mempool.Reservation
	name     string // operator name for error messages
	chunks   [][]arrow.Array
	colBytes []int64 // bytes held per column
	rows     int
	bytes    int64 // bytes reserved for the chunks
}

// newBuffer returns an empty buffer reserving in res.
func newBuffer(env *exec.Env, schema *arrow.Schema, res *mempool.Reservation, name string) *buffer {
	return &buffer{env: env, schema: schema, res: res, name: name,
		chunks: make([][]arrow.Array, schema.NumFields()), colBytes: make([]int64, schema.NumFields())}
}

// add reserves the bytes of b's live rows, then holds them (compacting b
// when it has a selection). The caller keeps its reference to b.
func (bf *buffer) add(b exec.Batch) error {
	n := b.Len()
	if n == 0 {
		return nil
	}
	if bf.rows+n > math.MaxInt32 {
		return fmt.Errorf("%s: %d rows: %w", bf.name, bf.rows+n, ErrTooManyRows)
	}
	size := exec.LiveBytes(b)
	if err := bf.res.TryGrow(size); err != nil {
		return fmt.Errorf("%s: buffer %d rows: %w", bf.name, n, err)
	}
	rec, err := exec.Compact(bf.env.Mem, b)
	if err != nil {
		bf.res.Shrink(size)
		return fmt.Errorf("%s: compact batch: %w", bf.name, err)
	}
	bf.hold(rec, size)
	rec.Release()
	return nil
}

// hold retains the columns of rec, a compacted record whose size bytes
// (exec.LiveBytes) are already reserved. The caller keeps its reference.
func (bf *buffer) hold(rec arrow.Record, size int64) {
	n := rec.NumRows()
	for c, col := range rec.Columns() {
		col.Retain()
		bf.chunks[c] = append(bf.chunks[c], col)
		bf.colBytes[c] += exec.ArrayBytes(col, nil)
	}
	bf.rows += int(n)
	bf.bytes += size
}

// maxColumn is the size of the largest held column: the extra memory concat
// needs while one column exists both as chunks and concatenated.
func (bf *buffer) maxColumn() int64 {
	var m int64
	for _, n := range bf.colBytes {
		m = max(m, n)
	}
	return m
}

// concat moves every held row into one record, column by column, so that
// only one column is held twice at any moment; the buffer is left empty but
// its bytes stay reserved (the record holds them now). The caller releases
// the record.
func (bf *buffer) concat() (arrow.Record, error) {
	cols := make([]arrow.Array, len(bf.chunks))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for c, chunks := range bf.chunks {
		switch len(chunks) {
		case 0:
			cols[c] = array.MakeArrayOfNull(bf.env.Mem, bf.schema.Field(c).Type, 0)
		case 1:
			cols[c] = chunks[0]
		default:
			out, err := array.Concatenate(chunks, bf.env.Mem)
			if err != nil {
				release()
				return nil, fmt.Errorf("%s: concatenate column %d: %w", bf.name, c, err)
			}
			cols[c] = out
			releaseAll(chunks)
		}
		bf.chunks[c] = nil
	}
	rec := array.NewRecord(bf.schema, cols, int64(bf.rows))
	release()
	bf.reset()
	return rec, nil
}

// release drops every held chunk and returns their bytes to the pool.
func (bf *buffer) release() {
	for c, chunks := range bf.chunks {
		releaseAll(chunks)
		bf.chunks[c] = nil
	}
	bf.res.Shrink(bf.bytes)
	bf.reset()
}

// reset zeroes the counters of an emptied buffer.
func (bf *buffer) reset() {
	bf.rows, bf.bytes = 0, 0
	clear(bf.colBytes)
}

// releaseAll releases every array of arrs.
func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}
