package shuffle

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// concatSpans copies the rows of spans, in order, into one new record with
// schema (rows is their total). Sealing a block concatenates a partition's
// spans; each span is a contiguous row range, so every column is copied
// with memmove and bitmap copies, never row by row (except string offsets,
// which are rebased). Unlike array.Concatenate it needs no sliced array
// objects per span, which matters at hundreds of partitions.
func concatSpans(mem memory.Allocator, schema *arrow.Schema, spans []span, rows int64) (arrow.Record, error) {
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for c := range cols {
		arr, err := concatColumn(mem, schema.Field(c).Type, spans, c, int(rows))
		if err != nil {
			return nil, err
		}
		cols[c] = arr
	}
	return array.NewRecord(schema, cols, rows), nil
}

// concatColumn concatenates column c of every span.
func concatColumn(mem memory.Allocator, dt arrow.DataType, spans []span, c, rows int) (arrow.Array, error) {
	if dt.ID() == arrow.NULL {
		return array.NewNull(rows), nil
	}
	validity, nulls := concatValidity(mem, spans, c, rows)
	var bufs []*memory.Buffer
	switch dt.ID() {
	case arrow.BOOL:
		vals := newBitmap(mem, rows)
		pos := 0
		for _, sp := range spans {
			d := sp.src.rec.Column(c).Data()
			n := int(sp.hi - sp.lo)
			bitutil.CopyBitmap(d.Buffers()[1].Bytes(), d.Offset()+int(sp.lo), n, vals.Bytes(), pos)
			pos += n
		}
		bufs = []*memory.Buffer{validity, vals}
	case arrow.STRING, arrow.BINARY:
		bufs = append([]*memory.Buffer{validity}, concatVar[int32](mem, spans, c, rows)...)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		bufs = append([]*memory.Buffer{validity}, concatVar[int64](mem, spans, c, rows)...)
	default:
		fw, ok := dt.(arrow.FixedWidthDataType)
		if !ok || fw.BitWidth()%8 != 0 {
			if validity != nil {
				validity.Release()
			}
			return nil, fmt.Errorf("concatenate: unsupported type %s", dt)
		}
		bufs = []*memory.Buffer{validity, concatFixed(mem, spans, c, rows, fw.BitWidth()/8)}
	}
	data := array.NewData(dt, rows, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

// newBitmap allocates a zeroed bitmap of n bits.
func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(int(bitutil.BytesForBits(int64(n))))
	clear(b.Bytes())
	return b
}

// concatValidity returns the concatenated validity bitmap and null count,
// or a nil bitmap when no span has a null.
func concatValidity(mem memory.Allocator, spans []span, c, rows int) (*memory.Buffer, int) {
	nulls := 0
	for _, sp := range spans {
		arr := sp.src.rec.Column(c)
		if arr.NullN() > 0 {
			n := int(sp.hi - sp.lo)
			nulls += n - bitutil.CountSetBits(arr.NullBitmapBytes(), arr.Data().Offset()+int(sp.lo), n)
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	out := newBitmap(mem, rows)
	pos := 0
	for _, sp := range spans {
		arr := sp.src.rec.Column(c)
		n := int(sp.hi - sp.lo)
		if arr.NullN() == 0 {
			bitutil.SetBitsTo(out.Bytes(), int64(pos), int64(n), true)
		} else {
			bitutil.CopyBitmap(arr.NullBitmapBytes(), arr.Data().Offset()+int(sp.lo), n, out.Bytes(), pos)
		}
		pos += n
	}
	return out, nulls
}

// concatFixed copies fixed-width values of width bytes.
func concatFixed(mem memory.Allocator, spans []span, c, rows, width int) *memory.Buffer {
	out := memory.NewResizableBuffer(mem)
	out.Resize(rows * width)
	dst := out.Bytes()
	pos := 0
	for _, sp := range spans {
		d := sp.src.rec.Column(c).Data()
		lo, hi := (d.Offset()+int(sp.lo))*width, (d.Offset()+int(sp.hi))*width
		pos += copy(dst[pos:], d.Buffers()[1].Bytes()[lo:hi])
	}
	return out
}

// concatVar concatenates string or binary values with offsets of type O,
// rebasing each span's offsets onto the bytes copied before it.
func concatVar[O int32 | int64](mem memory.Allocator, spans []span, c, rows int) []*memory.Buffer {
	total := 0
	for _, sp := range spans {
		offs := offsetsOf[O](sp.src.rec.Column(c).Data())
		total += int(offs[sp.hi] - offs[sp.lo])
	}
	size := int(unsafe.Sizeof(O(0)))
	outOffs := memory.NewResizableBuffer(mem)
	outOffs.Resize((rows + 1) * size)
	outData := memory.NewResizableBuffer(mem)
	outData.Resize(total)
	dstOffs := viewAs[O](outOffs.Bytes())
	dst := outData.Bytes()
	pos, at := 0, O(0)
	for _, sp := range spans {
		d := sp.src.rec.Column(c).Data()
		offs := offsetsOf[O](d)
		base := offs[sp.lo]
		for _, o := range offs[sp.lo:sp.hi] {
			dstOffs[pos] = o - base + at
			pos++
		}
		if n := offs[sp.hi] - base; n > 0 {
			at += O(copy(dst[at:], d.Buffers()[2].Bytes()[base:offs[sp.hi]]))
		}
	}
	dstOffs[rows] = at
	return []*memory.Buffer{outOffs, outData}
}

// offsetsOf returns the offsets of a string or binary array indexed by
// logical row (the array offset applied): row r spans offs[r]..offs[r+1].
func offsetsOf[O int32 | int64](d arrow.ArrayData) []O {
	if d.Len() == 0 {
		return []O{0}
	}
	return viewAs[O](d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
}

// viewAs reinterprets a byte slice as a slice of T without copying (Arrow
// buffers are 64-byte aligned).
func viewAs[T int32 | int64](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}
