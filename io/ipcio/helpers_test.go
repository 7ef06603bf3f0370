package ipcio

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/internal/iotest"
)

var (
	scanRows   = iotest.ScanRows
	renderRows = iotest.RenderRows
	recordsOf  = iotest.RecordsOf
)

// checkedMem returns an allocator that fails the test if anything leaks.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

var (
	dictType   = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	structType = arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, arrow.Field{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true})
)

// allTypesSchema holds the types Grain works with plus nested ones.
var allTypesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: expr.TimestampType, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	{Name: "dict", Type: dictType, Nullable: true},
	{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	{Name: "st", Type: structType, Nullable: true},
}, &schemaMeta)

var schemaMeta = arrow.MetadataFrom(map[string]string{"origin": "grain-test"})

// allTypesRecord builds n rows; every fifth row is NULL in every column.
// seed shifts the values so that records differ.
func allTypesRecord(mem memory.Allocator, n, seed int) arrow.Record {
	b := array.NewRecordBuilder(mem, allTypesSchema)
	defer b.Release()
	for i := 0; i < n; i++ {
		if i%5 == 4 {
			for _, f := range b.Fields() {
				f.AppendNull()
			}
			continue
		}
		v := int64(i + seed)
		b.Field(0).(*array.Int8Builder).Append(int8(v))
		b.Field(1).(*array.Int16Builder).Append(int16(-v))
		b.Field(2).(*array.Int32Builder).Append(int32(v * 1000))
		b.Field(3).(*array.Int64Builder).Append(v << 40)
		b.Field(4).(*array.Uint8Builder).Append(uint8(v))
		b.Field(5).(*array.Uint16Builder).Append(uint16(v))
		b.Field(6).(*array.Uint32Builder).Append(uint32(v) * 7)
		b.Field(7).(*array.Uint64Builder).Append(uint64(v) << 60)
		b.Field(8).(*array.Float32Builder).Append(float32(v) / 3)
		b.Field(9).(*array.Float64Builder).Append(float64(v) / 7)
		b.Field(10).(*array.BooleanBuilder).Append(v%3 == 0)
		b.Field(11).(*array.StringBuilder).Append(string(rune('a'+v%26)) + "ü")
		b.Field(12).(*array.BinaryBuilder).Append([]byte{byte(v), 0, 255})
		b.Field(13).(*array.LargeStringBuilder).Append("large")
		b.Field(14).(*array.Date32Builder).Append(arrow.Date32(18000 + v))
		b.Field(15).(*array.TimestampBuilder).Append(arrow.Timestamp(v * 1_000_001))
		b.Field(16).(*array.Decimal128Builder).Append(decimal128.FromI64(v*100 + 5))
		if err := b.Field(17).(*array.BinaryDictionaryBuilder).AppendString([]string{"red", "green", "blue"}[v%3]); err != nil {
			panic(err)
		}
		lb := b.Field(18).(*array.ListBuilder)
		lb.Append(true)
		for k := int64(0); k < v%4; k++ {
			lb.ValueBuilder().(*array.Int32Builder).Append(int32(k))
		}
		sb := b.Field(19).(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Int64Builder).Append(v)
		sb.FieldBuilder(1).(*array.StringBuilder).Append("s")
	}
	return b.NewRecord()
}

// writeRecords writes recs to a new file in a test directory.
func writeRecords(t *testing.T, name string, opts WriteOptions, recs ...arrow.Record) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, Write(context.Background(), path, allTypesSchema, recordsOf(recs...), opts))
	return path
}
