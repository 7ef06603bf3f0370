package agg

import (
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// rowSet is the set of rows an accumulator folds in: gids[i] is the group of
// the i-th row, which is physical row sel[i] of the input arrays, or row i
// when sel is nil (the dense case).
type rowSet struct {
	sel  []int32
	gids []uint32
}

// scratch holds the per-batch buffers of an accumulator update. It is reused
// across batches so that steady-state updates allocate nothing.
type scratch struct {
	sel  []int32
	gids []uint32
}

// nonNull returns the rows of rs whose value in arr is not NULL. When arr has
// no NULLs it returns rs itself (the fast path); otherwise it compacts into
// sc's buffers with a branch-free loop. A NULL-typed array has no non-NULL
// rows.
func nonNull(arr arrow.Array, rs rowSet, sc *scratch) rowSet {
	if arr.NullN() == 0 {
		return rs
	}
	n := len(rs.gids)
	if arr.DataType().ID() == arrow.NULL || arr.NullN() == arr.Len() {
		return rowSet{sel: sc.sel[:0], gids: sc.gids[:0]}
	}
	sc.sel = growSlice(sc.sel, n)
	sc.gids = growSlice(sc.gids, n)
	bits := arr.NullBitmapBytes()
	off := arr.Data().Offset()
	sel, gids := sc.sel[:n], sc.gids[:n]
	k := 0
	if rs.sel == nil {
		for i, g := range rs.gids {
			r := off + i
			sel[k], gids[k] = int32(i), g
			k += int(bits[r>>3] >> (r & 7) & 1)
		}
	} else {
		for i, g := range rs.gids {
			p := rs.sel[i]
			r := off + int(p)
			sel[k], gids[k] = p, g
			k += int(bits[r>>3] >> (r & 7) & 1)
		}
	}
	return rowSet{sel: sel[:k], gids: gids[:k]}
}

// growSlice returns s resized to n elements, reallocating (with headroom)
// only when its capacity is too small. The contents are unspecified.
func growSlice[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// extend returns s grown to n elements, the new ones set to init. It keeps
// the existing elements and reallocates only when the capacity is short.
func extend[T any](s []T, n int, init T) []T {
	old := len(s)
	if n <= old {
		return s
	}
	if cap(s) < n {
		t := make([]T, n, max(n, 2*cap(s)))
		copy(t, s)
		s = t
	}
	s = s[:n]
	for i := old; i < n; i++ {
		s[i] = init
	}
	return s
}

// fixedValues returns the values of a fixed-width array as a []T indexed by
// logical row (the array offset applied). T must have the array's width.
func fixedValues[T any](arr arrow.Array) []T {
	d := arr.Data()
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	return viewAs[T](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()]
}

// viewAs reinterprets a byte slice as a []T without copying.
func viewAs[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// newBuffer allocates a zeroed buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	clear(b.Bytes())
	return b
}

// makeArray assembles an array of type dt from buffers and drops the
// caller's references to them (nil entries are allowed).
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

// validityFrom builds the validity bitmap of groups from..to-1 from seen
// (true = valid). It returns nil and 0 when every group is valid.
func validityFrom(mem memory.Allocator, seen []bool) (*memory.Buffer, int) {
	nulls := 0
	for _, s := range seen {
		if !s {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf := newBuffer(mem, (len(seen)+7)/8)
	bits := buf.Bytes()
	for i, s := range seen {
		if s {
			bits[i>>3] |= 1 << (i & 7)
		}
	}
	return buf, nulls
}

// fixedArray copies vals into a new fixed-width array of type dt (whose
// width is T's), with NULL where seen is false (seen may be nil: no NULLs).
func fixedArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, seen []bool) arrow.Array {
	var zero T
	buf := newBuffer(mem, len(vals)*int(unsafe.Sizeof(zero)))
	copy(viewAs[T](buf.Bytes()), vals)
	var valid *memory.Buffer
	nulls := 0
	if seen != nil {
		valid, nulls = validityFrom(mem, seen)
	}
	return makeArray(dt, len(vals), nulls, valid, buf)
}

// sizeOf is unsafe.Sizeof for a value of a type parameter.
func sizeOf[T any](x T) uintptr { return unsafe.Sizeof(x) }
