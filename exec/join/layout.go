package join

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
)

// finish turns the consumed build side into a Table: CSR offsets and the
// payload in group order. On error the caller frees the reservation and any
// records still held.
func (b *builder) finish() (*Table, error) {
	t := &Table{schema: b.schema, keys: b.keys, ht: b.ht, rows: b.rows, res: b.res}
	for _, k := range b.keys {
		t.keyTypes = append(t.keyTypes, b.schema.Field(k).Type)
	}
	switch {
	case b.ht != nil:
		t.groups = b.ht.Len()
	case b.rows > 0:
		t.groups = 1
	}
	b.scratch = nil
	t.unique = t.rows > 0 && t.groups == t.rows
	if b.payload {
		if err := b.layout(t); err != nil {
			return nil, err
		}
	}
	final := int64(4 * len(t.offsets))
	if b.ht != nil {
		final += b.ht.Bytes()
	}
	for _, a := range t.payload {
		final += exec.ArrayBytes(a, nil)
	}
	if err := b.res.Resize(final); err != nil {
		t.releasePayload()
		return nil, fmt.Errorf("hash join build: %w", err)
	}
	t.refs.Store(1)
	return t, nil
}

// layout computes the CSR offsets and copies the build columns into group
// order. Rows already in group order (unique keys in first-seen order, or a
// join without keys) are not copied again.
func (b *builder) layout(t *Table) error {
	rec, err := b.concat()
	if err != nil {
		return err
	}
	defer func() { rec.Release() }()
	order, err := b.csr(t)
	if err != nil {
		return err
	}
	if order != nil {
		size := exec.RecordBytes(rec)
		if err := b.grow(size); err != nil {
			return err
		}
		sorted, err := exec.TakeRecord(b.mem, rec, order)
		if err != nil {
			return fmt.Errorf("hash join build: %w", err)
		}
		rec.Release()
		rec = sorted // released by the deferred func
		b.res.Shrink(size)
		b.res.Shrink(4 * int64(cap(order)))
	}
	b.res.Shrink(4 * int64(cap(b.gids)))
	b.gids = nil
	t.payload = make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		c.Retain()
		t.payload[i] = c
	}
	return nil
}

// csr fills t.offsets from the group ids and returns the permutation that
// puts rows in group order, or nil when they already are.
func (b *builder) csr(t *Table) ([]int32, error) {
	if err := b.grow(4 * int64(t.groups+1)); err != nil {
		return nil, err
	}
	t.offsets = make([]int32, t.groups+1)
	if b.ht == nil {
		t.offsets[t.groups] = int32(b.rows)
		return nil, nil
	}
	inOrder := true
	for i, g := range b.gids {
		t.offsets[g+1]++
		inOrder = inOrder && g == uint32(i)
	}
	for g := range t.groups {
		t.offsets[g+1] += t.offsets[g]
	}
	if inOrder {
		return nil, nil
	}
	if err := b.grow(4 * int64(b.rows+t.groups)); err != nil {
		return nil, err
	}
	next := make([]int32, t.groups)
	copy(next, t.offsets)
	order := make([]int32, b.rows)
	for r, g := range b.gids {
		order[next[g]] = int32(r)
		next[g]++
	}
	b.res.Shrink(4 * int64(t.groups))
	return order, nil
}

// concat turns the retained build records into one record, reserving the
// copy before making it. The caller releases the result.
func (b *builder) concat() (arrow.Record, error) {
	switch len(b.recs) {
	case 0:
		cols := make([]arrow.Array, b.schema.NumFields())
		for i, f := range b.schema.Fields() {
			cols[i] = emptyArray(b.mem, f.Type)
		}
		rec := array.NewRecord(b.schema, cols, 0)
		releaseAll(cols)
		return rec, nil
	case 1:
		rec := b.recs[0]
		b.recs = nil
		return rec, nil
	}
	if err := b.grow(b.recBytes); err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, b.schema.NumFields())
	defer releaseAll(cols)
	parts := make([]arrow.Array, len(b.recs))
	for c := range cols {
		for i, r := range b.recs {
			parts[i] = r.Column(c)
		}
		col, err := array.Concatenate(parts, b.mem)
		if err != nil {
			return nil, fmt.Errorf("hash join build: concatenate column %d: %w", c, err)
		}
		cols[c] = col
	}
	rec := array.NewRecord(b.schema, cols, int64(b.rows))
	b.releaseRecs()
	b.res.Shrink(b.recBytes)
	return rec, nil
}

// releasePayload releases the payload columns of a table that is not
// handed out.
func (t *Table) releasePayload() {
	releaseAll(t.payload)
	t.payload = nil
}

// releaseAll releases every non-nil array of as.
func releaseAll(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}
