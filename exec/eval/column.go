package eval

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"

	"github.com/grainql/grain/expr"
)

// colNode reads an input column without copying it. Only boolean columns
// (unpacked to one byte per row), large strings (offsets narrowed to
// int32) and validity bitmaps at an offset that is not a multiple of 8 are
// copied.
type colNode struct {
	base
	idx   int
	valid scratch
	offs  scratch
	out   vec
}

// eval returns a view of the column for the batch (the selection
// does not matter: every slot is read in place).
func (c *colNode) eval(ec *evalCtx, _ []int32) (*vec, error) {
	arr := ec.rec.Column(c.idx)
	if c.p == pNull || arr.NullN() == arr.Len() {
		return nullScalar, nil
	}
	d := arr.Data()
	off, n := d.Offset(), ec.n
	bufs := d.Buffers()
	v := &c.out
	*v = vec{}
	// Validity is shared with the column when it starts on a byte
	// boundary; otherwise it is shifted into scratch once.
	if arr.NullN() > 0 {
		bm := bufs[0].Bytes()
		if off%8 == 0 {
			v.valid = bm[off/8:]
		} else {
			dst := c.valid.bytes(bitmapBytes(n))
			bitutil.CopyBitmap(bm, off, n, dst, 0)
			v.valid = dst
		}
	}
	switch {
	case c.p == pBool:
		v.raw = unpackBits(c.vals.bytes(n + 8)[:n], bufs[1].Bytes(), off)
	case c.p.fixed():
		w := c.p.width()
		v.raw = bufs[1].Bytes()[off*w : (off+n)*w]
	case c.t.ID() == arrow.LARGE_STRING:
		// Rebase the int64 offsets to int32 relative to the first one;
		// one batch never needs more than 2 GiB of string bytes.
		o64 := typed[int64](bufs[1].Bytes())[off : off+n+1]
		if o64[n]-o64[0] > math.MaxInt32 {
			return nil, c.fail(fmt.Errorf("%w: large string batch of %d bytes exceeds 2 GiB", expr.ErrOverflow, o64[n]-o64[0]))
		}
		o32 := c.offs.int32s(n + 1)
		for i, o := range o64 {
			o32[i] = int32(o - o64[0])
		}
		v.offs = o32
		v.data = bufData(bufs[2])[o64[0]:o64[n]]
	default:
		v.offs = typed[int32](bufs[1].Bytes())[off : off+n+1]
		v.data = bufData(bufs[2])
	}
	return v, nil
}

// bufData returns the bytes of a possibly nil data buffer.
func bufData(b interface{ Bytes() []byte }) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

// unpackTable maps a bitmap byte to eight 0/1 bytes (little endian).
var unpackTable = func() (t [256]uint64) {
	for b := range t {
		for j := 0; j < 8; j++ {
			t[b] |= uint64(b>>j&1) << (8 * j)
		}
	}
	return t
}()

// unpackBits expands len(dst) bits of bm starting at bit off into bytes.
func unpackBits(dst, bm []byte, off int) []byte {
	n := len(dst)
	i := 0
	if off%8 == 0 {
		src := bm[off/8:]
		for ; i+8 <= n; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], unpackTable[src[i/8]])
		}
	}
	for ; i < n; i++ {
		dst[i] = getBit(bm, off+i)
	}
	return dst
}

// litNode is a constant; its value is a scalar vec built at compile time.
type litNode struct {
	base
	v *vec
}

// eval returns the constant.
func (l *litNode) eval(*evalCtx, []int32) (*vec, error) { return l.v, nil }

// scalarOf builds the scalar vec of a literal value of type t.
func scalarOf(v any, t arrow.DataType) (*vec, error) {
	if v == nil {
		return nullScalar, nil
	}
	out := &vec{scalar: true}
	var ok bool
	switch x := v.(type) {
	case bool:
		ok = t.ID() == arrow.BOOL
		out.raw = []byte{b2u8(x)}
	case int8:
		ok, out.raw = t.ID() == arrow.INT8, scalarBytes(x)
	case int16:
		ok, out.raw = t.ID() == arrow.INT16, scalarBytes(x)
	case int32:
		ok, out.raw = t.ID() == arrow.INT32, scalarBytes(x)
	case int64:
		ok, out.raw = t.ID() == arrow.INT64, scalarBytes(x)
	case uint8:
		ok, out.raw = t.ID() == arrow.UINT8, scalarBytes(x)
	case uint16:
		ok, out.raw = t.ID() == arrow.UINT16, scalarBytes(x)
	case uint32:
		ok, out.raw = t.ID() == arrow.UINT32, scalarBytes(x)
	case uint64:
		ok, out.raw = t.ID() == arrow.UINT64, scalarBytes(x)
	case float32:
		ok, out.raw = t.ID() == arrow.FLOAT32, scalarBytes(x)
	case float64:
		ok, out.raw = t.ID() == arrow.FLOAT64, scalarBytes(x)
	case arrow.Date32:
		ok, out.raw = t.ID() == arrow.DATE32, scalarBytes(int32(x))
	case arrow.Timestamp:
		ok, out.raw = t.ID() == arrow.TIMESTAMP, scalarBytes(int64(x))
	case string:
		ok = expr.IsString(t)
		out.offs, out.data = []int32{0, int32(len(x))}, []byte(x)
	case []byte:
		ok = t.ID() == arrow.BINARY
		out.offs, out.data = []int32{0, int32(len(x))}, x
	}
	if !ok {
		return nil, fmt.Errorf("%w: literal %v of Go type %T does not match type %s", expr.ErrType, v, v, t)
	}
	return out, nil
}

// scalarBytes stores one value in an aligned buffer.
func scalarBytes[T any](x T) []byte {
	var s scratch
	b := s.bytes(8)
	typed[T](b)[0] = x
	return b
}
