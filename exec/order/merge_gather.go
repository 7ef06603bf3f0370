package order

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// gather collects the rows of one merge output batch. Each row is a
// (chunk, row) pair; a chunk is a physical row range lo..hi of one record:
// the current batch of an input, or a copy of the range when that batch ran
// out before the output was gathered.
type gather struct {
	chunks []chunk
	open   []int32 // by input: its chunk over its current batch, or -1
	src    []int32 // by output row: chunk
	rel    []int32 // by output row: physical row minus the chunk's lo
	idx    []int32 // scratch: rows to take
	base   []int32 // scratch: each chunk's first row in the concatenation
	parts  []arrow.Array
	temp   int64 // bytes reserved for the output being gathered
	acct   *account
}

// chunk is a row range of a record the gather holds a reference to.
type chunk struct {
	rec    arrow.Record
	lo, hi int32 // physical rows lo..hi-1 of rec
	bytes  int64 // reserved for a copied range; 0 for an input's batch
}

// newGather returns an empty gather for k inputs reserving through acct.
func newGather(k int, acct *account) gather {
	g := gather{open: make([]int32, k), acct: acct}
	fill32(g.open, -1)
	return g
}

// account is a reservation plus the metrics that record its peak.
type account struct {
	res *mempool.Reservation
	m   *exec.Metrics
}

// grow reserves n bytes and records the peak.
func (a *account) grow(n int64) error {
	if err := a.res.TryGrow(n); err != nil {
		return err
	}
	a.m.ObservePeak(a.res.Size())
	return nil
}

// len is the number of output rows collected.
func (g *gather) len() int { return len(g.src) }

// add appends physical row r of rec, the current batch of input, to the
// output. Rows of one input batch come in increasing order, so they extend
// the input's open chunk.
func (g *gather) add(input int, rec arrow.Record, r int32) {
	c := g.open[input]
	if c < 0 {
		rec.Retain()
		c = int32(len(g.chunks))
		g.chunks = append(g.chunks, chunk{rec: rec, lo: r, hi: r})
		g.open[input] = c
	}
	ch := &g.chunks[c]
	g.src = append(g.src, c)
	g.rel = append(g.rel, r-ch.lo)
	ch.hi = r + 1
}

// seal replaces input's open chunk, if any, by a copy of its row range, so
// that the input's batch can be released; the copy is reserved first. Output rows keep their offsets within the chunk.
func (g *gather) seal(input int, mem memory.Allocator) error {
	c := g.open[input]
	if c < 0 {
		return nil
	}
	g.open[input] = -1
	ch := &g.chunks[c]
	g.idx = g.idx[:0]
	for r := ch.lo; r < ch.hi; r++ {
		g.idx = append(g.idx, r)
	}
	size := exec.LiveBytes(exec.Batch{Rec: ch.rec, Sel: g.idx})
	if err := g.acct.grow(size); err != nil {
		return err
	}
	ch.bytes += size // from here on reset gives it back
	cp, err := exec.TakeRecord(mem, ch.rec, g.idx)
	if err != nil {
		return err
	}
	ch.rec.Release()
	ch.rec, ch.lo, ch.hi = cp, 0, ch.hi-ch.lo
	return nil
}

// flush gathers the collected rows into a record of schema. A single chunk
// is taken from directly; several are concatenated column by column (their
// ranges only) and taken from the concatenation. Every allocation is
// reserved first; reset gives the reservation back once the caller owns
// the record.
func (g *gather) flush(mem memory.Allocator, schema *arrow.Schema) (arrow.Record, error) {
	n := len(g.src)
	cols := make([]arrow.Array, schema.NumFields())
	defer releaseSome(cols)
	g.index()
	for c := range cols {
		col, err := g.column(mem, c)
		if err != nil {
			return nil, fmt.Errorf("column %d: %w", c, err)
		}
		cols[c] = col
	}
	return array.NewRecord(schema, cols, int64(n)), nil
}

// index fills idx with the row to take for every output row: the physical
// row of the single chunk, or the row of the chunks' concatenation.
func (g *gather) index() {
	g.idx = resize(g.idx, len(g.src))
	if len(g.chunks) == 1 {
		lo := g.chunks[0].lo
		for j, r := range g.rel {
			g.idx[j] = lo + r
		}
		return
	}
	g.base = resize(g.base, len(g.chunks))
	next := int32(0)
	for c, ch := range g.chunks {
		g.base[c] = next
		next += ch.hi - ch.lo
	}
	for j, r := range g.rel {
		g.idx[j] = g.base[g.src[j]] + r
	}
}

// column gathers output column c.
func (g *gather) column(mem memory.Allocator, c int) (arrow.Array, error) {
	if len(g.chunks) == 1 {
		src := g.chunks[0].rec.Column(c)
		size := exec.ArrayBytes(src, g.idx)
		if err := g.acct.grow(size); err != nil {
			return nil, err
		}
		g.temp += size
		return exec.Take(mem, src, g.idx)
	}
	g.parts = g.parts[:0]
	defer func() {
		releaseSome(g.parts)
		clear(g.parts)
	}()
	var size int64
	for _, ch := range g.chunks {
		p := array.NewSlice(ch.rec.Column(c), int64(ch.lo), int64(ch.hi))
		g.parts = append(g.parts, p)
		size += exec.ArrayBytes(p, nil)
	}
	// The concatenation and the output column (no larger) live together
	// until the concatenation is released.
	if err := g.acct.grow(2 * size); err != nil {
		return nil, err
	}
	g.temp += size
	defer g.acct.res.Shrink(size)
	cat, err := array.Concatenate(g.parts, mem)
	if err != nil {
		return nil, err
	}
	defer cat.Release()
	return exec.Take(mem, cat, g.idx)
}

// reset drops every chunk and the collected rows and gives their
// reservation back.
func (g *gather) reset() {
	var bytes int64
	for _, ch := range g.chunks {
		ch.rec.Release()
		bytes += ch.bytes
	}
	g.acct.res.Shrink(bytes + g.temp)
	clear(g.chunks)
	g.chunks, g.src, g.rel, g.temp = g.chunks[:0], g.src[:0], g.rel[:0], 0
	fill32(g.open, -1)
}

// releaseSome releases every non-nil array of as.
func releaseSome(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}

// fill32 sets every element of s to v.
func fill32(s []int32, v int32) {
	for i := range s {
		s[i] = v
	}
}
