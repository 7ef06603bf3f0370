package hashtable

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// store holds the key values of one key column, one per group, in group-id
// order. The arrays passed to its methods have the column's type; rows are
// logical row indexes into them.
type store interface {
	// appendRows appends the values of rows as the keys of the next groups.
	appendRows(arr arrow.Array, rows []int32)
	// verify clears ok[j] when row j of arr (row sel[j] when sel is not
	// nil) differs from group gids[j].
	verify(arr arrow.Array, sel []int32, gids []uint32, ok []bool)
	// equal reports whether row r of arr equals group g.
	equal(arr arrow.Array, r int, g uint32) bool
	// build returns groups from..to-1 as an Arrow array of type dt.
	build(mem memory.Allocator, dt arrow.DataType, from, to int) (arrow.Array, error)
	// truncate keeps only the first n groups.
	truncate(n int)
	// bytes is the memory the store holds.
	bytes() int64
}

// newStore returns an empty store for keys of kind k with room for hint groups.
func newStore(k kind, hint int) store {
	switch k {
	case kInt8:
		return newFixedStore[int8](hint)
	case kInt16:
		return newFixedStore[int16](hint)
	case kInt32:
		return newFixedStore[int32](hint)
	case kInt64:
		return newFixedStore[int64](hint)
	case kUint8:
		return newFixedStore[uint8](hint)
	case kUint16:
		return newFixedStore[uint16](hint)
	case kUint32:
		return newFixedStore[uint32](hint)
	case kUint64:
		return newFixedStore[uint64](hint)
	case kFloat32:
		return newFixedStore[float32](hint)
	case kFloat64:
		return newFixedStore[float64](hint)
	case kBool:
		return &boolStore{}
	case kBytes32:
		return newBytesStore[int32](hint)
	case kBytes64:
		return newBytesStore[int64](hint)
	}
	panic(fmt.Sprintf("internal error: hashtable: key kind %d", k))
}

// groupValidity tracks which groups have a null key value. The bitmap (set
// bit = valid, Arrow layout) is allocated only once a null arrives, so
// null-free columns pay nothing.
type groupValidity struct {
	bits  []byte
	n     int // groups tracked
	nulls int
}

// appendRows records the validity of rows of an array with validity v.
func (g *groupValidity) appendRows(v validity, rows []int32) {
	start := g.n
	g.n += len(rows)
	if v.bits == nil && g.bits == nil {
		return
	}
	if g.bits == nil {
		// First null: every group so far is valid.
		g.bits = make([]byte, bitutil.BytesForBits(int64(start)), 2*bitutil.BytesForBits(int64(g.n))+8)
		bitutil.SetBitsTo(g.bits, 0, int64(start), true)
	}
	for need := int(bitutil.BytesForBits(int64(g.n))); len(g.bits) < need; {
		g.bits = append(g.bits, 0)
	}
	for j, r := range rows {
		ok := v.bits == nil || v.valid(int(r))
		bitutil.SetBitTo(g.bits, start+j, ok)
		if !ok {
			g.nulls++
		}
	}
}

// isNull reports whether group i has a null key value.
func (g *groupValidity) isNull(i uint32) bool {
	return g.nulls > 0 && g.bits[i>>3]>>(i&7)&1 == 0
}

// truncate keeps the validity of the first n groups.
func (g *groupValidity) truncate(n int) {
	g.n = n
	if g.bits == nil {
		return
	}
	g.bits = g.bits[:bitutil.BytesForBits(int64(n))]
	g.nulls = n - bitutil.CountSetBits(g.bits, 0, n)
}

// build returns the validity bitmap of groups from..to-1 and its null count;
// the buffer is nil when that range has no nulls.
func (g *groupValidity) build(mem memory.Allocator, from, to int) (*memory.Buffer, int) {
	if g.nulls == 0 {
		return nil, 0
	}
	nulls := (to - from) - bitutil.CountSetBits(g.bits, from, to-from)
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(to-from))))
	bitutil.CopyBitmap(g.bits, from, to-from, buf.Bytes(), 0)
	return buf, nulls
}

// bytes is the memory held by the bitmap.
func (g *groupValidity) bytes() int64 { return int64(cap(g.bits)) }

// newBuffer allocates a zeroed buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n)
	clear(buf.Bytes())
	return buf
}

// makeArray assembles an array of type dt from buffers and drops the
// caller's references to the buffers (nil entries are allowed).
func makeArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return arr
}
