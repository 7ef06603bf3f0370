package join

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
)

// The build runs in two phases:
//
//	consume:  batch ──compact──► retained records            (payload)
//	               └─key cols──► hashtable.Insert ──► gids  (one per row)
//	finish:   gids ──count──► offsets (CSR) ──scatter──► order
//	          records ──concatenate──► one record ──Take(order)──► payload
//
// Every step reserves its bytes before allocating and gives back what it
// frees. A keys-only build (Semi/Anti without a residual) keeps neither
// records nor gids: it only inserts keys.

// slotBytes is the size of one hashtable slot; minSlots is the slot count
// of an empty hashtable.Table (both mirror exec/hashtable, for estimates).
const (
	slotBytes = 16
	minSlots  = 16
)

// builder holds the state of one Build call.
type builder struct {
	env     *exec.Env
	mem     memory.Allocator
	res     *mempool.Reservation
	schema  *arrow.Schema
	keys    []int
	payload bool // keep the build columns, not only the keys

	ht       *hashtable.Table
	htBytes  int64 // bytes reserved for the hashtable
	keyCols  []arrow.Array
	scratch  []uint32 // group ids of a keys-only insert
	recs     []arrow.Record
	recBytes int64
	gids     []uint32 // group id of every build row, in arrival order
	rows     int
}

// buildTable is Build; payload false builds a keys-only table.
func buildTable(ctx context.Context, in exec.Operator, keys []int, payload bool, env *exec.Env, m *exec.Metrics) (*Table, error) {
	schema := in.Schema()
	if err := checkKeys("build", keys, schema); err != nil {
		return nil, err
	}
	b := &builder{
		env: env, mem: env.Mem, schema: schema, keys: append([]int(nil), keys...),
		payload: payload,
	}
	if len(keys) > 0 {
		types := make([]arrow.DataType, len(keys))
		for i, k := range keys {
			types[i] = schema.Field(k).Type
		}
		ht, err := hashtable.New(types, 0)
		if err != nil {
			return nil, fmt.Errorf("hash join build: %w", err)
		}
		b.ht = ht
	}
	b.res = mempool.NewReservation(env.Pool, buildConsumer, false)
	t, err := b.run(ctx, in)
	if err != nil {
		b.releaseRecs()
		b.res.Free()
		return nil, err
	}
	add(counter(m, "build rows"), t.rows)
	m.ObservePeak(b.res.Peak())
	return t, nil
}

// run opens, drains and closes in, then lays the table out.
func (b *builder) run(ctx context.Context, in exec.Operator) (*Table, error) {
	err := in.Open(ctx)
	if err == nil {
		err = b.consume(ctx, in)
	}
	if cerr := in.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("hash join build: close input: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	return b.finish()
}

// consume reads every batch of in.
func (b *builder) consume(ctx context.Context, in exec.Operator) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = b.add(batch)
		batch.Release()
		if err != nil {
			return err
		}
	}
}

// add takes one build batch; the caller still releases batch.
func (b *builder) add(batch exec.Batch) error {
	n := batch.Len()
	if n == 0 {
		return nil
	}
	if b.rows+n > math.MaxInt32 {
		return fmt.Errorf("hash join build: more than %d rows: %w", math.MaxInt32, ErrBuildTooLarge)
	}
	b.rows += n
	rec, sel := batch.Rec, batch.Sel
	if b.payload {
		// Reserve the input's size (an upper bound of the compacted copy),
		// compact, then settle on the bytes actually kept.
		est := exec.RecordBytes(rec)
		if err := b.grow(est); err != nil {
			return err
		}
		kept, err := exec.Compact(b.mem, batch)
		if err != nil {
			b.res.Shrink(est)
			return fmt.Errorf("hash join build: %w", err)
		}
		b.recs = append(b.recs, kept)
		size := exec.RecordBytes(kept)
		b.recBytes += size
		b.res.Shrink(est - size)
		rec, sel = kept, nil
	}
	if b.ht == nil {
		return nil
	}
	return b.insert(rec, sel, n)
}

// insert adds the keys of the n live rows of rec to the hashtable, recording
// their group ids when the payload is kept.
func (b *builder) insert(rec arrow.Record, sel []int32, n int) error {
	b.keyCols = b.keyCols[:0]
	for _, k := range b.keys {
		b.keyCols = append(b.keyCols, rec.Column(k))
	}
	if err := b.reserveInsert(n); err != nil {
		return err
	}
	var out []uint32
	if b.payload {
		if err := b.growGids(n); err != nil {
			return err
		}
		out = b.gids[len(b.gids) : len(b.gids)+n]
		b.gids = b.gids[:len(b.gids)+n]
	} else {
		b.scratch = growSlice(b.scratch, n)
		out = b.scratch
	}
	b.ht.Insert(b.keyCols, sel, int(rec.NumRows()), out)
	clear(b.keyCols)
	return b.settleTable()
}

// reserveInsert reserves an upper estimate of what inserting n keys can add
// to the hashtable: the slot arrays of every doubling that n new groups
// could trigger (old and new arrays live together while rehashing), n
// stored keys and per-row scratch. settleTable then trims the reservation
// to the table's actual size.
func (b *builder) reserveInsert(n int) error {
	groups := b.ht.Len()
	need := int64(0)
	if before, after := slotsFor(groups), slotsFor(groups+n); after > before {
		need += int64(after+after/2) * slotBytes
	}
	perRow := int64(48) // scratch: hash, candidate buffers
	for _, c := range b.keyCols {
		perRow += 16 + exec.ArrayBytes(c, nil)/int64(max(c.Len(), 1))
	}
	need += 2 * perRow * int64(n)
	if err := b.grow(need); err != nil {
		return err
	}
	b.htBytes += need
	return nil
}

// slotsFor is the slot count of a hashtable.Table holding groups groups:
// it starts at minSlots and doubles to stay at most half full.
func slotsFor(groups int) int {
	s := minSlots
	for 2*groups >= s {
		s *= 2
	}
	return s
}

// settleTable sets the hashtable's share of the reservation to its actual
// size.
func (b *builder) settleTable() error {
	actual := b.ht.Bytes()
	if actual > b.htBytes {
		if err := b.grow(actual - b.htBytes); err != nil {
			return err
		}
	} else {
		b.res.Shrink(b.htBytes - actual)
	}
	b.htBytes = actual
	return nil
}

// growGids makes room for n more group ids, reserving the new array before
// allocating it.
func (b *builder) growGids(n int) error {
	need := len(b.gids) + n
	if need <= cap(b.gids) {
		return nil
	}
	newCap := max(2*cap(b.gids), need, 1024)
	if err := b.grow(4 * int64(newCap)); err != nil {
		return err
	}
	g := make([]uint32, len(b.gids), newCap)
	copy(g, b.gids)
	b.res.Shrink(4 * int64(cap(b.gids)))
	b.gids = g
	return nil
}

// grow reserves n bytes, wrapping a refusal with the operator's name.
func (b *builder) grow(n int64) error {
	if n <= 0 {
		return nil
	}
	if err := b.res.TryGrow(n); err != nil {
		return fmt.Errorf("hash join build: %w", err)
	}
	return nil
}

// releaseRecs releases the retained build records.
func (b *builder) releaseRecs() {
	for _, r := range b.recs {
		r.Release()
	}
	b.recs = nil
}

// growSlice returns s with length n, reallocating only when it is too small.
func growSlice[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// emptyArray returns a zero-length array of type dt.
func emptyArray(mem memory.Allocator, dt arrow.DataType) arrow.Array {
	bld := array.NewBuilder(mem, dt)
	defer bld.Release()
	return bld.NewArray()
}
