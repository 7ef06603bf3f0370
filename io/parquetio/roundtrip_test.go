package parquetio

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// allTypesSchema covers every type Write supports.
var allTypesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_us", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "t_ms", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
	{Name: "t_us", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
	{Name: "t_ns", Type: arrow.FixedWidthTypes.Time64ns, Nullable: true},
	{Name: "grp", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// allTypesRecord builds n rows starting at row off; every nullable column
// has NULLs, strings include the empty string and non-ASCII text.
func allTypesRecord(mem memory.Allocator, off, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, allTypesSchema)
	defer b.Release()
	for k := range n {
		i := off + k
		null := func(c int) bool { return (i+c)%7 == 0 }
		for c, f := range allTypesSchema.Fields() {
			fb := b.Field(c)
			if f.Nullable && null(c) {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int8Builder:
				fb.Append(int8(i%256 - 128))
			case *array.Int16Builder:
				fb.Append(int16(i*37 - 30000))
			case *array.Int32Builder:
				fb.Append(int32(i*7919 - 1<<30))
			case *array.Int64Builder:
				fb.Append(int64(i)*1_000_000_007 - 1<<62)
			case *array.Uint8Builder:
				fb.Append(uint8(i))
			case *array.Uint16Builder:
				fb.Append(uint16(i * 131))
			case *array.Uint32Builder:
				fb.Append(uint32(i) * 2654435761)
			case *array.Uint64Builder:
				fb.Append(uint64(i) * 0x9E3779B97F4A7C15)
			case *array.Float32Builder:
				fb.Append(float32(i) / 8)
			case *array.Float64Builder:
				fb.Append(float64(i)*1.5 - 1e6)
			case *array.BooleanBuilder:
				fb.Append(i%3 == 0)
			case *array.StringBuilder:
				if f.Name == "grp" {
					fb.Append([]string{"a", "b", "c"}[i%3])
				} else {
					fb.Append([]string{"", "x", "grüße", "日本語"}[i%4] + strings.Repeat("z", i%5))
				}
			case *array.BinaryBuilder:
				fb.Append([]byte{byte(i), 0, byte(i >> 8)})
			case *array.Date32Builder:
				fb.Append(arrow.Date32(i - 500))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(int64(i)*86_400_123 - 1e9))
			case *array.Time32Builder:
				fb.Append(arrow.Time32(i % 86_400_000))
			case *array.Time64Builder:
				fb.Append(arrow.Time64(int64(i) * 1_000_003))
			default:
				panic("test: missing builder")
			}
		}
	}
	return b.NewRecord()
}

// recordsOf returns a next function over records built by mk.
func recordsOf(recs ...arrow.Record) func(context.Context) (arrow.Record, error) {
	i := 0
	return func(context.Context) (arrow.Record, error) {
		if i >= len(recs) {
			return nil, io.EOF
		}
		i++
		return recs[i-1], nil
	}
}

// sortRows orders rows by their text, for comparing scans whose row order
// is not defined.
func sortRows(rows [][]any) {
	sort.Slice(rows, func(i, j int) bool { return rowKey(rows[i]) < rowKey(rows[j]) })
}

func rowKey(r []any) string {
	var sb strings.Builder
	for _, v := range r {
		fmt.Fprintf(&sb, "%T:%v|", v, v)
	}
	return sb.String()
}

func TestRoundTripAllTypes(t *testing.T) {
	for _, part := range []bool{false, true} {
		name := "flat"
		if part {
			name = "partitioned"
		}
		t.Run(name, func(t *testing.T) {
			mem := newMem(t)
			dir := filepath.Join(t.TempDir(), "out")
			r1, r2 := allTypesRecord(mem, 0, 1000), allTypesRecord(mem, 1000, 777)
			if raceEnabled {
				r1.Release()
				r1 = allTypesRecord(mem, 0, 200)
			}
			var want [][]any
			want = append(want, recordRows(r1)...)
			want = append(want, recordRows(r2)...)
			opts := WriteOptions{RowGroupRows: 300}
			if part {
				opts.PartitionBy = []string{"grp"}
			}
			res, err := Write(context.Background(), dir, allTypesSchema, recordsOf(r1, r2), opts)
			require.NoError(t, err)
			require.Equal(t, int64(len(want)), res.Rows)
			if part {
				require.Len(t, res.Files, 4) // a, b, c, NULL
			} else {
				require.Len(t, res.Files, 1)
			}
			ropts := ReadOptions{PartitionTypes: map[string]arrow.DataType{"grp": arrow.BinaryTypes.String}}
			d := openDS(t, ropts, dir)
			cols := make([]int, allTypesSchema.NumFields())
			for i, f := range allTypesSchema.Fields() {
				cols[i] = d.Schema().FieldIndices(f.Name)[0]
				require.True(t, arrow.TypeEqual(f.Type, d.Schema().Field(cols[i]).Type), "%s: %s", f.Name, d.Schema().Field(cols[i]).Type)
			}
			got := scan(t, mem, d, source.ScanRequest{Columns: cols, BatchSize: 256})
			if part {
				sortRows(got.rows)
				sortRows(want)
			}
			require.Equal(t, len(want), len(got.rows))
			for i := range want {
				require.Equal(t, want[i], got.rows[i], "row %d", i)
			}
			if !part {
				require.Equal(t, (len(want)+299)/300, len(d.files[0].rgs)) // groups of 300 rows
			}
		})
	}
}

func TestWriteStatistics(t *testing.T) {
	mem := newMem(t)
	dir := t.TempDir()
	rec := allTypesRecord(mem, 0, 100)
	_, err := Write(context.Background(), filepath.Join(dir, "o"), allTypesSchema, recordsOf(rec), WriteOptions{})
	require.NoError(t, err)
	d := openDS(t, ReadOptions{}, filepath.Join(dir, "o"))
	st := d.Stats()
	i64 := st.Columns[3]
	require.Equal(t, int64(0), i64.NullCount)
	require.Equal(t, int64(-1<<62), i64.Min)
	require.Equal(t, int64(99)*1_000_000_007-1<<62, i64.Max)
	s := st.Columns[11]
	require.Equal(t, int64(14), s.NullCount) // rows where (i+11)%7 == 0
	require.Equal(t, "", s.Min)
	u64 := st.Columns[7]
	require.NotNil(t, u64.Max)
	var maxU uint64
	for i := range 100 {
		if (i+7)%7 != 0 {
			maxU = max(maxU, uint64(i)*0x9E3779B97F4A7C15)
		}
	}
	require.Equal(t, maxU, u64.Max) // unsigned order, not signed
}

func TestEmptyWriteKeepsSchema(t *testing.T) {
	mem := newMem(t)
	dir := filepath.Join(t.TempDir(), "o")
	res, err := Write(context.Background(), dir, allTypesSchema, recordsOf(), WriteOptions{})
	require.NoError(t, err)
	require.Len(t, res.Files, 1)
	d := openDS(t, ReadOptions{}, dir)
	require.Equal(t, allTypesSchema.NumFields(), d.Schema().NumFields())
	require.Empty(t, scan(t, mem, d, source.ScanRequest{}).rows)
}
