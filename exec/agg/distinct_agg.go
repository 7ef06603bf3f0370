package agg

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec/hashtable"
)

// dedup passes on the first occurrence of each (group, value) pair only, for
// COUNT(DISTINCT x), SUM(DISTINCT x) and AVG(DISTINCT x). It keeps a second
// hash table keyed by (group id, x): a row whose pair creates a new entry is
// the first occurrence, since the table numbers new entries in row order.
// NULL values are dropped first, as every aggregate ignores them.
//
//	input rows ──group ids──► dedup table (gid, x) ──new pairs only──► accumulator
type dedup struct {
	table *hashtable.Table
	gphys []uint32 // group id by physical row, the table's first key column
	ids   []uint32 // dedup table ids of the live rows
	sel   []int32  // output: rows whose pair is new
	gids  []uint32 // output: their group ids
	sc    scratch  // non-NULL compaction of the input
}

// newDedup returns a dedup for values of type t.
func newDedup(t arrow.DataType) (*dedup, error) {
	tab, err := hashtable.New([]arrow.DataType{arrow.PrimitiveTypes.Uint32, t}, 0)
	if err != nil {
		return nil, fmt.Errorf("distinct values: %w", err)
	}
	return &dedup{table: tab}, nil
}

// bound is an upper bound of the bytes the table holds after filtering a
// batch whose argument column is arr and which has k live rows.
func (d *dedup) bound(arr arrow.Array, k int) int64 {
	return tableBound(d.table, []arrow.Array{arr}, k) + int64(k)*2*4
}

// bytes is the memory the dedup holds.
func (d *dedup) bytes() int64 { return d.table.Bytes() }

// filter returns the rows of rs whose (group, value) pair in arr has not been
// seen before, with their groups. The result aliases d's buffers and is
// valid until the next call.
func (d *dedup) filter(arr arrow.Array, rs rowSet) rowSet {
	nn := nonNull(arr, rs, &d.sc)
	if len(nn.gids) == 0 {
		return nn
	}
	n := arr.Len()
	gphys := nn.gids
	if nn.sel != nil {
		d.gphys = growSlice(d.gphys, n)
		gphys = d.gphys
		for i, r := range nn.sel {
			gphys[r] = nn.gids[i]
		}
	}
	gcol := uint32Array(gphys[:n])
	defer gcol.Release()
	before := uint32(d.table.Len())
	d.ids = d.table.Insert([]arrow.Array{gcol, arr}, nn.sel, n, d.ids)
	d.sel, d.gids = d.sel[:0], d.gids[:0]
	next := before
	for i, id := range d.ids {
		if id == next {
			r := int32(i)
			if nn.sel != nil {
				r = nn.sel[i]
			}
			d.sel = append(d.sel, r)
			d.gids = append(d.gids, nn.gids[i])
			next++
		}
	}
	return rowSet{sel: d.sel, gids: d.gids}
}

// uint32Array wraps vals as a uint32 Arrow array without copying. The array
// borrows vals: it must not outlive them or be handed to anyone else.
func uint32Array(vals []uint32) arrow.Array {
	var b []byte
	if len(vals) > 0 {
		b = unsafe.Slice((*byte)(unsafe.Pointer(&vals[0])), len(vals)*4)
	}
	buf := memory.NewBufferBytes(b)
	data := array.NewData(arrow.PrimitiveTypes.Uint32, len(vals), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}
