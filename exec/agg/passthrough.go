package agg

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/expr"
)

// passthrough turns raw input batches into partial-state batches with one
// state row per input row, the output of a Partial aggregation that has
// stopped aggregating (see SkipPartial). Every row is its own group:
//
//	sum      → the value, widened to the state type (NULL stays NULL)
//	count(x) → 1, or 0 for NULL;  count(*) → 1
//	avg      → (the value as float64 or NULL, 1 or 0)
//	min, max → the value
//
// The output keeps the input's physical rows and selection vector, so the
// key columns and every state that equals its argument (min, max, sum of
// int64, uint64 or float64, avg's sum of float64) are the input arrays
// themselves, zero-copy. The other states are built by dense loops over the
// batch, one buffer per column and none per row.
type passthrough struct {
	mem     memory.Allocator
	schema  *arrow.Schema
	groupBy []int
	convs   []stateConv
	ones    *memory.Buffer // int64 ones shared by the count columns of every batch
	onesN   int            // values in ones
	cols    []arrow.Array
}

// stateConv builds the state columns of one aggregate.
type stateConv struct {
	input int    // argument column; -1 for count(*)
	value castFn // the value state (sum, min, max, avg's sum); nil for count
	count bool   // a count state follows the value (count, avg)
}

// castFn converts an argument column into a state column of another type
// (or the same: then it returns arr with a new reference).
type castFn func(mem memory.Allocator, arr arrow.Array) arrow.Array

// newPassthrough builds the converters of a Partial spec over input in;
// schema is the Partial output schema.
func newPassthrough(spec Spec, in, schema *arrow.Schema, mem memory.Allocator) (*passthrough, error) {
	p := &passthrough{mem: mem, schema: schema, groupBy: spec.GroupBy}
	col := len(spec.GroupBy)
	for _, a := range spec.Aggs {
		c := stateConv{input: a.Input}
		switch a.Func {
		case expr.AggCount:
			c.count = true
		default:
			cast, err := castTo(in.Field(a.Input).Type, schema.Field(col).Type)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", consumer, a.Name, err)
			}
			c.value, c.count = cast, a.Func == expr.AggAvg
		}
		p.convs = append(p.convs, c)
		col += StateWidth(a.Func)
	}
	return p, nil
}

// convert returns the partial-state batch of b (which keeps its own
// reference). b has at least one live row.
func (p *passthrough) convert(b exec.Batch) exec.Batch {
	n := b.NumRows()
	cols := p.cols[:0]
	for _, g := range p.groupBy {
		c := b.Column(g)
		c.Retain()
		cols = append(cols, c)
	}
	for _, c := range p.convs {
		var arr arrow.Array
		if c.input >= 0 {
			arr = b.Column(c.input)
		}
		if c.value != nil {
			cols = append(cols, c.value(p.mem, arr))
		}
		if c.count {
			cols = append(cols, p.counts(arr, n))
		}
	}
	rec := array.NewRecord(p.schema, cols, int64(n))
	for i, c := range cols {
		c.Release()
		cols[i] = nil
	}
	p.cols = cols
	return exec.Batch{Rec: rec, Sel: b.Sel}
}

// counts returns the count state of n rows of arr: 1 where arr is not
// NULL, 0 where it is; all ones for count(*) (arr nil).
func (p *passthrough) counts(arr arrow.Array, n int) arrow.Array {
	if arr == nil || arr.NullN() == 0 {
		return p.onesArray(n)
	}
	buf := newBuffer(p.mem, n*8)
	if arr.NullN() == n { // all NULL, or the NULL type (which has no bitmap)
		return makeArray(arrow.PrimitiveTypes.Int64, n, 0, nil, buf)
	}
	out := viewAs[int64](buf.Bytes())[:n]
	bits, off := arr.NullBitmapBytes(), arr.Data().Offset()
	for i := range out {
		r := off + i
		out[i] = int64(bits[r>>3] >> (r & 7) & 1)
	}
	return makeArray(arrow.PrimitiveTypes.Int64, n, 0, nil, buf)
}

// onesArray returns an int64 array of n ones over the shared ones buffer,
// growing it first when it is too short. Arrays keep their own reference
// to the buffer, which is never written once shared.
func (p *passthrough) onesArray(n int) arrow.Array {
	if p.onesN < n {
		p.release()
		p.ones = newBuffer(p.mem, n*8)
		ones := viewAs[int64](p.ones.Bytes())[:n]
		for i := range ones {
			ones[i] = 1
		}
		p.onesN = n
	}
	data := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{nil, p.ones}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// release drops the shared ones buffer.
func (p *passthrough) release() {
	if p.ones != nil {
		p.ones.Release()
		p.ones, p.onesN = nil, 0
	}
}

// castTo returns the conversion of src values into a dst state column:
// the identity when the types are equal, all-NULL for a NULL-typed
// argument, else a widening to int64, uint64 or float64.
func castTo(src, dst arrow.DataType) (castFn, error) {
	switch {
	case arrow.TypeEqual(src, dst):
		return func(_ memory.Allocator, arr arrow.Array) arrow.Array {
			arr.Retain()
			return arr
		}, nil
	case src.ID() == arrow.NULL:
		return allNull(dst), nil
	}
	var f castFn
	switch dst.ID() {
	case arrow.INT64:
		f = widenTo[int64](src, dst)
	case arrow.UINT64:
		f = widenTo[uint64](src, dst)
	case arrow.FLOAT64:
		f = widenTo[float64](src, dst)
	}
	if f == nil {
		return nil, fmt.Errorf("internal error: no pass-through state from %s to %s", src, dst)
	}
	return f, nil
}

// widenTo returns the widening of numeric src values to A (the Go type of
// dst), or nil for a non-numeric src.
func widenTo[A int64 | uint64 | float64](src, dst arrow.DataType) castFn {
	switch src.ID() {
	case arrow.INT8:
		return widen[int8, A](dst)
	case arrow.INT16:
		return widen[int16, A](dst)
	case arrow.INT32:
		return widen[int32, A](dst)
	case arrow.INT64:
		return widen[int64, A](dst)
	case arrow.UINT8:
		return widen[uint8, A](dst)
	case arrow.UINT16:
		return widen[uint16, A](dst)
	case arrow.UINT32:
		return widen[uint32, A](dst)
	case arrow.UINT64:
		return widen[uint64, A](dst)
	case arrow.FLOAT32:
		return widen[float32, A](dst)
	case arrow.FLOAT64:
		return widen[float64, A](dst)
	}
	return nil
}

// widen converts every value of a T column to A (lossless for the
// conversions castTo asks for: integers to 64 bits of the same sign, any
// number to float64 as AVG sums it), keeping the validity.
func widen[T number, A int64 | uint64 | float64](dst arrow.DataType) castFn {
	return func(mem memory.Allocator, arr arrow.Array) arrow.Array {
		n := arr.Len()
		buf := newBuffer(mem, n*int(sizeOf(A(0))))
		out := viewAs[A](buf.Bytes())[:n]
		vals := fixedValues[T](arr)[:n]
		for i, v := range vals {
			out[i] = A(v)
		}
		valid, nulls := validityOf(mem, arr)
		return makeArray(dst, n, nulls, valid, buf)
	}
}

// allNull returns a conversion to an all-NULL column of the fixed-width
// type dst, for arguments of the NULL type.
func allNull(dst arrow.DataType) castFn {
	width := dst.(arrow.FixedWidthDataType).BitWidth() / 8
	return func(mem memory.Allocator, arr arrow.Array) arrow.Array {
		n := arr.Len()
		valid := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		return makeArray(dst, n, n, valid, newBuffer(mem, n*width))
	}
}

// validityOf returns a validity bitmap for arr's rows starting at bit 0
// (sharing arr's own when its offset is 0), or nil when arr has no NULLs.
func validityOf(mem memory.Allocator, arr arrow.Array) (*memory.Buffer, int) {
	nulls := arr.NullN()
	if nulls == 0 {
		return nil, 0
	}
	d := arr.Data()
	if d.Offset() == 0 {
		b := d.Buffers()[0]
		b.Retain()
		return b, nulls
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(d.Len()))))
	bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), d.Len(), buf.Bytes(), 0)
	return buf, nulls
}
