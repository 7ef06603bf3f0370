package agg

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/expr"
)

// NewHashAggregate returns an operator that groups input by spec.GroupBy and
// computes spec.Aggs for every group. Its output (see OutputSchema) is the
// group-by columns, then one column per aggregate (Single and Final modes)
// or the partial-state columns (Partial mode), in batches of env.BatchSize
// groups, in first-seen group order. A global aggregate (no GroupBy) outputs
// exactly one row, even for empty input; with GroupBy, empty input outputs
// no rows.
//
// The operator is blocking: the first Next consumes the whole input (in
// Partial mode, up to an adaptive switch; see below). Its state (hash
// table and accumulators) reserves memory in env.Pool as the "hash
// aggregate" consumer before it grows; a refusal fails Next with an
// error wrapping mempool.ErrMemoryLimit. A SUM overflow fails Next with an
// error wrapping expr.ErrOverflow. The memory is released at the end of the
// output and in Close.
//
// m receives the operator-specific counters "groups" and "input rows" and
// the peak reservation; wrap the operator with exec.Instrument for rows,
// batches and time. m may be nil.
//
// In Partial mode the operator is adaptive (see SkipPartial): if its probe
// window shows that aggregating does not reduce the rows, it outputs the
// groups it holds, frees its state and then streams the rest of the input
// as one partial-state row per input row. Such a partition adds 1 to the
// counter "skipped partial" and the rows it streamed to "passthrough rows".
//
// The operator owns input from a successful return on and closes it in
// Close. On error (ErrInvalidSpec, expr.ErrType for an argument an
// aggregate cannot take, hashtable.ErrUnsupportedType for a key column) the
// caller still owns input.
func NewHashAggregate(input exec.Operator, spec Spec, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	in := input.Schema()
	schema, err := OutputSchema(spec, in)
	if err != nil {
		return nil, err
	}
	op := &hashAggOp{input: input, spec: spec, env: env, schema: schema, m: m, batchSize: batchSize(env),
		probe: newSkipProbe(spec)}
	if err := op.build(in); err != nil {
		return nil, err
	}
	if op.probe.armed {
		if op.pass, err = newPassthrough(spec, in, schema, env.Mem); err != nil {
			return nil, err
		}
	}
	if m != nil {
		op.groupsCtr, op.rowsCtr = m.NewCounter("groups"), m.NewCounter("input rows")
	}
	return op, nil
}

// hashAggOp is the running hash aggregation.
//
//	input batch ─► key columns ─► Table.Insert ─► group ids ─┬─► accumulator 1 (typed loop)
//	                                                          ├─► dedup ─► accumulator 2 (DISTINCT)
//	                                                          └─► ...
//	end of input ─► Table.Keys + accumulator results, env.BatchSize groups per batch
type hashAggOp struct {
	input     exec.Operator
	spec      Spec
	env       *exec.Env
	schema    *arrow.Schema
	batchSize int

	table   *hashtable.Table // nil for a global aggregate
	accs    []accumulator
	args    [][]int  // input columns of each aggregate (none for count(*))
	dedups  []*dedup // per aggregate; nil unless it needs DISTINCT values
	groups  int      // groups so far (always 1 for a global aggregate)
	cap     int      // groups the accumulators have room for
	perGrp  int64    // accumulator bytes per group
	mem     budget
	gids    []uint32 // group ids of the current batch; all zero for a global aggregate
	keyCols []arrow.Array
	argCols []arrow.Array
	sc      scratch

	consumed bool // the input has been read to the end, or up to the switch
	next     int  // next group to output
	released bool // the state has been freed
	closed   bool

	probe     skipProbe    // adaptive Partial mode: the switch decision
	pass      *passthrough // state kernels, built when the probe is armed
	passing   bool         // switched: stream the rest of the input
	inputDone bool         // the input returned io.EOF while passing
	passRows  *exec.Counter

	m         *exec.Metrics
	groupsCtr *exec.Counter
	rowsCtr   *exec.Counter
	inputRows int64
}

var _ exec.Operator = (*hashAggOp)(nil)

// batchSize returns env's batch size, or the default.
func batchSize(env *exec.Env) int {
	if env.BatchSize > 0 {
		return env.BatchSize
	}
	return exec.DefaultBatchSize
}

// build creates the accumulators (and DISTINCT filters) of every aggregate.
func (o *hashAggOp) build(in *arrow.Schema) error {
	for i, a := range o.spec.Aggs {
		var t arrow.DataType
		var cols []int
		if a.Input >= 0 {
			t = in.Field(a.Input).Type
			width := 1
			if o.spec.Mode == Final {
				width = StateWidth(a.Func)
			}
			for c := range width {
				cols = append(cols, a.Input+c)
			}
		}
		acc, err := newAccumulator(a, t)
		if err != nil {
			return fmt.Errorf("%s: aggregate %d (%s): %w", consumer, i, a.Name, err)
		}
		var d *dedup
		if a.Distinct && t != nil && t.ID() != arrow.NULL && a.Func != expr.AggMin && a.Func != expr.AggMax {
			if d, err = newDedup(t); err != nil {
				return fmt.Errorf("%s: aggregate %d (%s): %w", consumer, i, a.Name, err)
			}
		}
		o.accs = append(o.accs, acc)
		o.args = append(o.args, cols)
		o.dedups = append(o.dedups, d)
		o.perGrp += acc.groupBytes()
	}
	if len(o.spec.GroupBy) == 0 {
		return nil
	}
	types := make([]arrow.DataType, len(o.spec.GroupBy))
	for i, g := range o.spec.GroupBy {
		types[i] = in.Field(g).Type
	}
	t, err := hashtable.New(types, 0)
	if err != nil {
		return fmt.Errorf("%s: group keys: %w", consumer, err)
	}
	o.table = t
	return nil
}

func (o *hashAggOp) Schema() *arrow.Schema { return o.schema }

func (o *hashAggOp) Open(ctx context.Context) error {
	o.mem.open(o.env.Pool, consumer)
	if o.table == nil {
		// A global aggregate has its one group from the start.
		if err := o.growGroups(1); err != nil {
			return err
		}
		o.groups = 1
	} else if o.spec.SizeHint > 0 {
		if err := o.presize(min(o.spec.SizeHint, maxPresize)); err != nil {
			return err
		}
	}
	return o.input.Open(ctx)
}

// maxPresize caps SizeHint, so that a wild estimate cannot reserve
// gigabytes before the first row arrives.
const maxPresize = 1 << 24

// presize replaces the empty table with one sized for hint groups and grows
// the accumulators to match, if the pool grants the memory; otherwise the
// state starts small and grows as usual.
func (o *hashAggOp) presize(hint int) error {
	need := max(slotsFor(hint), 16)*slotBytes + o.perGrp*int64(hint)
	for _, t := range o.table.Types() {
		need += 64 // slack for rounding in the stores
		if fw, ok := t.(arrow.FixedWidthDataType); ok {
			need += int64(hint) * int64(max(fw.BitWidth()/8, 1))
		} else {
			need += int64(hint+1) * 8 // offsets; the bytes come later
		}
	}
	if o.mem.res.TryGrow(need) != nil {
		return nil // no room: start small
	}
	t, err := hashtable.New(o.table.Types(), hint)
	if err != nil {
		return fmt.Errorf("%s: presize: %w", consumer, err)
	}
	o.table = t
	for _, acc := range o.accs {
		acc.resize(hint)
	}
	o.cap = hint
	return o.mem.settle(o.held())
}

func (o *hashAggOp) Next(ctx context.Context) (exec.Batch, error) {
	if o.closed {
		return exec.Batch{}, io.EOF
	}
	if !o.consumed {
		if err := o.consume(ctx); err != nil {
			return exec.Batch{}, err
		}
	}
	if o.next >= o.groups {
		o.release()
		if o.passing {
			return o.passNext(ctx)
		}
		return exec.Batch{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	from, to := o.next, min(o.next+o.batchSize, o.groups)
	rec, err := o.output(from, to)
	if err != nil {
		return exec.Batch{}, err
	}
	o.next = to
	return exec.Batch{Rec: rec}, nil
}

// consume reads the whole input into the groups, or stops after the batch
// on which the probe decides to pass the rest through.
func (o *hashAggOp) consume(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := o.input.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		err = o.add(b)
		b.Release()
		if err != nil {
			return err
		}
		if o.probe.decide(o.groups, o.inputRows) {
			o.startPassing()
			break
		}
	}
	o.consumed = true
	if o.m != nil {
		o.groupsCtr.Value.Add(int64(o.groups))
		o.rowsCtr.Value.Add(o.inputRows)
		o.m.ObservePeak(o.mem.peak())
	}
	return nil
}

// add folds one batch into the groups.
func (o *hashAggOp) add(b exec.Batch) error {
	n := b.Len()
	if n == 0 {
		return nil
	}
	o.inputRows += int64(n)
	if err := o.mem.ensure(o.bound(b, n), "grow groups"); err != nil {
		return err
	}
	if o.table != nil {
		o.keyCols = columns(b, o.spec.GroupBy, o.keyCols)
		o.gids = o.table.Insert(o.keyCols, b.Sel, b.NumRows(), o.gids)
		if err := o.growGroups(o.table.Len()); err != nil {
			return err
		}
		o.groups = o.table.Len()
	} else {
		o.gids = extend(o.gids, n, 0) // never written: stays all zero
	}
	if err := o.fold(b, rowSet{sel: b.Sel, gids: o.gids[:n]}); err != nil {
		return err
	}
	return o.mem.settle(o.held())
}

// fold updates (or merges into) every accumulator with the rows rs of b.
func (o *hashAggOp) fold(b exec.Batch, rs rowSet) error {
	for i, acc := range o.accs {
		o.argCols = columns(b, o.args[i], o.argCols)
		var err error
		switch {
		case o.spec.Mode == Final:
			err = acc.merge(o.argCols, rs, &o.sc)
		case len(o.argCols) == 0:
			err = acc.update(nil, rs, &o.sc)
		case o.dedups[i] != nil:
			err = acc.update(o.argCols[0], o.dedups[i].filter(o.argCols[0], rs), &o.sc)
		default:
			err = acc.update(o.argCols[0], rs, &o.sc)
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %w", consumer, o.spec.Aggs[i].Name, err)
		}
	}
	return nil
}

// bound is an upper bound of the bytes the state holds after adding batch b
// with n live rows.
func (o *hashAggOp) bound(b exec.Batch, n int) int64 {
	var total int64
	if o.table != nil {
		total = o.perGrp * int64(capFor(o.groups+n, o.cap))
		o.keyCols = columns(b, o.spec.GroupBy, o.keyCols)
		total += tableBound(o.table, o.keyCols, n)
	} else {
		total = o.perGrp * int64(o.cap)
	}
	for i, acc := range o.accs {
		total += acc.varBytes()
		if len(o.args[i]) == 0 {
			continue
		}
		o.argCols = columns(b, o.args[i], o.argCols)
		total += acc.varBound(o.argCols)
		if d := o.dedups[i]; d != nil {
			total += d.bound(o.argCols[0], n)
		}
	}
	return total
}

// columns returns the columns idx of b, in buf.
func columns(b exec.Batch, idx []int, buf []arrow.Array) []arrow.Array {
	buf = buf[:0]
	for _, c := range idx {
		buf = append(buf, b.Column(c))
	}
	return buf
}

// held is the memory the state holds now.
func (o *hashAggOp) held() int64 {
	total := o.perGrp * int64(o.cap)
	if o.table != nil {
		total += o.table.Bytes()
	}
	for i, acc := range o.accs {
		total += acc.varBytes()
		if d := o.dedups[i]; d != nil {
			total += d.bytes()
		}
	}
	return total
}

// growGroups makes room for n groups in every accumulator, reserving first.
func (o *hashAggOp) growGroups(n int) error {
	c := capFor(n, o.cap)
	if c == o.cap {
		return nil
	}
	if err := o.mem.ensure(o.held()+o.perGrp*int64(c-o.cap), "grow accumulators"); err != nil {
		return err
	}
	for _, acc := range o.accs {
		acc.resize(c)
	}
	o.cap = c
	return nil
}

// output builds the output record of groups from..to-1.
func (o *hashAggOp) output(from, to int) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, o.schema.NumFields())
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	if o.table != nil {
		keys, err := o.table.Keys(o.env.Mem, from, to)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", consumer, err)
		}
		cols = append(cols, keys...)
	}
	for i, acc := range o.accs {
		var err error
		if o.spec.Mode == Partial {
			var st []arrow.Array
			st, err = acc.state(o.env.Mem, from, to)
			cols = append(cols, st...)
		} else {
			var r arrow.Array
			if r, err = acc.result(o.env.Mem, from, to); err == nil {
				cols = append(cols, r)
			}
		}
		if err != nil {
			release()
			return nil, fmt.Errorf("%s: %s: %w", consumer, o.spec.Aggs[i].Name, err)
		}
	}
	rec := array.NewRecord(o.schema, cols, int64(to-from))
	release()
	return rec, nil
}

// release drops the state and returns its memory to the pool.
func (o *hashAggOp) release() {
	if o.released {
		return
	}
	o.released = true
	o.table, o.accs, o.dedups = nil, nil, nil
	o.groups, o.next = 0, 0
	o.mem.res.Free()
}

func (o *hashAggOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	o.table, o.accs, o.dedups = nil, nil, nil
	o.mem.res.Free()
	if o.pass != nil {
		o.pass.release()
	}
	return o.input.Close()
}
