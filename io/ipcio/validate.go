package ipcio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// arrow's IPC reader trusts buffer sizes and offsets found in the file, so
// a corrupt file can yield arrays that panic later, far from the read
// (a string offset past its data, a dictionary index past the dictionary).
// validate checks every array of a record before it leaves the reader; it
// knows the layouts checkType admits, and Open refuses the others.

// checkType reports an error for types whose layout validate does not know.
func checkType(dt arrow.DataType) error {
	switch dt := dt.(type) {
	case *arrow.DictionaryType: // before FixedWidthDataType, which it also is
		return checkType(dt.ValueType)
	case *arrow.NullType, *arrow.BooleanType, *arrow.StringType, *arrow.LargeStringType,
		*arrow.BinaryType, *arrow.LargeBinaryType:
		return nil
	case arrow.FixedWidthDataType:
		if _, ok := dt.(arrow.ExtensionType); ok {
			break
		}
		return nil
	case *arrow.ListType:
		return checkType(dt.Elem())
	case *arrow.LargeListType:
		return checkType(dt.Elem())
	case *arrow.FixedSizeListType:
		return checkType(dt.Elem())
	case *arrow.MapType:
		return checkType(dt.Elem())
	case *arrow.StructType:
		for _, f := range dt.Fields() {
			if err := checkType(f.Type); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%w: %s", ErrUnsupportedType, dt)
}

// validate checks that an array's buffers hold its length, that offsets
// are monotonic and in range, and that dictionary indexes are in range.
func validate(d arrow.ArrayData) error {
	n, off := int64(d.Len()), int64(d.Offset())
	if n < 0 || off < 0 {
		return fmt.Errorf("negative length or offset")
	}
	bufs := d.Buffers()
	if _, isNull := d.DataType().(*arrow.NullType); isNull {
		return nil
	}
	if len(bufs) > 0 && bufs[0] != nil && int64(bufs[0].Len()) < bitutil.BytesForBits(off+n) {
		return fmt.Errorf("validity bitmap too short")
	}
	switch dt := d.DataType().(type) {
	case *arrow.BooleanType:
		return needBytes(bufs, 1, bitutil.BytesForBits(off+n))
	case *arrow.StringType, *arrow.BinaryType:
		return checkOffsets[int32](bufs, off, n, func(last int64) error { return dataLen(bufs, 2, last) })
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return checkOffsets[int64](bufs, off, n, func(last int64) error { return dataLen(bufs, 2, last) })
	case *arrow.ListType, *arrow.MapType:
		return checkList[int32](d, bufs, off, n)
	case *arrow.LargeListType:
		return checkList[int64](d, bufs, off, n)
	case *arrow.FixedSizeListType:
		return checkChildren(d, (off+n)*int64(dt.Len()))
	case *arrow.StructType:
		return checkChildren(d, off+n)
	case *arrow.DictionaryType:
		return checkDictionary(d, dt, off, n)
	case arrow.FixedWidthDataType:
		return needBytes(bufs, 1, (off+n)*int64(dt.BitWidth())/8)
	}
	return fmt.Errorf("cannot validate %s", d.DataType())
}

// needBytes checks that buffer i holds at least size bytes.
func needBytes(bufs []*memory.Buffer, i int, size int64) error {
	if size == 0 {
		return nil
	}
	if len(bufs) <= i || bufs[i] == nil || int64(bufs[i].Len()) < size {
		return fmt.Errorf("buffer %d shorter than %d bytes", i, size)
	}
	return nil
}

// dataLen checks that buffer i holds at least size bytes.
func dataLen(bufs []*memory.Buffer, i int, size int64) error { return needBytes(bufs, i, size) }

// checkOffsets checks the offsets buffer (buffer 1) of n values from off:
// present, non-decreasing, starting at 0 or more; then end(last offset).
func checkOffsets[T int32 | int64](bufs []*memory.Buffer, off, n int64, end func(last int64) error) error {
	if n == 0 {
		return nil
	}
	var zero [1]T
	width := int64(len(arrow.GetBytes(zero[:])))
	if err := needBytes(bufs, 1, (off+n+1)*width); err != nil {
		return err
	}
	offs := arrow.GetData[T](bufs[1].Bytes()[:(off+n+1)*width])[off:]
	if offs[0] < 0 {
		return fmt.Errorf("negative offset")
	}
	for i := 1; i < len(offs); i++ {
		if offs[i] < offs[i-1] {
			return fmt.Errorf("decreasing offsets")
		}
	}
	return end(int64(offs[len(offs)-1]))
}

// checkList checks a list's offsets against its child, then the child.
func checkList[T int32 | int64](d arrow.ArrayData, bufs []*memory.Buffer, off, n int64) error {
	children := d.Children()
	if len(children) != 1 {
		return fmt.Errorf("list without its child")
	}
	return checkOffsets[T](bufs, off, n, func(last int64) error {
		if last > int64(children[0].Len()) {
			return fmt.Errorf("list offsets past the child's length")
		}
		return validate(children[0])
	})
}

// checkChildren checks that every child holds at least rows values.
func checkChildren(d arrow.ArrayData, rows int64) error {
	want := len(d.DataType().(arrow.NestedType).Fields())
	if len(d.Children()) != want {
		return fmt.Errorf("%d children, want %d", len(d.Children()), want)
	}
	for _, c := range d.Children() {
		if int64(c.Len()) < rows {
			return fmt.Errorf("child shorter than its parent")
		}
		if err := validate(c); err != nil {
			return err
		}
	}
	return nil
}

// checkDictionary checks the indexes and the dictionary.
func checkDictionary(d arrow.ArrayData, dt *arrow.DictionaryType, off, n int64) error {
	bufs := d.Buffers()
	if err := needBytes(bufs, 1, (off+n)*int64(dt.IndexType.(arrow.FixedWidthDataType).BitWidth())/8); err != nil {
		return err
	}
	dict := d.Dictionary()
	if dict == nil {
		return fmt.Errorf("dictionary missing")
	}
	if err := validate(dict); err != nil {
		return err
	}
	size := int64(dict.Len())
	var valid []byte
	if bufs[0] != nil {
		valid = bufs[0].Bytes()
	}
	raw := bufs[1].Bytes()
	for i := off; i < off+n; i++ {
		if valid != nil && !bitutil.BitIsSet(valid, int(i)) {
			continue
		}
		if k := indexAt(dt.IndexType.ID(), raw, i); k < 0 || k >= size {
			return fmt.Errorf("dictionary index %d out of range [0, %d)", k, size)
		}
	}
	return nil
}

// indexAt reads dictionary index i of an integer index buffer.
func indexAt(id arrow.Type, raw []byte, i int64) int64 {
	switch id {
	case arrow.INT8:
		return int64(int8(raw[i]))
	case arrow.UINT8:
		return int64(raw[i])
	case arrow.INT16:
		return int64(arrow.GetData[int16](raw)[i])
	case arrow.UINT16:
		return int64(arrow.GetData[uint16](raw)[i])
	case arrow.INT32:
		return int64(arrow.GetData[int32](raw)[i])
	case arrow.UINT32:
		return int64(arrow.GetData[uint32](raw)[i])
	case arrow.INT64:
		return arrow.GetData[int64](raw)[i]
	case arrow.UINT64:
		v := arrow.GetData[uint64](raw)[i]
		if v > 1<<62 {
			return -1
		}
		return int64(v)
	}
	return -1
}
