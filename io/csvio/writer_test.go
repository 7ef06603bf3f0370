package csvio

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
)

// allTypesSchema holds every type CSV reads back.
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
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: expr.TimestampType, Nullable: true},
	{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
	{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
}, nil)

// allTypesRecord builds rows of extreme and ordinary values; row 3 is all
// NULL.
func allTypesRecord(mem memory.Allocator) arrow.Record {
	b := array.NewRecordBuilder(mem, allTypesSchema)
	defer b.Release()
	b.Field(0).(*array.Int8Builder).AppendValues([]int8{math.MinInt8, math.MaxInt8, 0, 0, -1}, []bool{true, true, true, false, true})
	b.Field(1).(*array.Int16Builder).AppendValues([]int16{math.MinInt16, math.MaxInt16, 0, 0, 7}, []bool{true, true, true, false, true})
	b.Field(2).(*array.Int32Builder).AppendValues([]int32{math.MinInt32, math.MaxInt32, 0, 0, 7}, []bool{true, true, true, false, true})
	b.Field(3).(*array.Int64Builder).AppendValues([]int64{math.MinInt64, math.MaxInt64, 0, 0, 7}, []bool{true, true, true, false, true})
	b.Field(4).(*array.Uint8Builder).AppendValues([]uint8{0, math.MaxUint8, 1, 0, 7}, []bool{true, true, true, false, true})
	b.Field(5).(*array.Uint16Builder).AppendValues([]uint16{0, math.MaxUint16, 1, 0, 7}, []bool{true, true, true, false, true})
	b.Field(6).(*array.Uint32Builder).AppendValues([]uint32{0, math.MaxUint32, 1, 0, 7}, []bool{true, true, true, false, true})
	b.Field(7).(*array.Uint64Builder).AppendValues([]uint64{0, math.MaxUint64, 1, 0, 7}, []bool{true, true, true, false, true})
	b.Field(8).(*array.Float32Builder).AppendValues([]float32{-math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Inf(1)), 0, 0.1}, []bool{true, true, true, false, true})
	b.Field(9).(*array.Float64Builder).AppendValues([]float64{-math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), 0, 3}, []bool{true, true, true, false, true})
	b.Field(10).(*array.BooleanBuilder).AppendValues([]bool{true, false, true, false, false}, []bool{true, true, true, false, true})
	b.Field(11).(*array.StringBuilder).AppendValues([]string{"", `a,"b"`, "line\nbreak\r\n", "", "日本語"}, []bool{true, true, true, false, true})
	b.Field(12).(*array.Date32Builder).AppendValues([]arrow.Date32{-719162, 2932896, 0, 0, 18262}, []bool{true, true, true, false, true})
	b.Field(13).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{-62135596800000000, 253402300799999999, -1, 0, 1577934245123000}, []bool{true, true, true, false, true})
	b.Field(14).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{math.MinInt64 + 1e9, math.MaxInt64 - 1e9, 1, 0, -1}, []bool{true, true, true, false, true})
	b.Field(15).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{-62135596800, 253402300799, -86401, 0, 0}, []bool{true, true, true, false, true})
	return b.NewRecord()
}

func TestWriteReadRoundTripAllTypes(t *testing.T) {
	mem := checkedMem(t)
	rec := allTypesRecord(mem)
	defer rec.Release()
	empty := rec.NewSlice(0, 0)
	defer empty.Release()
	path := filepath.Join(t.TempDir(), "out", "all.csv")
	ctx := context.Background()
	require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(rec, empty, rec), DefaultWriteOptions()))

	opts := DefaultReadOptions()
	opts.Schema = allTypesSchema
	ds, err := Open(ctx, []string{path}, opts)
	require.NoError(t, err)
	got, err := scanRows(ctx, ds, source.ScanRequest{BatchSize: 4}, mem)
	require.NoError(t, err)
	want := append(renderRows(rec), renderRows(rec)...)
	require.Equal(t, want, got)

	// Inference reads back the widest type of each kind.
	ds, err = Open(ctx, []string{path}, DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, []string{
		"i8:int64", "i16:int64", "i32:int64", "i64:int64", "u8:int64", "u16:int64", "u32:int64",
		"u64:float64", "f32:float64", "f64:float64", "b:bool", "s:utf8", "d:date32",
		"ts:timestamp[us, tz=UTC]", "ts_ns:timestamp[us, tz=UTC]", "ts_s:timestamp[us, tz=UTC]",
	}, typeNames(ds.Schema()))
}

func TestWriteText(t *testing.T) {
	mem := checkedMem(t)
	dict := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer dict.Release()
	require.NoError(t, dict.AppendString("red"))
	dict.AppendNull()
	require.NoError(t, dict.AppendString("x;y"))
	da := dict.NewArray()
	defer da.Release()
	decb := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 12, Scale: 2})
	defer decb.Release()
	decb.AppendValues([]decimal128.Num{decimal128.FromI64(-12345), decimal128.FromI64(5), decimal128.FromI64(0)}, []bool{true, true, false})
	deca := decb.NewArray()
	defer deca.Release()
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	fb.AppendValues([]float64{3, -0.5, 1e21}, nil)
	fa := fb.NewArray()
	defer fa.Release()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "col;1", Type: da.DataType()}, {Name: "dec", Type: deca.DataType()}, {Name: "f", Type: fa.DataType()},
	}, nil)
	rec := array.NewRecord(schema, []arrow.Array{da, deca, fa}, 3)
	defer rec.Release()

	path := filepath.Join(t.TempDir(), "t.csv")
	opts := DefaultWriteOptions()
	opts.Delimiter = ';'
	opts.NullString = "NA"
	require.NoError(t, Write(context.Background(), path, schema, recordsOf(rec), opts))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "\"col;1\";dec;f\nred;-123.45;3.0\nNA;0.05;-0.5\n\"x;y\";NA;1e+21\n", string(data))
}

func TestWriteModes(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	mk := func(vals ...int64) arrow.Record {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(vals, nil)
		arr := b.NewArray()
		defer arr.Release()
		return array.NewRecord(schema, []arrow.Array{arr}, int64(len(vals)))
	}
	r1, r2 := mk(1, 2), mk(3)
	defer r1.Release()
	defer r2.Release()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.csv")
	read := func() string {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(b)
	}
	opts := DefaultWriteOptions()
	require.NoError(t, Write(ctx, path, schema, recordsOf(r1), opts))
	require.Equal(t, "a\n1\n2\n", read())

	err := Write(ctx, path, schema, recordsOf(r2), opts)
	require.ErrorIs(t, err, ErrPathExists)
	require.Equal(t, "a\n1\n2\n", read())

	opts.Mode = Ignore
	called := false
	require.NoError(t, Write(ctx, path, schema, func(context.Context) (arrow.Record, error) {
		called = true
		return nil, io.EOF
	}, opts))
	require.False(t, called)
	require.Equal(t, "a\n1\n2\n", read())

	opts.Mode = Append
	require.NoError(t, Write(ctx, path, schema, recordsOf(r2), opts))
	require.Equal(t, "a\n1\n2\n3\n", read())

	// Appending to a file without a final line break, and with another header.
	require.NoError(t, os.WriteFile(path, []byte("a\n9"), 0o644))
	require.NoError(t, Write(ctx, path, schema, recordsOf(r2), opts))
	require.Equal(t, "a\n9\n3\n", read())
	other := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	err = Write(ctx, path, other, recordsOf(), opts)
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.Equal(t, "a\n9\n3\n", read())

	opts.Mode = Overwrite
	require.NoError(t, Write(ctx, path, schema, recordsOf(r2), opts))
	require.Equal(t, "a\n3\n", read())

	opts.Mode = Append // to a missing file: like a new file
	require.NoError(t, os.Remove(path))
	require.NoError(t, Write(ctx, path, schema, recordsOf(r2), opts))
	require.Equal(t, "a\n3\n", read())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary files are left")
}

func TestWriteFailuresLeaveNoFile(t *testing.T) {
	mem := checkedMem(t)
	rec := allTypesRecord(mem)
	defer rec.Release()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.csv")
	boom := errors.New("boom")

	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := Write(ctx, path, allTypesSchema, func(ctx context.Context) (arrow.Record, error) {
		n++
		if n == 3 {
			cancel() // cancelled while producing input
		}
		rec.Retain()
		return rec, nil
	}, DefaultWriteOptions())
	require.ErrorIs(t, err, context.Canceled)

	err = Write(context.Background(), path, allTypesSchema, func(context.Context) (arrow.Record, error) {
		return nil, boom
	}, DefaultWriteOptions())
	require.ErrorIs(t, err, boom)

	other := arrow.NewSchema(allTypesSchema.Fields()[:3], nil)
	err = Write(context.Background(), path, other, recordsOf(rec), DefaultWriteOptions())
	require.ErrorIs(t, err, ErrSchemaMismatch)

	bin := arrow.NewSchema([]arrow.Field{{Name: "b", Type: arrow.BinaryTypes.Binary}}, nil)
	err = Write(context.Background(), path, bin, recordsOf(), DefaultWriteOptions())
	require.ErrorIs(t, err, ErrUnsupportedType)

	opts := DefaultWriteOptions()
	opts.NullString = "a,b"
	err = Write(context.Background(), path, allTypesSchema, recordsOf(), opts)
	require.ErrorIs(t, err, ErrInvalidOption)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)

	// A failed overwrite keeps the old file.
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
	opts = DefaultWriteOptions()
	opts.Mode = Overwrite
	err = Write(context.Background(), path, allTypesSchema, func(context.Context) (arrow.Record, error) {
		return nil, boom
	}, opts)
	require.ErrorIs(t, err, boom)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "old\n", string(data))
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
