package exec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
)

func randomArray(t *testing.T, mem memory.Allocator, dt arrow.DataType, n int, rng *rand.Rand) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for i := 0; i < n; i++ {
		if rng.IntN(5) == 0 {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(rng.Int64())
		case *array.Int8Builder:
			bb.Append(int8(rng.Int()))
		case *array.Uint16Builder:
			bb.Append(uint16(rng.Int()))
		case *array.Float32Builder:
			bb.Append(rng.Float32())
		case *array.BooleanBuilder:
			bb.Append(rng.IntN(2) == 0)
		case *array.StringBuilder:
			bb.Append(string(make([]byte, rng.IntN(6))) + "x")
		case *array.LargeStringBuilder:
			bb.Append("y" + string(rune('a'+rng.IntN(26))))
		case *array.BinaryBuilder:
			bb.Append([]byte{byte(rng.Int())})
		case *array.Date32Builder:
			bb.Append(arrow.Date32(rng.Int32()))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(rng.Int64()))
		default:
			t.Fatalf("no generator for %s", dt)
		}
	}
	return b.NewArray()
}

func TestTakeMatchesElementwise(t *testing.T) {
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Uint16,
		arrow.PrimitiveTypes.Float32, arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String,
		arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.FixedWidthTypes.Date32,
		arrow.FixedWidthTypes.Timestamp_us,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dt := range types {
		t.Run(dt.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			for _, n := range []int{0, 1, 7, 100} {
				full := randomArray(t, mem, dt, n+5, rng)
				src := array.NewSlice(full, 3, int64(3+n)) // non-zero offset
				full.Release()
				idx := make([]int32, rng.IntN(2*n+1))
				for i := range idx {
					if n == 0 || rng.IntN(6) == 0 {
						idx[i] = -1
					} else {
						idx[i] = int32(rng.IntN(n))
					}
				}
				out, err := Take(mem, src, idx)
				require.NoError(t, err)
				require.Equal(t, len(idx), out.Len())
				for i, j := range idx {
					if j < 0 || src.IsNull(int(j)) {
						require.True(t, out.IsNull(i), "row %d", i)
						continue
					}
					require.Equal(t, src.ValueStr(int(j)), out.ValueStr(i), "row %d", i)
				}
				out.Release()
				src.Release()
			}
		})
	}
}

func TestCompactKeepsLiveRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{10, 11, 12, 13}, nil)
	col := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecord(schema, []arrow.Array{col}, 4)
	col.Release()
	batch := Batch{Rec: rec, Sel: []int32{1, 3}}
	out, err := Compact(mem, batch)
	require.NoError(t, err)
	require.Equal(t, []int64{11, 13}, out.Column(0).(*array.Int64).Int64Values())
	out.Release()
	all, err := Compact(mem, Batch{Rec: rec})
	require.NoError(t, err)
	require.Same(t, rec, all)
	all.Release()
	batch.Release()
}

func TestTakeUnsupportedType(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	lb.AppendNull()
	arr := lb.NewArray()
	lb.Release()
	defer arr.Release()
	_, err := Take(mem, arr, []int32{0})
	require.ErrorContains(t, err, "unsupported type")
}
