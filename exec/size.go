package exec

import (
	"github.com/apache/arrow/go/v17/arrow"
)

// LiveBytes is the memory the live rows of b occupy once compacted: values,
// offsets and string bytes of the live rows, and a validity bitmap where a
// column has NULLs. A batch may be a zero-copy slice of much larger
// buffers (memtable scans hand those out); it is counted by its rows, not
// by the buffers it shares. Memory reservations use it.
func LiveBytes(b Batch) int64 {
	var total int64
	for _, col := range b.Rec.Columns() {
		total += ArrayBytes(col, b.Sel)
	}
	return total
}

// RecordBytes is LiveBytes of a record without a selection vector.
func RecordBytes(rec arrow.Record) int64 { return LiveBytes(Batch{Rec: rec}) }

// ArrayBytes is the compacted size of the rows sel of a (all rows when sel
// is nil). Types without a known layout count every buffer they reference.
func ArrayBytes(a arrow.Array, sel []int32) int64 {
	n := int64(a.Len())
	if sel != nil {
		n = int64(len(sel))
	}
	if n == 0 {
		return 0
	}
	var size int64
	if a.NullN() > 0 {
		size = (n + 7) / 8
	}
	d := a.Data()
	switch dt := a.DataType().(type) {
	case *arrow.NullType:
		return 0
	case *arrow.BooleanType:
		return size + (n+7)/8
	case *arrow.StringType, *arrow.BinaryType:
		return size + (n+1)*4 + varBytes(arrow.GetOffsets[int32](d, 1), a.Len(), sel)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return size + (n+1)*8 + varBytes(arrow.GetOffsets[int64](d, 1), a.Len(), sel)
	case arrow.FixedWidthDataType:
		return size + n*int64(dt.BitWidth())/8
	}
	return size + dataBytes(d)
}

// varBytes sums the value lengths of the rows sel (all n rows when nil) of
// a string or binary column.
func varBytes[O int32 | int64](offs []O, n int, sel []int32) int64 {
	if sel == nil {
		return int64(offs[n] - offs[0])
	}
	var total int64
	for _, r := range sel {
		total += int64(offs[r+1] - offs[r])
	}
	return total
}

// dataBytes sums the buffer lengths of d and its children.
func dataBytes(d arrow.ArrayData) int64 {
	var total int64
	for _, b := range d.Buffers() {
		if b != nil {
			total += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		total += dataBytes(c)
	}
	return total
}
