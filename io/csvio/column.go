package csvio

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// column accumulates one output column of a batch in Arrow buffers taken
// from the reader's allocator. Rows are written by index, so a malformed
// row is dropped by simply writing the next row at the same index.
type column interface {
	// reset allocates fresh buffers for capRows rows.
	reset(capRows int)
	// grow raises the capacity to capRows rows, keeping the rows written.
	grow(capRows int)
	// set parses f into row i; false means f does not parse.
	set(i int, f []byte) bool
	// setNull makes row i NULL.
	setNull(i int)
	// finish hands the first n rows over to a new array.
	finish(n int) arrow.Array
	// dataBytes is the size of the variable-length data written so far.
	dataBytes() int
	// release frees the buffers of an unfinished batch.
	release()
}

// newColumn returns a column that parses values of type dt.
func newColumn(mem memory.Allocator, dt arrow.DataType) (column, error) {
	switch dt := dt.(type) {
	case *arrow.Int8Type:
		return newFixed(mem, dt, signedParser[int8](math.MinInt8, math.MaxInt8)), nil
	case *arrow.Int16Type:
		return newFixed(mem, dt, signedParser[int16](math.MinInt16, math.MaxInt16)), nil
	case *arrow.Int32Type:
		return newFixed(mem, dt, signedParser[int32](math.MinInt32, math.MaxInt32)), nil
	case *arrow.Int64Type:
		return newFixed(mem, dt, parseInt), nil
	case *arrow.Uint8Type:
		return newFixed(mem, dt, unsignedParser[uint8](math.MaxUint8)), nil
	case *arrow.Uint16Type:
		return newFixed(mem, dt, unsignedParser[uint16](math.MaxUint16)), nil
	case *arrow.Uint32Type:
		return newFixed(mem, dt, unsignedParser[uint32](math.MaxUint32)), nil
	case *arrow.Uint64Type:
		return newFixed(mem, dt, parseUint), nil
	case *arrow.Float32Type:
		return newFixed(mem, dt, func(b []byte) (float32, bool) {
			f, ok := parseFloat(b, 32)
			return float32(f), ok
		}), nil
	case *arrow.Float64Type:
		return newFixed(mem, dt, func(b []byte) (float64, bool) { return parseFloat(b, 64) }), nil
	case *arrow.Date32Type:
		return newFixed(mem, dt, parseDate), nil
	case *arrow.TimestampType:
		unit := dt.Unit
		return newFixed(mem, dt, func(b []byte) (arrow.Timestamp, bool) { return parseTimestamp(b, unit) }), nil
	case *arrow.BooleanType:
		return &boolColumn{mem: mem}, nil
	case *arrow.StringType:
		return &stringColumn{mem: mem}, nil
	}
	return nil, fmt.Errorf("%w: csv cannot read %s", ErrUnsupportedType, dt)
}

// validity is the null bitmap shared by all column kinds.
type validity struct {
	buf *memory.Buffer
}

func (v *validity) reset(mem memory.Allocator, capRows int) {
	v.buf = memory.NewResizableBuffer(mem)
	v.buf.Resize(int(bitutil.BytesForBits(int64(capRows))))
}

func (v *validity) grow(capRows int) { v.buf.Resize(int(bitutil.BytesForBits(int64(capRows)))) }

func (v *validity) set(i int)   { bitutil.SetBit(v.buf.Bytes(), i) }
func (v *validity) clear(i int) { bitutil.ClearBit(v.buf.Bytes(), i) }

// take returns the bitmap for n rows and its null count; the bitmap is nil
// (and freed) when there are no nulls.
func (v *validity) take(n int) (*memory.Buffer, int) {
	b := v.buf
	v.buf = nil
	nulls := n - bitutil.CountSetBits(b.Bytes(), 0, n)
	if nulls == 0 {
		b.Release()
		return nil, 0
	}
	b.ResizeNoShrink(int(bitutil.BytesForBits(int64(n))))
	return b, nulls
}

func (v *validity) release() {
	if v.buf != nil {
		v.buf.Release()
		v.buf = nil
	}
}

// newArray builds an array over bufs and drops the column's references.
func newArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	defer data.Release()
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	return array.MakeFromData(data)
}

// fixedColumn holds fixed-width values of Go type T.
type fixedColumn[T arrow.FixedWidthType] struct {
	mem   memory.Allocator
	dt    arrow.DataType
	parse func([]byte) (T, bool)
	width int // bytes per value
	valid validity
	buf   *memory.Buffer
	vals  []T
}

func newFixed[T arrow.FixedWidthType](mem memory.Allocator, dt arrow.DataType, parse func([]byte) (T, bool)) *fixedColumn[T] {
	var zero [1]T
	return &fixedColumn[T]{mem: mem, dt: dt, parse: parse, width: len(arrow.GetBytes(zero[:]))}
}

func (c *fixedColumn[T]) reset(capRows int) {
	c.valid.reset(c.mem, capRows)
	c.buf = memory.NewResizableBuffer(c.mem)
	c.grow(capRows)
}

func (c *fixedColumn[T]) grow(capRows int) {
	c.valid.grow(capRows)
	c.buf.Resize(capRows * c.width)
	c.vals = arrow.GetData[T](c.buf.Bytes())
}

func (c *fixedColumn[T]) set(i int, f []byte) bool {
	v, ok := c.parse(f)
	if !ok {
		return false
	}
	c.vals[i] = v
	c.valid.set(i)
	return true
}

func (c *fixedColumn[T]) setNull(i int) {
	var zero T
	c.vals[i] = zero
	c.valid.clear(i)
}

func (c *fixedColumn[T]) finish(n int) arrow.Array {
	valid, nulls := c.valid.take(n)
	buf := c.buf
	c.buf, c.vals = nil, nil
	buf.ResizeNoShrink(n * c.width)
	return newArray(c.dt, n, nulls, valid, buf)
}

func (c *fixedColumn[T]) dataBytes() int { return 0 }

func (c *fixedColumn[T]) release() {
	c.valid.release()
	if c.buf != nil {
		c.buf.Release()
		c.buf, c.vals = nil, nil
	}
}

// boolColumn holds bit-packed booleans.
type boolColumn struct {
	mem   memory.Allocator
	valid validity
	vals  validity // same bitmap layout as validity
}

func (c *boolColumn) reset(capRows int) {
	c.valid.reset(c.mem, capRows)
	c.vals.reset(c.mem, capRows)
}

func (c *boolColumn) grow(capRows int) {
	c.valid.grow(capRows)
	c.vals.grow(capRows)
}

func (c *boolColumn) set(i int, f []byte) bool {
	v, ok := parseBool(f)
	if !ok {
		return false
	}
	if v {
		c.vals.set(i)
	} else {
		c.vals.clear(i)
	}
	c.valid.set(i)
	return true
}

func (c *boolColumn) setNull(i int) {
	c.vals.clear(i)
	c.valid.clear(i)
}

func (c *boolColumn) finish(n int) arrow.Array {
	valid, nulls := c.valid.take(n)
	vals := c.vals.buf
	c.vals.buf = nil
	vals.ResizeNoShrink(int(bitutil.BytesForBits(int64(n))))
	return newArray(arrow.FixedWidthTypes.Boolean, n, nulls, valid, vals)
}

func (c *boolColumn) dataBytes() int { return 0 }

func (c *boolColumn) release() {
	c.valid.release()
	c.vals.release()
}

// stringColumn holds utf8 values: int32 offsets and a data buffer.
type stringColumn struct {
	mem     memory.Allocator
	valid   validity
	offBuf  *memory.Buffer
	offsets []int32
	data    *memory.Buffer
	perRow  int // average bytes per row of the last batch, to presize data
}

func (c *stringColumn) reset(capRows int) {
	c.valid.reset(c.mem, capRows)
	c.offBuf = memory.NewResizableBuffer(c.mem)
	c.data = memory.NewResizableBuffer(c.mem)
	c.data.Reserve(capRows * max(8, c.perRow+c.perRow/8))
	c.grow(capRows)
	c.offsets[0] = 0
}

func (c *stringColumn) grow(capRows int) {
	c.valid.grow(capRows)
	c.offBuf.Resize((capRows + 1) * 4)
	c.offsets = arrow.GetData[int32](c.offBuf.Bytes())
}

// set stores f as is: CSV text is not checked for valid UTF-8, as other
// readers do not check it either.
func (c *stringColumn) set(i int, f []byte) bool {
	start := int(c.offsets[i])
	end := start + len(f)
	if end > c.data.Cap() {
		c.data.Reserve(max(end, 2*c.data.Cap()))
	}
	c.data.ResizeNoShrink(end)
	copy(c.data.Bytes()[start:], f)
	c.offsets[i+1] = int32(end)
	c.valid.set(i)
	return true
}

func (c *stringColumn) setNull(i int) {
	c.offsets[i+1] = c.offsets[i]
	c.valid.clear(i)
}

func (c *stringColumn) finish(n int) arrow.Array {
	valid, nulls := c.valid.take(n)
	offs, data := c.offBuf, c.data
	offs.ResizeNoShrink((n + 1) * 4)
	data.ResizeNoShrink(int(c.offsets[n]))
	c.perRow = int(c.offsets[n]) / n
	c.offBuf, c.offsets, c.data = nil, nil, nil
	return newArray(arrow.BinaryTypes.String, n, nulls, valid, offs, data)
}

func (c *stringColumn) dataBytes() int { return c.data.Len() }

func (c *stringColumn) release() {
	c.valid.release()
	if c.offBuf != nil {
		c.offBuf.Release()
		c.data.Release()
		c.offBuf, c.offsets, c.data = nil, nil, nil
	}
}
