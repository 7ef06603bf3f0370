package join

import (
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
)

// emitDirect is the probe for unique build keys without a residual: each
// probe row has at most one match, so the output keeps the probe batch's
// own left columns (no copy) and gathers one build row per physical probe
// row, narrowing Sel to the rows that produce output:
//
//	probe rows  r0  r1  r2  r3        Sel (inner): r0, r2
//	left cols   as they are           build cols: pos(r0) · pos(r2) ·
//
// Rows that produce no output gather an arbitrary valid build row (so no
// validity bitmap is needed); unmatched rows of Left and Full joins gather
// NULL. It returns !ok when no row of the batch produces output.
func (o *probeOp) emitDirect() (exec.Batch, bool, error) {
	b := o.cur
	n := b.NumRows()
	pos := growSlice(o.bi, n)
	o.bi = pos
	if b.Sel != nil {
		fill(pos, 0) // rows outside Sel; position 0 exists whenever a row matches
	}
	sel := growSlice(o.outSel, b.Len())[:0]
	offs := o.t.offsets
	nulls := 0
	for i, g := range o.gids {
		r := b.Row(i)
		switch {
		case g >= 0:
			p := offs[g]
			pos[r] = p
			sel = append(sel, int32(r))
			if o.buildHit != nil {
				o.buildHit[p>>6] |= 1 << (p & 63)
			}
		case o.inline:
			pos[r] = -1
			sel = append(sel, int32(r))
			nulls++
		default:
			pos[r] = 0
		}
	}
	o.outSel = sel
	if len(sel) == 0 {
		return exec.Batch{}, false, nil
	}
	o.cols = growSlice(o.cols, o.schema.NumFields())
	cols := o.cols
	clear(cols)
	defer func() {
		releaseAll(cols)
		clear(cols)
	}()
	for c := range o.nLeft {
		cols[c] = b.Column(c)
		cols[c].Retain()
	}
	if err := o.gatherBuild(cols[o.nLeft:], pos, nulls == len(sel)); err != nil {
		return exec.Batch{}, false, err
	}
	if len(sel) == n {
		sel = nil
	}
	return exec.Batch{Rec: array.NewRecord(o.schema, cols, int64(n)), Sel: sel}, true, nil
}
