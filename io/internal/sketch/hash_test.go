package sketch

import (
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

// distinctOf hashes arr[start:end] and counts the distinct hashes.
func distinctOf(t *testing.T, arr arrow.Array, start, end int) (values int, distinct int64) {
	t.Helper()
	hs, ok := AppendHashes(nil, arr, start, end)
	require.True(t, ok, "%s", arr.DataType())
	require.True(t, Supported(arr.DataType()))
	d := NewDistinct()
	d.Add(hs)
	return len(hs), d.Count()
}

func TestAppendHashesTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Every type holds the values a, b, a, NULL, c (three distinct, four
	// non-NULL), built from the ints 1, 2, 1, -, 3.
	types := []arrow.DataType{
		arrow.FixedWidthTypes.Boolean, // true, false, true, NULL, true: two distinct
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
		arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
		arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Time64us,
		arrow.FixedWidthTypes.Timestamp_us, arrow.FixedWidthTypes.Duration_ms,
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString,
		arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
		&arrow.FixedSizeBinaryType{ByteWidth: 2},
	}
	for _, typ := range types {
		t.Run(typ.String(), func(t *testing.T) {
			b := array.NewBuilder(mem, typ)
			defer b.Release()
			for _, v := range []int{1, 2, 1, 0, 3} {
				if v == 0 {
					b.AppendNull()
					continue
				}
				appendInt(t, b, v)
			}
			arr := b.NewArray()
			defer arr.Release()
			values, distinct := distinctOf(t, arr, 0, arr.Len())
			require.Equal(t, 4, values)
			want := int64(3)
			if typ.ID() == arrow.BOOL {
				want = 2
			}
			require.Equal(t, want, distinct)
			// A range: rows 1..3 hold 2, 1, NULL.
			values, distinct = distinctOf(t, arr, 1, 4)
			require.Equal(t, 2, values)
			require.Equal(t, int64(2), distinct)
		})
	}
}

// appendInt appends a value of the builder's type made from v.
func appendInt(t *testing.T, b array.Builder, v int) {
	s := string([]byte{'a' + byte(v), 'x'})
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v != 2)
	case *array.Int8Builder:
		b.Append(int8(v))
	case *array.Int16Builder:
		b.Append(int16(v))
	case *array.Int32Builder:
		b.Append(int32(v))
	case *array.Int64Builder:
		b.Append(int64(v))
	case *array.Uint8Builder:
		b.Append(uint8(v))
	case *array.Uint16Builder:
		b.Append(uint16(v))
	case *array.Uint32Builder:
		b.Append(uint32(v))
	case *array.Uint64Builder:
		b.Append(uint64(v))
	case *array.Float32Builder:
		b.Append(float32(v))
	case *array.Float64Builder:
		b.Append(float64(v))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v))
	case *array.Date64Builder:
		b.Append(arrow.Date64(v))
	case *array.Time32Builder:
		b.Append(arrow.Time32(v))
	case *array.Time64Builder:
		b.Append(arrow.Time64(v))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v))
	case *array.StringBuilder:
		b.Append(s)
	case *array.LargeStringBuilder:
		b.Append(s)
	case *array.BinaryBuilder:
		b.Append([]byte(s))
	case *array.FixedSizeBinaryBuilder:
		b.Append([]byte(s))
	default:
		t.Fatalf("no test values for %s", b.Type())
	}
}

func TestAppendHashesFloatEquality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	// Grouping equality: NaN payloads are one value, -0 equals +0.
	b.AppendValues([]float64{0, math.Copysign(0, -1), math.NaN(), math.Float64frombits(0x7ff8000000000bad), 1.5}, nil)
	arr := b.NewArray()
	defer arr.Release()
	_, distinct := distinctOf(t, arr, 0, arr.Len())
	require.Equal(t, int64(3), distinct)
}

func TestAppendHashesUnsupported(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	typ := arrow.ListOf(arrow.PrimitiveTypes.Int64)
	require.False(t, Supported(typ))
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	b.AppendNull()
	arr := b.NewArray()
	defer arr.Release()
	dst := []uint64{7}
	out, ok := AppendHashes(dst, arr, 0, 1)
	require.False(t, ok)
	require.Equal(t, []uint64{7}, out)
}
