package exec

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestLiveBytesCountsRowsNotSharedBuffers(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	bld := array.NewRecordBuilder(mem, schema)
	defer bld.Release()
	for i := 0; i < 1000; i++ {
		bld.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%10 == 0 {
			bld.Field(1).(*array.StringBuilder).AppendNull()
		} else {
			bld.Field(1).(*array.StringBuilder).Append("abc")
		}
		bld.Field(2).(*array.BooleanBuilder).Append(i%2 == 0)
	}
	rec := bld.NewRecord()
	defer rec.Release()
	slice := rec.NewSlice(100, 110) // rows 100..109: one NULL string (row 100)
	defer slice.Release()
	// int64: 10×8; string: validity 2 + offsets 11×4 + 9×3 bytes; bool: 2.
	require.EqualValues(t, 80+2+44+27+2, RecordBytes(slice))
	// Selecting rows 1 and 2 of the slice: 2×8 + (1 + 3×4 + 2×3) + 1.
	require.EqualValues(t, 16+1+12+6+1, LiveBytes(Batch{Rec: slice, Sel: []int32{1, 2}}))
	require.Zero(t, LiveBytes(Batch{Rec: slice, Sel: []int32{}}))
}
