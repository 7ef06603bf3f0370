package join

import (
	"context"
	"fmt"
	"io"
	"math/bits"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
)

// A pair is (probe row, build position): pi[j] is a physical row of the
// current probe batch, bi[j] a CSR position in the table's payload, or -1
// for a NULL right side. Pairs are produced BatchSize at a time, so a probe
// row whose group is larger than a batch continues in the next chunk (the
// cursor o.i, o.off remembers where).

// fillPairs writes the next chunk of candidate pairs of the current batch
// into pi and bi and returns how many it wrote (0 when the batch has no more
// pairs). For Left and Full joins without a residual an unmatched row
// yields one pair with a NULL right side, in probe order.
func (o *probeOp) fillPairs() int {
	o.pi, o.bi = growSlice(o.pi, o.size), growSlice(o.bi, o.size)
	pi, bi := o.pi, o.bi
	offs, gids, sel := o.t.offsets, o.gids, o.cur.Sel
	// A Semi join skips the remaining candidates of a row that matched in
	// an earlier chunk.
	skip := o.track && o.spec.Type == Semi
	i, off := o.i, o.off
	k, nulls := 0, 0
	for i < len(gids) && k < len(pi) {
		g := gids[i]
		r := int32(i)
		if sel != nil {
			r = sel[i]
		}
		if g < 0 || (skip && o.matched[r]) {
			if g < 0 && o.inline {
				pi[k], bi[k] = r, -1
				k++
				nulls++
			}
			i, off = i+1, 0
			continue
		}
		start, end := offs[g]+int32(off), offs[g+1]
		m := min(int(end-start), len(pi)-k)
		pc, bc := pi[k:k+m], bi[k:k+m]
		for j := range pc {
			pc[j] = r
			bc[j] = start + int32(j)
		}
		k += m
		if int(start)+m == int(end) {
			i, off = i+1, 0
		} else {
			off += m
		}
	}
	o.i, o.off = i, off
	o.nulls = nulls
	return k
}

// fillUnmatched writes the next chunk of (unmatched left row, NULL) pairs.
func (o *probeOp) fillUnmatched() int {
	o.pi, o.bi = growSlice(o.pi, o.size), growSlice(o.bi, o.size)
	k := 0
	for ; o.i < o.cur.Len() && k < len(o.pi); o.i++ {
		if r := int32(o.cur.Row(o.i)); !o.matched[r] {
			o.pi[k], o.bi[k] = r, -1
			k++
		}
	}
	o.nulls = k
	return k
}

// emitPairs materializes k pairs, applies the residual and records matches.
// It returns ok with the batch to emit, or !ok when nothing of this chunk
// is emitted (all pairs failed the residual, or a Semi/Anti join).
func (o *probeOp) emitPairs(ctx context.Context, k int) (exec.Batch, bool, error) {
	rec, err := o.materialize(k)
	if err != nil {
		return exec.Batch{}, false, err
	}
	if o.spec.Residual == nil {
		if o.buildHit != nil {
			for _, p := range o.bi[:k] {
				if p >= 0 {
					o.buildHit[p>>6] |= 1 << (p & 63)
				}
			}
		}
		return exec.Batch{Rec: rec}, true, nil
	}
	sel, err := o.spec.Residual.Select(ctx, exec.Batch{Rec: rec})
	if err != nil {
		rec.Release()
		return exec.Batch{}, false, fmt.Errorf("hash join: residual: %w", err)
	}
	for _, s := range sel {
		if o.track {
			o.matched[o.pi[s]] = true
		}
		if p := o.bi[s]; o.buildHit != nil && p >= 0 {
			o.buildHit[p>>6] |= 1 << (p & 63)
		}
	}
	if o.spec.Type.filtersLeft() || len(sel) == 0 {
		rec.Release()
		return exec.Batch{}, false, nil
	}
	if len(sel) == k {
		sel = nil
	}
	return exec.Batch{Rec: rec, Sel: sel}, true, nil
}

// materialize gathers the k pairs in pi, bi into a record of the pair
// schema: left columns by probe row, right columns by build position.
func (o *probeOp) materialize(k int) (arrow.Record, error) {
	o.cols = growSlice(o.cols, o.pairs.NumFields())
	cols := o.cols
	clear(cols)
	defer func() {
		releaseAll(cols)
		clear(cols)
	}()
	for c := range o.nLeft {
		col, err := exec.Take(o.mem, o.cur.Column(c), o.pi[:k])
		if err != nil {
			return nil, fmt.Errorf("hash join: left column %d: %w", c, err)
		}
		cols[c] = col
	}
	if err := o.gatherBuild(cols[o.nLeft:], o.bi[:k], o.nulls == k); err != nil {
		return nil, err
	}
	return array.NewRecord(o.pairs, cols, int64(k)), nil
}

// gatherBuild fills dst with the build columns at positions pos (-1 gives
// NULL); allNull says every position is -1, which needs no gather at all
// (and works on an empty build side).
func (o *probeOp) gatherBuild(dst []arrow.Array, pos []int32, allNull bool) error {
	for c, src := range o.t.payload {
		if allNull {
			dst[c] = array.MakeArrayOfNull(o.mem, src.DataType(), len(pos))
			continue
		}
		col, err := exec.Take(o.mem, src, pos)
		if err != nil {
			return fmt.Errorf("hash join: right column %d: %w", c, err)
		}
		dst[c] = col
	}
	return nil
}

// nextTail emits, after the left input ended, the build rows this operator
// never matched (Right and Full joins), with a NULL left side; other joins
// are done.
func (o *probeOp) nextTail() (exec.Batch, error) {
	if o.buildHit == nil {
		return exec.Batch{}, io.EOF
	}
	o.bi = growSlice(o.bi, o.size)
	k := 0
	for o.tail < o.t.rows && k < len(o.bi) {
		w := o.tail >> 6
		miss := ^o.buildHit[w] >> (o.tail & 63)
		if miss == 0 { // the rest of this word matched
			o.tail = (w + 1) << 6
			continue
		}
		o.tail += bits.TrailingZeros64(miss)
		if o.tail >= o.t.rows {
			break
		}
		o.bi[k] = int32(o.tail)
		k++
		o.tail++
	}
	if k == 0 {
		return exec.Batch{}, io.EOF
	}
	cols := make([]arrow.Array, o.schema.NumFields())
	defer releaseAll(cols)
	for c := range o.nLeft {
		cols[c] = array.MakeArrayOfNull(o.mem, o.schema.Field(c).Type, k)
	}
	if err := o.gatherBuild(cols[o.nLeft:], o.bi[:k], false); err != nil {
		return exec.Batch{}, err
	}
	add(o.outRows, k)
	return exec.Batch{Rec: array.NewRecord(o.schema, cols, int64(k))}, nil
}
