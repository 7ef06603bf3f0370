package order

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
)

// mergeConsumer names the merge's memory reservation.
const mergeConsumer = "merge"

// errMergeNotOpen is returned by Next before Open or after Close.
var errMergeNotOpen = errors.New("merge: next called on an operator that is not open")

// mergeOp is a k-way merge of sorted inputs through a tree of losers:
//
//	input 0 ─ batch ─ row ─┐
//	input 1 ─ batch ─ row ─┤   loser tree over the    ┌─ chunk: input 0 rows lo..hi
//	   ⋮                   ├─► inputs' current rows ──┤  chunk: input 2 rows lo..hi ─► concat ─► exec.Take
//	input k ─ batch ─ row ─┘   (winner = next row)    └─ (input, row) per output row     ─► batch
//
// Each input contributes one batch at a time; its current live row sits in
// the tree. Popping the winner appends (chunk, row) to the pending output
// and advances that input; replaying the winner's leaf-to-root path costs
// log2(k) comparisons, each one integer comparison of normalized prefixes
// unless the first keys tie (Comparator).
//
// The rows an output batch takes from one input batch are consecutive, so
// they form one chunk: a physical row range lo..hi of that batch. When the
// batch runs out before the output is full, its chunk is copied (only rows
// lo..hi) so the batch can be released and the next one pulled: the merge
// holds at most one input batch per input, the copied chunks and the
// output. A full output is gathered by concatenating the chunks' ranges
// and taking the output rows from the result with exec.Take (a single
// chunk is taken from directly).
type mergeOp struct {
	inputs []exec.Operator
	schema *arrow.Schema
	env    *exec.Env
	size   int // rows per output batch
	cmp    *Comparator
	acct   account

	cur  []exec.Batch // current batch per input (Rec nil when none)
	pos  []int        // live position of the current row in cur[i]
	n    []int        // live rows of cur[i]
	row  []int32      // physical row of the current row of input i
	key  []entry      // first key's (rank, prefix) of the current row of input i
	done []bool       // input i has no more rows
	held []int64      // bytes reserved for cur[i]
	tree []int32      // tree[0]: winning input; tree[1..k-1]: losers
	lazy int          // input whose advance waits for the next call, or -1
	out  gather

	started, opened, closed bool
}

var _ exec.Operator = (*mergeOp)(nil)

// NewMerge returns a k-way merge of inputs that are each already ordered by
// keys (as NewSort orders them: NULLs first or last per key whatever the
// direction, NaN greater than every number, -0 equal to +0, strings and
// binary bytewise). The output is that same order over all the inputs'
// rows; rows with equal keys come in input order (all such rows of input 0
// first, then of input 1, …), so merging the sorted partitions of a stable
// sort gives the stable sort of their concatenation. This is the
// sort-preserving merge of a global ORDER BY: sort each partition, then
// merge.
//
// Output batches hold env.BatchSize rows (fewer only at the end). The merge
// holds at most one batch per input plus the rows of the output being
// gathered, and reserves them in env.Pool under the consumer "merge"
// (not spillable); a refusal returns an error wrapping
// mempool.ErrMemoryLimit. An input that is not ordered by keys gives an
// unspecified order, never an error.
//
// Every input must have the column types of inputs[0], whose schema the
// output takes; otherwise, or without inputs, NewMerge returns an error
// wrapping ErrInvalidInput. Invalid keys return the errors NewSort returns.
// Open opens every input; Close closes every input and is idempotent. An
// input's error is returned by Next, wrapped with the input's index. m,
// when not nil, receives the peak reservation; wrap the operator with
// exec.Instrument for rows and time. A planner with a single partition
// needs no merge; NewMerge of one input re-batches it.
func NewMerge(inputs []exec.Operator, keys []Key, env *exec.Env, m *exec.Metrics) (exec.Operator, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("merge: no inputs: %w", ErrInvalidInput)
	}
	if env == nil {
		return nil, errors.New("merge: internal error: nil env")
	}
	for i, in := range inputs {
		if in == nil {
			return nil, fmt.Errorf("merge: input %d is nil: %w", i, ErrInvalidInput)
		}
	}
	schema := inputs[0].Schema()
	for i, in := range inputs[1:] {
		if err := sameTypes(schema, in.Schema()); err != nil {
			return nil, fmt.Errorf("merge: input %d: %w", i+1, err)
		}
	}
	cmp, err := NewComparator(schema, keys, len(inputs))
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	k := len(inputs)
	size := env.BatchSize
	if size <= 0 {
		size = exec.DefaultBatchSize
	}
	o := &mergeOp{
		inputs: append([]exec.Operator(nil), inputs...), schema: schema, env: env,
		size: size, cmp: cmp, lazy: -1, acct: account{m: m},
		cur: make([]exec.Batch, k), pos: make([]int, k), n: make([]int, k), row: make([]int32, k), key: make([]entry, k),
		done: make([]bool, k), held: make([]int64, k),
	}
	o.out = newGather(k, &o.acct)
	return o, nil
}

// sameTypes checks that b has a's column types.
func sameTypes(a, b *arrow.Schema) error {
	if a.NumFields() != b.NumFields() {
		return fmt.Errorf("%d columns, want %d: %w", b.NumFields(), a.NumFields(), ErrInvalidInput)
	}
	for i := range a.NumFields() {
		if at, bt := a.Field(i).Type, b.Field(i).Type; !arrow.TypeEqual(at, bt) {
			return fmt.Errorf("column %d is %s, want %s: %w", i, bt, at, ErrInvalidInput)
		}
	}
	return nil
}

// Schema implements exec.Operator: the schema of the first input.
func (o *mergeOp) Schema() *arrow.Schema { return o.schema }

// Open implements exec.Operator: it opens every input. Rows are read on the
// first Next.
func (o *mergeOp) Open(ctx context.Context) error {
	if o.opened || o.closed {
		return errors.New("merge: internal error: open called twice or after close")
	}
	o.opened = true
	o.acct.res = mempool.NewReservation(o.env.Pool, mergeConsumer, false)
	for i, in := range o.inputs {
		if err := in.Open(ctx); err != nil {
			return fmt.Errorf("merge: open input %d: %w", i, err)
		}
	}
	return nil
}

// Next implements exec.Operator: it pops up to BatchSize rows off the tree
// and gathers them.
func (o *mergeOp) Next(ctx context.Context) (exec.Batch, error) {
	if !o.opened || o.closed {
		return exec.Batch{}, errMergeNotOpen
	}
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, err
	}
	if err := o.start(ctx); err != nil {
		return exec.Batch{}, err
	}
	if w := o.lazy; w >= 0 {
		o.lazy = -1
		if err := o.advance(ctx, w); err != nil {
			return exec.Batch{}, err
		}
	}
	for o.out.len() < o.size {
		w := int(o.tree[0])
		if o.done[w] {
			break // the winner is exhausted, so every input is
		}
		o.out.add(w, o.cur[w].Rec, o.row[w])
		if o.out.len() == o.size {
			// Advance after the output is gathered: if the batch runs out
			// now, its rows need no copy.
			o.lazy = w
			break
		}
		if err := o.advance(ctx, w); err != nil {
			return exec.Batch{}, err
		}
	}
	if o.out.len() == 0 {
		return exec.Batch{}, io.EOF
	}
	rec, err := o.out.flush(o.env.Mem, o.schema)
	o.out.reset()
	if err != nil {
		return exec.Batch{}, fmt.Errorf("merge: gather output: %w", err)
	}
	return exec.Batch{Rec: rec}, nil
}

// start reads the first batch of every input and builds the tree, once.
func (o *mergeOp) start(ctx context.Context) error {
	if o.started {
		return nil
	}
	for i := range o.inputs {
		if err := o.load(ctx, i); err != nil {
			return err
		}
	}
	o.build()
	o.started = true
	return nil
}

// advance moves input w to its next row, pulling its next batch when the
// current one is used up, and replays w's path in the tree.
func (o *mergeOp) advance(ctx context.Context, w int) error {
	o.pos[w]++
	if o.pos[w] < o.n[w] {
		o.setRow(w, int32(o.cur[w].Row(o.pos[w])))
	} else {
		if err := o.out.seal(w, o.env.Mem); err != nil {
			return fmt.Errorf("merge: keep rows of input %d: %w", w, err)
		}
		o.drop(w)
		if err := o.load(ctx, w); err != nil {
			return err
		}
	}
	o.replay(int32(w))
	return nil
}

// load makes the next non-empty batch of input i current, or marks the
// input done at its end.
func (o *mergeOp) load(ctx context.Context, i int) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := o.inputs[i].Next(ctx)
		if errors.Is(err, io.EOF) {
			o.done[i] = true
			o.key[i] = entry{rank: rankDone}
			return nil
		}
		if err != nil {
			return fmt.Errorf("merge: input %d: %w", i, err)
		}
		if b.Len() == 0 {
			b.Release()
			continue
		}
		size := exec.LiveBytes(b)
		if err := o.acct.grow(size); err != nil {
			b.Release()
			return fmt.Errorf("merge: hold batch of input %d: %w", i, err)
		}
		o.cur[i], o.held[i] = b, size
		o.cmp.Reset(i, b.Rec.Columns())
		o.pos[i], o.n[i] = 0, b.Len()
		o.setRow(i, int32(b.Row(0)))
		return nil
	}
}

// setRow makes physical row r of its current batch input i's current row.
func (o *mergeOp) setRow(i int, r int32) {
	o.row[i] = r
	if o.cmp.nkeys > 0 {
		o.key[i] = o.cmp.ents[i][r]
	}
}

// drop releases the current batch of input i.
func (o *mergeOp) drop(i int) {
	if o.cur[i].Rec != nil {
		o.cur[i].Release()
		o.cur[i] = exec.Batch{}
		o.acct.res.Shrink(o.held[i])
		o.held[i] = 0
	}
}

// rankDone is the rank of an exhausted input: above every NULL rank, so it
// loses to every input that still has rows.
const rankDone = rankNullsLast + 1

// beats reports whether input a's current row comes before input b's: a
// smaller key, or an equal key and a smaller input index. An exhausted
// input loses to every other. The first key's (rank, prefix) of each
// current row is cached in o.key, so most matches are decided by two
// integer comparisons; only ties go on to the Comparator's typed keys.
func (o *mergeOp) beats(a, b int32) bool {
	return o.beatsKey(a, &o.key[a], b, &o.key[b])
}

// beatsKey is beats with the cached keys of a and b at hand.
func (o *mergeOp) beatsKey(a int32, ka *entry, b int32, kb *entry) bool {
	switch {
	case ka.rank != kb.rank:
		return ka.rank < kb.rank
	case ka.pre != kb.pre:
		return ka.pre < kb.pre
	case !o.cmp.exact && ka.rank != rankDone:
		if c := compareAll(o.cmp.tie, int(a), o.row[a], int(b), o.row[b]); c != 0 {
			return c < 0
		}
	}
	return a < b
}

// build plays the initial tournament. With k inputs, leaves k..2k-1 are
// the inputs and node n (1 ≤ n < k) has children 2n and 2n+1; each node
// keeps the loser of its match and passes the winner up.
func (o *mergeOp) build() {
	k := len(o.inputs)
	o.tree = make([]int32, k)
	win := make([]int32, 2*k)
	for i := range k {
		win[k+i] = int32(i)
	}
	for n := k - 1; n >= 1; n-- {
		a, b := win[2*n], win[2*n+1]
		if o.beats(a, b) {
			win[n], o.tree[n] = a, b
		} else {
			win[n], o.tree[n] = b, a
		}
	}
	o.tree[0] = win[1] // with one input, node 1 is its leaf
}

// replay re-runs the matches on the path from input w's leaf to the root
// after w's current row changed.
func (o *mergeOp) replay(w int32) {
	t, keys := o.tree, o.key
	kw := &keys[w]
	for n := (int(w) + len(t)) / 2; n >= 1; n /= 2 {
		l := t[n]
		if kl := &keys[l]; o.beatsKey(l, kl, w, kw) {
			t[n], w, kw = w, l, kl
		}
	}
	t[0] = w
}

// Close implements exec.Operator: it releases every batch and chunk held,
// frees the reservation and closes every input. It is idempotent.
func (o *mergeOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	for i := range o.cur {
		o.drop(i)
	}
	o.out.reset()
	o.acct.res.Free()
	var errs []error
	for i, in := range o.inputs {
		if err := in.Close(); err != nil {
			errs = append(errs, fmt.Errorf("merge: close input %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}
