package parquetio

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go/encoding"
)

// boolBuilder packs booleans into an Arrow bitmap.
type boolBuilder struct {
	validity
	data *memory.Buffer
}

func (b *boolBuilder) begin(mem memory.Allocator, n int) {
	b.beginValidity(mem, n)
	b.data = memory.NewResizableBuffer(mem)
	b.data.Resize(int(bitutil.BytesForBits(int64(n))))
	memory.Set(b.data.Bytes(), 0)
}

func (b *boolBuilder) count(v encoding.Values) int {
	data, _ := v.Data()
	return len(data) * 8
}

func (b *boolBuilder) appendValues(v encoding.Values, from, count int, levels []byte) error {
	src, _ := v.Data()
	out := b.data.Bytes()
	if levels == nil {
		bitutil.CopyBitmap(src, from, count, out, b.n)
		b.addRows(nil, count)
		return nil
	}
	j := from
	for i, l := range levels {
		if l != 0 {
			if bitutil.BitIsSet(src, j) {
				bitutil.SetBit(out, b.n+i)
			}
			j++
		}
	}
	b.addRows(levels, len(levels))
	return nil
}

func (b *boolBuilder) appendDict(dict encoding.Values, idx []int32, levels []byte) error {
	src, _ := dict.Data()
	if !indexesValid(idx, len(src)*8) {
		return errBadIndex
	}
	out := b.data.Bytes()
	j := 0
	rows := len(idx)
	if levels != nil {
		rows = len(levels)
	}
	for i := range rows {
		if levels == nil || levels[i] != 0 {
			if bitutil.BitIsSet(src, int(idx[j])) {
				bitutil.SetBit(out, b.n+i)
			}
			j++
		}
	}
	b.addRows(levels, rows)
	return nil
}

func (b *boolBuilder) finish() arrow.Array {
	data := b.data
	b.data = nil
	return makeArray(arrow.FixedWidthTypes.Boolean, b.n, &b.validity, data)
}

func (b *boolBuilder) release() {
	b.releaseValidity()
	if b.data != nil {
		b.data.Release()
		b.data = nil
	}
}

// bytesBuilder builds string or binary arrays from BYTE_ARRAY values
// (width 0) or FIXED_LEN_BYTE_ARRAY values of a given width.
type bytesBuilder struct {
	validity
	typ   arrow.DataType
	width int
	offs  *memory.Buffer
	out   []int32
	data  *memory.Buffer
	size  int // bytes used in data
	hint  int // data size of the previous batch, to size the next one
}

func (b *bytesBuilder) begin(mem memory.Allocator, n int) {
	b.beginValidity(mem, n)
	b.offs = memory.NewResizableBuffer(mem)
	b.offs.Resize((n + 1) * 4)
	b.out = castSlice[int32](b.offs.Bytes())
	b.out[0] = 0
	b.data = memory.NewResizableBuffer(mem)
	if b.hint > 0 {
		b.data.Reserve(b.hint)
	}
	b.size = 0
}

func (b *bytesBuilder) count(v encoding.Values) int {
	data, offs := v.Data()
	if b.width > 0 {
		return len(data) / b.width
	}
	return max(len(offs)-1, 0)
}

// grow makes room for k more bytes.
func (b *bytesBuilder) grow(k int) error {
	need := b.size + k
	if need > math.MaxInt32 {
		return fmt.Errorf("%w: more than 2 GiB of string data in one batch", ErrUnsupportedType)
	}
	if need > b.data.Cap() {
		b.data.Reserve(max(need, b.data.Cap()+b.data.Cap()/2, 4096))
	}
	return nil
}

// span returns the bytes of values [i, j) of a page.
func (b *bytesBuilder) span(data []byte, offs []uint32, i, j int) (s, e int, err error) {
	if b.width > 0 {
		return i * b.width, j * b.width, nil
	}
	s, e = int(offs[i]), int(offs[j])
	if s > e || e > len(data) {
		return 0, 0, errors.New("byte array offsets out of range")
	}
	return s, e, nil
}

func (b *bytesBuilder) appendValues(v encoding.Values, from, count int, levels []byte) error {
	data, offs := v.Data()
	s, e, err := b.span(data, offs, from, from+count)
	if err != nil {
		return err
	}
	if err := b.grow(e - s); err != nil {
		return err
	}
	copy(b.data.Buf()[b.size:], data[s:e])
	base := int32(b.size - s)
	rows := count
	if levels != nil {
		rows = len(levels)
	}
	out := b.out[b.n+1 : b.n+1+rows]
	j := from
	prev := int32(b.size)
	for i := range out {
		if levels == nil || levels[i] != 0 {
			j++
			var end int32
			if b.width > 0 {
				end = int32(j*b.width) + base
			} else {
				end = int32(offs[j]) + base
				if end < prev {
					return errors.New("byte array offsets decrease")
				}
			}
			prev = end
		}
		out[i] = prev
	}
	b.size += e - s
	b.addRows(levels, rows)
	return nil
}

func (b *bytesBuilder) appendDict(dict encoding.Values, idx []int32, levels []byte) error {
	data, offs := dict.Data()
	if !indexesValid(idx, b.count(dict)) {
		return errBadIndex
	}
	rows := len(idx)
	if levels != nil {
		rows = len(levels)
	}
	// Size the run first: one allocation, then plain copies.
	need := len(idx) * b.width
	if b.width == 0 {
		for _, k := range idx {
			s, e := offs[k], offs[k+1]
			if s > e || int(e) > len(data) {
				return errors.New("byte array offsets out of range")
			}
			need += int(e - s)
		}
	}
	if err := b.grow(need); err != nil {
		return err
	}
	dst := b.data.Buf()
	out := b.out[b.n+1 : b.n+1+rows]
	j := 0
	for i := range out {
		if levels == nil || levels[i] != 0 {
			k := int(idx[j])
			j++
			var s, e int
			if b.width > 0 {
				s, e = k*b.width, (k+1)*b.width
			} else {
				s, e = int(offs[k]), int(offs[k+1])
			}
			b.size += copy(dst[b.size:], data[s:e])
		}
		out[i] = int32(b.size)
	}
	b.addRows(levels, rows)
	return nil
}

func (b *bytesBuilder) finish() arrow.Array {
	b.hint = b.size + b.size/16
	b.data.Resize(b.size)
	offs, data := b.offs, b.data
	b.offs, b.data, b.out = nil, nil, nil
	return makeArray(b.typ, b.n, &b.validity, offs, data)
}

func (b *bytesBuilder) release() {
	b.releaseValidity()
	for _, x := range []*memory.Buffer{b.offs, b.data} {
		if x != nil {
			x.Release()
		}
	}
	b.offs, b.data, b.out = nil, nil, nil
}
