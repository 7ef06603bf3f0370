package parquetio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go/encoding"
)

// Builders turn runs of page values into Arrow buffers allocated from the
// caller's allocator. A column reader hands them runs in row order: either
// count dense values (levels nil: every row valid) or a slice of definition
// levels (0: NULL, 1: the next value). Values come as zero-copy views of
// parquet-go's page buffers (encoding.Values) or as dictionary indexes plus
// the dictionary's values; builders copy what they keep.

var errBadIndex = errors.New("dictionary index out of range")

// builder accumulates one column of one batch.
type builder interface {
	// begin starts a batch of n rows.
	begin(mem memory.Allocator, n int)
	// count returns how many values v holds.
	count(v encoding.Values) int
	// appendValues appends values from, from+1, ... of v: count of them
	// when levels is nil, else one row per level.
	appendValues(v encoding.Values, from, count int, levels []byte) error
	// appendDict appends dict[idx[i]], one per valid row.
	appendDict(dict encoding.Values, idx []int32, levels []byte) error
	// finish returns the batch's array and forgets it.
	finish() arrow.Array
	// release frees a batch abandoned after an error.
	release()
}

// validity builds the null bitmap, allocated only once a NULL shows up.
type validity struct {
	mem   memory.Allocator
	buf   *memory.Buffer
	n     int // rows so far
	nulls int
	cap   int
}

func (v *validity) beginValidity(mem memory.Allocator, n int) {
	*v = validity{mem: mem, cap: n}
}

// addRows records k rows: all valid when levels is nil.
func (v *validity) addRows(levels []byte, k int) {
	if levels == nil {
		if v.buf != nil {
			bitutil.SetBitsTo(v.buf.Bytes(), int64(v.n), int64(k), true)
		}
		v.n += k
		return
	}
	if v.buf == nil {
		first := -1
		for i, l := range levels {
			if l == 0 {
				first = i
				break
			}
		}
		if first < 0 {
			v.n += len(levels)
			return
		}
		v.buf = memory.NewResizableBuffer(v.mem)
		v.buf.Resize(int(bitutil.BytesForBits(int64(v.cap))))
		memory.Set(v.buf.Bytes(), 0)
		bitutil.SetBitsTo(v.buf.Bytes(), 0, int64(v.n), true)
	}
	bits := v.buf.Bytes()
	for i, l := range levels {
		if l != 0 {
			bitutil.SetBit(bits, v.n+i)
		} else {
			v.nulls++
		}
	}
	v.n += len(levels)
}

// take returns the bitmap (nil without NULLs) and the null count.
func (v *validity) take() (*memory.Buffer, int) {
	b, n := v.buf, v.nulls
	v.buf = nil
	return b, n
}

func (v *validity) releaseValidity() {
	if v.buf != nil {
		v.buf.Release()
		v.buf = nil
	}
}

// countValid counts the valid rows of a run of levels.
func countValid(levels []byte) int {
	n := 0
	for _, l := range levels {
		n += int(l)
	}
	return n
}

// makeArray wraps buffers as an array of typ and releases the buffers' own
// references.
func makeArray(typ arrow.DataType, n int, v *validity, bufs ...*memory.Buffer) arrow.Array {
	vb, nulls := v.take()
	all := append([]*memory.Buffer{vb}, bufs...)
	data := array.NewData(typ, n, all, nil, nulls, 0)
	for _, b := range all {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}

func castSlice[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/int(unsafe.Sizeof(z)))
}

func asBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// number is the set of Arrow fixed-width storage types.
type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// fixedBuilder converts page values of storage type S to Arrow values of
// storage type D (the same bits when raw: a plain copy). A scale other
// than 1 divides the results (decimals).
type fixedBuilder[S, D number] struct {
	validity
	typ   arrow.DataType
	raw   bool
	scale D
	data  *memory.Buffer
	out   []D
}

func newFixed[S, D number](typ arrow.DataType) *fixedBuilder[S, D] {
	var s S
	var d D
	raw := unsafe.Sizeof(s) == unsafe.Sizeof(d) && isFloat(s) == isFloat(d)
	return &fixedBuilder[S, D]{typ: typ, raw: raw, scale: 1}
}

// isFloat reports whether T is a floating-point type (1/2 is not 0).
func isFloat[T number](v T) bool {
	v = 1
	v /= 2
	return v != 0
}

func (b *fixedBuilder[S, D]) begin(mem memory.Allocator, n int) {
	b.beginValidity(mem, n)
	var d D
	b.data = memory.NewResizableBuffer(mem)
	b.data.Resize(n * int(unsafe.Sizeof(d)))
	b.out = castSlice[D](b.data.Bytes())
}

func (b *fixedBuilder[S, D]) count(v encoding.Values) int {
	data, _ := v.Data()
	var s S
	return len(data) / int(unsafe.Sizeof(s))
}

func (b *fixedBuilder[S, D]) appendValues(v encoding.Values, from, count int, levels []byte) error {
	data, _ := v.Data()
	src := castSlice[S](data)
	start := b.n
	if levels == nil {
		dst := b.out[b.n : b.n+count]
		if b.raw {
			copy(asBytes(dst), asBytes(src[from:from+count]))
		} else {
			for i, x := range src[from : from+count] {
				dst[i] = D(x)
			}
		}
		b.addRows(nil, count)
	} else {
		dst := b.out[b.n : b.n+len(levels)]
		src = src[from:]
		j := 0
		for i, l := range levels {
			if l != 0 {
				dst[i] = D(src[j])
				j++
			} else {
				dst[i] = 0
			}
		}
		b.addRows(levels, len(levels))
	}
	b.rescale(start)
	return nil
}

func (b *fixedBuilder[S, D]) appendDict(dict encoding.Values, idx []int32, levels []byte) error {
	data, _ := dict.Data()
	dv := castSlice[S](data)
	if !indexesValid(idx, len(dv)) {
		return errBadIndex
	}
	start := b.n
	if levels == nil {
		dst := b.out[b.n : b.n+len(idx)]
		for i, x := range idx {
			dst[i] = D(dv[x])
		}
		b.addRows(nil, len(idx))
	} else {
		dst := b.out[b.n : b.n+len(levels)]
		j := 0
		for i, l := range levels {
			if l != 0 {
				dst[i] = D(dv[idx[j]])
				j++
			} else {
				dst[i] = 0
			}
		}
		b.addRows(levels, len(levels))
	}
	b.rescale(start)
	return nil
}

func (b *fixedBuilder[S, D]) rescale(start int) {
	if b.scale == 1 {
		return
	}
	for i := start; i < b.n; i++ {
		b.out[i] /= b.scale
	}
}

func (b *fixedBuilder[S, D]) finish() arrow.Array {
	data := b.data
	b.data, b.out = nil, nil
	return makeArray(b.typ, b.n, &b.validity, data)
}

func (b *fixedBuilder[S, D]) release() {
	b.releaseValidity()
	if b.data != nil {
		b.data.Release()
		b.data, b.out = nil, nil
	}
}

// indexesValid reports whether every index is in [0, n).
func indexesValid(idx []int32, n int) bool {
	var bad uint32
	for _, x := range idx {
		if uint32(x) >= uint32(n) {
			bad = 1
		}
	}
	return bad == 0
}

// funcBuilder produces float64 or int64 values through a per-value
// conversion: INT96 timestamps and byte-array decimals, where the
// conversion costs more than the call.
type funcBuilder[D number] struct {
	fixedBuilder[D, D]
	width int              // bytes per source value (0: BYTE_ARRAY)
	conv  func(b []byte) D // converts one source value
}

func (b *funcBuilder[D]) count(v encoding.Values) int {
	data, offs := v.Data()
	if b.width == 0 {
		return max(len(offs)-1, 0)
	}
	return len(data) / b.width
}

// item returns source value i.
func (b *funcBuilder[D]) item(data []byte, offs []uint32, i int) ([]byte, error) {
	if b.width > 0 {
		return data[i*b.width : (i+1)*b.width], nil
	}
	s, e := offs[i], offs[i+1]
	if s > e || int(e) > len(data) {
		return nil, errors.New("byte array offsets out of range")
	}
	return data[s:e], nil
}

func (b *funcBuilder[D]) appendValues(v encoding.Values, from, count int, levels []byte) error {
	data, offs := v.Data()
	if levels == nil {
		for i := range count {
			x, err := b.item(data, offs, from+i)
			if err != nil {
				return err
			}
			b.out[b.n+i] = b.conv(x)
		}
		b.addRows(nil, count)
		return nil
	}
	j := from
	for i, l := range levels {
		b.out[b.n+i] = 0
		if l != 0 {
			x, err := b.item(data, offs, j)
			if err != nil {
				return err
			}
			b.out[b.n+i] = b.conv(x)
			j++
		}
	}
	b.addRows(levels, len(levels))
	return nil
}

func (b *funcBuilder[D]) appendDict(dict encoding.Values, idx []int32, levels []byte) error {
	data, offs := dict.Data()
	if !indexesValid(idx, b.count(dict)) {
		return errBadIndex
	}
	j := 0
	rows := len(idx)
	if levels != nil {
		rows = len(levels)
	}
	for i := range rows {
		b.out[b.n+i] = 0
		if levels == nil || levels[i] != 0 {
			x, err := b.item(data, offs, int(idx[j]))
			if err != nil {
				return err
			}
			b.out[b.n+i] = b.conv(x)
			j++
		}
	}
	b.addRows(levels, rows)
	return nil
}

// int96Nanos converts an INT96 timestamp (nanoseconds of the day, then the
// Julian day) to nanoseconds since the Unix epoch.
func int96Nanos(b []byte) int64 {
	nanos := int64(binary.LittleEndian.Uint64(b))
	day := int64(binary.LittleEndian.Uint32(b[8:]))
	return (day-2440588)*86400e9 + nanos
}

// newBuilder returns the builder for a column.
func newBuilder(c *columnDesc) builder {
	switch c.kind {
	case kBool:
		return &boolBuilder{}
	case kInt32:
		return newFixed[int32, int32](c.typ)
	case kInt64:
		return newFixed[int64, int64](c.typ)
	case kInt8:
		return newFixed[int32, int8](c.typ)
	case kInt16:
		return newFixed[int32, int16](c.typ)
	case kUint8:
		return newFixed[int32, uint8](c.typ)
	case kUint16:
		return newFixed[int32, uint16](c.typ)
	case kFloat32:
		return newFixed[float32, float32](c.typ)
	case kFloat64:
		return newFixed[float64, float64](c.typ)
	case kDecimal32:
		b := newFixed[int32, float64](c.typ)
		b.scale = pow10(c.scale)
		return b
	case kDecimal64:
		b := newFixed[int64, float64](c.typ)
		b.scale = pow10(c.scale)
		return b
	case kDecimalBytes:
		scale := c.scale
		fb := &funcBuilder[float64]{width: c.width, conv: func(b []byte) float64 {
			if len(b) == 0 {
				return 0
			}
			return decimalBytes(b, scale)
		}}
		fb.typ, fb.scale = c.typ, 1
		return fb
	case kInt96:
		fb := &funcBuilder[int64]{width: 12, conv: int96Nanos}
		fb.typ, fb.scale = c.typ, 1
		return fb
	case kBytes:
		return &bytesBuilder{typ: c.typ}
	case kFixedBytes:
		return &bytesBuilder{typ: c.typ, width: c.width}
	}
	panic(fmt.Sprintf("internal error: no builder for decode kind %d", c.kind))
}
