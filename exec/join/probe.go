package join

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
)

// errNotOpen is returned by Next before Open or after Close.
var errNotOpen = errors.New("hash join probe: next called on an operator that is not open")

// phase is where a probe operator stands within its current probe batch.
type phase uint8

const (
	// phasePairs emits the candidate pairs of the batch, BatchSize at a time.
	phasePairs phase = iota
	// phaseUnmatched emits the left rows no pair matched, with a NULL right
	// side (Left and Full joins with a residual).
	phaseUnmatched
	// phaseSelect emits the batch itself narrowed to the selected rows
	// (Semi and Anti joins).
	phaseSelect
	// phaseDirect emits the batch's own left columns with the matching
	// build rows gathered beside them (unique build keys, no residual).
	phaseDirect
)

// probeOp streams the left input against a built Table. Per probe batch:
//
//	key columns ──(drop NULL keys)──► Prober.Lookup ──► group per live row
//	   │
//	   ├─ Semi/Anti without residual: select rows by found / not found and
//	   │  emit the probe batch itself with a narrower Sel (no gather at all)
//	   ├─ unique build keys, no residual: at most one match per row, so
//	   │  emit the probe batch's own columns with a narrower Sel and gather
//	   │  only the build columns (physical row r ↔ its one build row)
//	   └─ otherwise: walk (row, CSR position) pairs, BatchSize at a time;
//	      gather left rows and build rows with exec.Take; apply the residual;
//	      then emit unmatched left rows (Left/Full) or the selected rows
//	      (Semi/Anti)
//
// After the left input ends, Right and Full joins emit the build rows this
// operator never matched, with a NULL left side.
type probeOp struct {
	in        exec.Operator
	t         *Table
	spec      Spec
	mem       memory.Allocator
	pool      mempool.Pool
	size      int           // rows per output batch
	schema    *arrow.Schema // output
	pairs     *arrow.Schema // candidate pairs, the residual's input
	prober    *hashtable.Prober
	nLeft     int  // left columns
	countOnly bool // Semi/Anti without residual: no pairs at all
	inline    bool // Left/Full without residual: unmatched rows inline with pairs
	direct    bool // unique build keys, no residual: at most one pair per row
	track     bool // record per probe row whether a pair matched

	// State of the current probe batch.
	cur     exec.Batch
	have    bool
	phase   phase
	gids    []int32 // group of each live row, -1 when it cannot match
	i, off  int     // cursor: live row, and position within its group
	matched []bool  // by physical row: some pair passed the residual
	outSel  []int32 // rows to emit in phaseSelect
	outPos  int

	// Reused buffers.
	keyCols []arrow.Array
	nonNull []int32
	look    []int32
	pi, bi  []int32 // pair buffers: probe row, build position (-1: NULL side)
	nulls   int     // pairs in pi/bi with bi == -1
	cols    []arrow.Array

	// Right and Full joins: build positions matched by this operator.
	buildHit []uint64
	res      *mempool.Reservation
	inDone   bool
	tail     int // next build position the tail scan looks at

	opened, closed bool
	probeRows      *exec.Counter
	outRows        *exec.Counter
}

var _ exec.Operator = (*probeOp)(nil)

// NewProbe returns an operator that streams the left (probe) input against
// a built table. spec.RightKeys must be the keys t was built with, and the
// left key types must equal the build key types. It takes a reference to t,
// released in Close, so several probes (on any goroutines) can share one
// table and the builder may Release its own reference at once.
//
// A Right or Full join emits, after its left input ends, the build rows
// that this operator did not match. Sharing one table among several Right
// or Full probes would emit a build row once per probe that missed it, so
// the planner must not broadcast the preserved side. spec.Residual is used
// by this operator only; give each probe its own Selector.
//
// Metrics: "probe rows" counts left rows read, "output rows" rows emitted.
// m may be nil. An invalid spec returns an error wrapping ErrInvalidSpec.
func NewProbe(probe exec.Operator, t *Table, spec Spec, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	if t == nil || t.refs.Load() <= 0 {
		return nil, fmt.Errorf("join: probe of a released table: %w", ErrInvalidSpec)
	}
	if err := spec.validate(probe.Schema(), t.schema); err != nil {
		return nil, err
	}
	if !equalInts(spec.RightKeys, t.keys) {
		return nil, fmt.Errorf("join: right keys %v, table built on %v: %w", spec.RightKeys, t.keys, ErrInvalidSpec)
	}
	countOnly := spec.Type.filtersLeft() && spec.Residual == nil
	if !countOnly && !t.hasPayload() {
		return nil, fmt.Errorf("join: %s join needs build columns the table does not hold: %w", spec.Type, ErrInvalidSpec)
	}
	size := env.BatchSize
	if size <= 0 {
		size = exec.DefaultBatchSize
	}
	o := &probeOp{
		in: probe, t: t, spec: spec, mem: env.Mem, pool: env.Pool, size: size,
		schema:    OutputSchema(spec.Type, probe.Schema(), t.schema),
		pairs:     pairSchema(spec.Type, probe.Schema(), t.schema),
		nLeft:     probe.Schema().NumFields(),
		countOnly: countOnly,
		inline:    spec.Type.preservesLeft() && spec.Residual == nil,
		direct:    t.unique && spec.Residual == nil && !spec.Type.filtersLeft(),
		track:     spec.Residual != nil && (spec.Type.preservesLeft() || spec.Type.filtersLeft()),
		probeRows: counter(m, "probe rows"),
		outRows:   counter(m, "output rows"),
	}
	if t.ht != nil {
		o.prober = t.ht.NewProber()
	}
	t.Retain()
	return o, nil
}

// Schema implements exec.Operator.
func (o *probeOp) Schema() *arrow.Schema { return o.schema }

// Open implements exec.Operator: it opens the left input and, for Right and
// Full joins, reserves the bitmap of matched build rows.
func (o *probeOp) Open(ctx context.Context) error {
	if o.closed || o.opened || o.res != nil {
		return errors.New("hash join probe: open called twice or after close")
	}
	if o.spec.Type.preservesRight() {
		words := (o.t.rows + 63) / 64
		o.res = mempool.NewReservation(o.pool, "hash join probe", false)
		if err := o.res.TryGrow(8 * int64(words)); err != nil {
			return fmt.Errorf("hash join probe: %w", err)
		}
		o.buildHit = make([]uint64, words)
	}
	if err := o.in.Open(ctx); err != nil {
		return err
	}
	o.opened = true
	return nil
}

// Next implements exec.Operator.
func (o *probeOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.opened || o.closed {
		return exec.Batch{}, errNotOpen
	}
	for {
		if err := ctx.Err(); err != nil {
			return exec.Batch{}, err
		}
		if !o.have {
			if o.inDone {
				return o.nextTail()
			}
			b, err := o.in.Next(ctx)
			if errors.Is(err, io.EOF) {
				o.inDone = true
				continue
			}
			if err != nil {
				return exec.Batch{}, err
			}
			o.start(b)
			continue
		}
		out, ok, err := o.step(ctx)
		if err != nil {
			return exec.Batch{}, err
		}
		if ok {
			add(o.outRows, out.Len())
			return out, nil
		}
	}
}

// Close implements exec.Operator. It is idempotent.
func (o *probeOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.finishBatch()
	err := o.in.Close()
	o.res.Free()
	o.buildHit = nil
	o.t.Release()
	return err
}

// start makes b the current probe batch and looks up its keys.
func (o *probeOp) start(b exec.Batch) {
	n := b.Len()
	add(o.probeRows, n)
	if n == 0 {
		b.Release()
		return
	}
	o.cur, o.have = b, true
	o.lookup()
	o.i, o.off = 0, 0
	if o.countOnly {
		o.selectFound()
		return
	}
	o.phase = phasePairs
	if o.direct && n <= o.size {
		o.phase = phaseDirect
		return
	}
	if o.track {
		o.matched = growSlice(o.matched, b.NumRows())
		clear(o.matched)
	}
}

// lookup fills o.gids with the group of every live row of the current
// batch, or -1 for rows that cannot match (absent key, or a NULL key column
// unless NULLs are equal).
func (o *probeOp) lookup() {
	b := o.cur
	n := b.Len()
	o.gids = growSlice(o.gids, n)
	gids := o.gids
	switch {
	case o.t.groups == 0:
		fill(gids, -1)
		return
	case o.t.ht == nil:
		fill(gids, 0)
		return
	}
	o.keyCols = o.keyCols[:0]
	hasNull := false
	for _, k := range o.spec.LeftKeys {
		c := b.Column(k)
		o.keyCols = append(o.keyCols, c)
		hasNull = hasNull || c.NullN() > 0
	}
	defer clear(o.keyCols)
	if !hasNull || o.spec.NullsEqual {
		o.prober.Lookup(o.keyCols, b.Sel, b.NumRows(), gids)
		return
	}
	o.nonNull = hashtable.NonNullRows(o.keyCols, b.Sel, b.NumRows(), o.nonNull)
	o.look = o.prober.Lookup(o.keyCols, o.nonNull, b.NumRows(), o.look)
	j := 0
	for i := range gids {
		if j < len(o.nonNull) && int(o.nonNull[j]) == b.Row(i) {
			gids[i] = o.look[j]
			j++
		} else {
			gids[i] = -1
		}
	}
}

// step makes progress on the current batch. It returns ok with a batch to
// emit, or !ok when it only advanced (possibly finishing the batch).
func (o *probeOp) step(ctx context.Context) (exec.Batch, bool, error) {
	switch o.phase {
	case phasePairs:
		k := o.fillPairs()
		if k == 0 {
			o.endPairs()
			return exec.Batch{}, false, nil
		}
		return o.emitPairs(ctx, k)
	case phaseUnmatched:
		k := o.fillUnmatched()
		if k == 0 {
			o.finishBatch()
			return exec.Batch{}, false, nil
		}
		rec, err := o.materialize(k)
		if err != nil {
			return exec.Batch{}, false, err
		}
		return exec.Batch{Rec: rec}, true, nil
	case phaseDirect:
		out, ok, err := o.emitDirect()
		o.finishBatch()
		return out, ok, err
	default:
		if o.outPos >= len(o.outSel) {
			o.finishBatch()
			return exec.Batch{}, false, nil
		}
		end := min(o.outPos+o.size, len(o.outSel))
		sel := o.outSel[o.outPos:end]
		o.outPos = end
		if len(sel) == o.cur.NumRows() {
			sel = nil // every physical row is live
		}
		o.cur.Rec.Retain()
		return exec.Batch{Rec: o.cur.Rec, Sel: sel}, true, nil
	}
}

// endPairs moves on once every pair of the batch was emitted.
func (o *probeOp) endPairs() {
	switch {
	case o.track && o.spec.Type.preservesLeft():
		o.phase, o.i = phaseUnmatched, 0
	case o.track: // Semi or Anti with a residual
		o.selectMatched()
	default:
		o.finishBatch()
	}
}

// selectFound sets outSel to the live rows of the current batch whose key
// was found (Semi) or not found (Anti), branch-free, and switches to
// phaseSelect.
func (o *probeOp) selectFound() {
	flip := uint32(0)
	if o.spec.Type == Semi {
		flip = 1
	}
	sel := o.beginSelect()
	m := 0
	for i, g := range o.gids {
		sel[m] = int32(o.cur.Row(i))
		m += int(uint32(g)>>31 ^ flip)
	}
	o.endSelect(m)
}

// selectMatched sets outSel to the live rows of the current batch that some
// pair matched (Semi) or none did (Anti), and switches to phaseSelect.
func (o *probeOp) selectMatched() {
	want := o.spec.Type == Semi
	sel := o.beginSelect()
	m := 0
	for i := range o.cur.Len() {
		r := o.cur.Row(i)
		sel[m] = int32(r)
		if o.matched[r] == want {
			m++
		}
	}
	o.endSelect(m)
}

// beginSelect sizes outSel for the live rows of the current batch.
func (o *probeOp) beginSelect() []int32 {
	o.outSel = growSlice(o.outSel, o.cur.Len())
	return o.outSel
}

// endSelect keeps the first m rows of outSel and switches to phaseSelect.
func (o *probeOp) endSelect(m int) {
	o.outSel = o.outSel[:m]
	o.outPos = 0
	o.phase = phaseSelect
}

// finishBatch releases the current probe batch.
func (o *probeOp) finishBatch() {
	if o.have {
		o.cur.Release()
		o.cur, o.have = exec.Batch{}, false
	}
}

// fill sets every element of s to v.
func fill(s []int32, v int32) {
	for i := range s {
		s[i] = v
	}
}

// equalInts reports whether a and b hold the same ints.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
