package exec

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Take gathers arr[idx[0]], arr[idx[1]], … into a new array allocated from
// mem. An index of -1 produces NULL (outer joins use it for the
// null-supplying side). It supports every fixed-width primitive type
// (integers, floats, date32, timestamps), boolean, string, binary, their
// large variants, and the null type. The caller releases the result.
//
// Take is the one gather kernel of the engine: compaction, sort output, join
// output and shuffle partitioning all go through it.
func Take(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	d := arr.Data()
	n := len(idx)
	validity, nulls := takeValidity(mem, arr, idx)
	var bufs []*memory.Buffer
	switch dt := arr.DataType().(type) {
	case *arrow.NullType:
		if validity != nil {
			validity.Release()
		}
		return array.NewNull(n), nil
	case *arrow.BooleanType:
		out := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		src := d.Buffers()[1].Bytes()
		dst := out.Bytes()
		off := d.Offset()
		for i, j := range idx {
			if j >= 0 && bitutil.BitIsSet(src, off+int(j)) {
				bitutil.SetBit(dst, i)
			}
		}
		bufs = []*memory.Buffer{validity, out}
	case *arrow.StringType, *arrow.BinaryType:
		bufs = append([]*memory.Buffer{validity}, takeVarBinary[int32](mem, d, idx)...)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		bufs = append([]*memory.Buffer{validity}, takeVarBinary[int64](mem, d, idx)...)
	case arrow.FixedWidthDataType:
		var vals *memory.Buffer
		switch dt.BitWidth() {
		case 8:
			vals = takeFixed[uint8](mem, d, idx)
		case 16:
			vals = takeFixed[uint16](mem, d, idx)
		case 32:
			vals = takeFixed[uint32](mem, d, idx)
		case 64:
			vals = takeFixed[uint64](mem, d, idx)
		default:
			if validity != nil {
				validity.Release()
			}
			return nil, fmt.Errorf("take: unsupported type %s", dt)
		}
		bufs = []*memory.Buffer{validity, vals}
	default:
		if validity != nil {
			validity.Release()
		}
		return nil, fmt.Errorf("take: unsupported type %s", dt)
	}
	data := array.NewData(arr.DataType(), n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data), nil
}

// newBuffer allocates a zeroed buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	clear(b.Bytes())
	return b
}

// takeValidity builds the output validity bitmap, or returns nil when every
// gathered value is valid.
func takeValidity(mem memory.Allocator, arr arrow.Array, idx []int32) (*memory.Buffer, int) {
	needed := arr.NullN() > 0
	if !needed {
		for _, j := range idx {
			if j < 0 {
				needed = true
				break
			}
		}
	}
	if !needed || arr.DataType().ID() == arrow.NULL {
		if arr.DataType().ID() == arrow.NULL {
			return nil, len(idx)
		}
		return nil, 0
	}
	out := newBuffer(mem, int(bitutil.BytesForBits(int64(len(idx)))))
	dst := out.Bytes()
	nulls := 0
	for i, j := range idx {
		if j >= 0 && arr.IsValid(int(j)) {
			bitutil.SetBit(dst, i)
		} else {
			nulls++
		}
	}
	return out, nulls
}

// takeFixed gathers fixed-width values viewed as T (a same-width unsigned
// integer; the bits are copied unchanged).
func takeFixed[T uint8 | uint16 | uint32 | uint64](mem memory.Allocator, d arrow.ArrayData, idx []int32) *memory.Buffer {
	size := int(unsafe.Sizeof(T(0)))
	out := newBuffer(mem, len(idx)*size)
	src := viewAs[T](d.Buffers()[1].Bytes())[d.Offset():]
	dst := viewAs[T](out.Bytes())
	for i, j := range idx {
		if j >= 0 {
			dst[i] = src[j]
		}
	}
	return out
}

// takeVarBinary gathers string or binary values with offsets of type O.
func takeVarBinary[O int32 | int64](mem memory.Allocator, d arrow.ArrayData, idx []int32) []*memory.Buffer {
	offs := viewAs[O](d.Buffers()[1].Bytes())[d.Offset():]
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	total := 0
	for _, j := range idx {
		if j >= 0 {
			total += int(offs[j+1] - offs[j])
		}
	}
	size := int(unsafe.Sizeof(O(0)))
	outOffs := newBuffer(mem, (len(idx)+1)*size)
	outData := newBuffer(mem, total)
	dstOffs := viewAs[O](outOffs.Bytes())
	dst := outData.Bytes()
	pos := O(0)
	for i, j := range idx {
		dstOffs[i] = pos
		if j >= 0 {
			pos += O(copy(dst[pos:], data[offs[j]:offs[j+1]]))
		}
	}
	dstOffs[len(idx)] = pos
	return []*memory.Buffer{outOffs, outData}
}

// viewAs reinterprets a byte slice as a slice of T without copying.
func viewAs[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/size)
}

// TakeRecord gathers the rows idx of every column of rec into a new record.
func TakeRecord(mem memory.Allocator, rec arrow.Record, idx []int32) (arrow.Record, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, c := range rec.Columns() {
		out, err := Take(mem, c, idx)
		if err != nil {
			return nil, err
		}
		cols[i] = out
	}
	return array.NewRecord(rec.Schema(), cols, int64(len(idx))), nil
}

// Compact returns a record holding only the live rows of b. When b has no
// selection vector it returns b.Rec with an extra reference. The caller
// releases the result; b is unchanged and still owned by the caller.
func Compact(mem memory.Allocator, b Batch) (arrow.Record, error) {
	if b.Sel == nil {
		b.Rec.Retain()
		return b.Rec, nil
	}
	return TakeRecord(mem, b.Rec, b.Sel)
}
