package parquetio

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/brotli"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/lz4"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// writeRaw writes a file with parquet-go directly, for types Write does not
// produce. cols[c][r] is the value of column c in row r (nil: NULL).
func writeRaw(t *testing.T, path string, fields []namedField, cols [][]parquet.Value, opts ...parquet.WriterOption) {
	t.Helper()
	g := make(orderedGroup, len(fields))
	for i := range fields {
		g[i] = fields[i]
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, append([]parquet.WriterOption{parquet.NewSchema("raw", g)}, opts...)...)
	for c, vals := range cols {
		_, err := w.ColumnWriters()[c].WriteRowValues(vals)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// int96 encodes a time as an INT96 timestamp.
func int96(ts time.Time) deprecated.Int96 {
	days := ts.Unix() / 86400
	if ts.Unix()%86400 < 0 {
		days-- // floor, so the nanoseconds of the day are not negative
	}
	day := days + 2440588
	nanos := ts.UnixNano() - days*86400e9
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:], uint64(nanos))
	binary.LittleEndian.PutUint32(b[8:], uint32(day))
	return deprecated.Int96{binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])}
}

func bigEndian(v int64, n int) []byte {
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = byte(v)
		v >>= 8
	}
	return out
}

func TestOtherWritersTypes(t *testing.T) {
	mem := newMem(t)
	path := filepath.Join(t.TempDir(), "types.parquet")
	t0 := time.Date(2021, 6, 1, 12, 30, 45, 123456789, time.UTC)
	t1 := time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)
	req := func(n parquet.Node) parquet.Node { return parquet.Required(n) }
	opt := func(n parquet.Node) parquet.Node { return parquet.Optional(n) }
	fields := []namedField{
		{req(parquet.Leaf(parquet.Int96Type)), "ts96"},
		{opt(parquet.Decimal(2, 9, parquet.Int32Type)), "dec32"},
		{opt(parquet.Decimal(3, 18, parquet.Int64Type)), "dec64"},
		{opt(parquet.Decimal(4, 38, parquet.FixedLenByteArrayType(16))), "dec128"},
		{opt(parquet.Decimal(2, 30, parquet.ByteArrayType)), "decvar"},
		{req(parquet.Uint(16)), "u16"},
		{opt(parquet.Leaf(parquet.FixedLenByteArrayType(3))), "fixed"},
		{req(parquet.Encoded(parquet.Int(64), &parquet.RLEDictionary)), "dict64"},
		{opt(parquet.Encoded(parquet.Leaf(parquet.DoubleType), &parquet.RLEDictionary)), "dictf"},
		{opt(parquet.Encoded(parquet.Leaf(parquet.FixedLenByteArrayType(2)), &parquet.RLEDictionary)), "dictfixed"},
	}
	null := parquet.Value{}
	lv := func(v parquet.Value, c int, optional bool) parquet.Value {
		if optional {
			return v.Level(0, 1, c)
		}
		return v.Level(0, 0, c)
	}
	cols := [][]parquet.Value{
		{lv(parquet.Int96Value(int96(t0)), 0, false), lv(parquet.Int96Value(int96(t1)), 0, false)},
		{lv(parquet.Int32Value(-12345), 1, true), null.Level(0, 0, 1)},
		{null.Level(0, 0, 2), lv(parquet.Int64Value(987654321012), 2, true)},
		{lv(parquet.FixedLenByteArrayValue(bigEndian(-123456789, 16)), 3, true), lv(parquet.FixedLenByteArrayValue(bigEndian(5, 16)), 3, true)},
		{lv(parquet.ByteArrayValue(bigEndian(-1, 1)), 4, true), lv(parquet.ByteArrayValue(bigEndian(314159, 9)), 4, true)},
		{lv(parquet.Int32Value(65535), 5, false), lv(parquet.Int32Value(7), 5, false)},
		{lv(parquet.FixedLenByteArrayValue([]byte("abc")), 6, true), null.Level(0, 0, 6)},
		{lv(parquet.Int64Value(-9), 7, false), lv(parquet.Int64Value(-9), 7, false)},
		{null.Level(0, 0, 8), lv(parquet.DoubleValue(2.5), 8, true)},
		{lv(parquet.FixedLenByteArrayValue([]byte("zz")), 9, true), lv(parquet.FixedLenByteArrayValue([]byte("zz")), 9, true)},
	}
	writeRaw(t, path, fields, cols)

	d := openDS(t, ReadOptions{}, path)
	var types []string
	for _, f := range d.Schema().Fields() {
		types = append(types, f.Type.String())
	}
	require.Equal(t, []string{"timestamp[ns, tz=UTC]", "float64", "float64", "float64", "float64", "uint16",
		"binary", "int64", "float64", "binary"}, types)
	res := scan(t, mem, d, source.ScanRequest{})
	require.Equal(t, [][]any{
		{arrow.Timestamp(t0.UnixNano()), -123.45, nil, -12345.6789, -0.01, uint16(65535), []byte("abc"), int64(-9), nil, []byte("zz")},
		{arrow.Timestamp(t1.UnixNano()), nil, 987654321.012, 0.0005, 3141.59, uint16(7), nil, int64(-9), 2.5, []byte("zz")},
	}, res.rows)
	st := d.Stats()
	require.Equal(t, -123.45, st.Columns[1].Min)
	require.Equal(t, int64(1), st.Columns[1].NullCount)
	require.Equal(t, uint16(65535), st.Columns[5].Max)
}

func TestColumnOrderMayDiffer(t *testing.T) {
	mem := newMem(t)
	dir := t.TempDir()
	ab := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}, {Name: "w", Type: arrow.PrimitiveTypes.Float64}}, nil)
	ba := arrow.NewSchema([]arrow.Field{{Name: "w", Type: arrow.PrimitiveTypes.Float64}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	_, err := Write(context.Background(), filepath.Join(dir, "1"), ab, recordsOf(floatRecord(mem, ab, 0, 2)), WriteOptions{})
	require.NoError(t, err)
	// Same columns, other order: w first.
	b := floatRecordSwapped(mem, ba, 10)
	_, err = Write(context.Background(), filepath.Join(dir, "2"), ba, recordsOf(b), WriteOptions{})
	require.NoError(t, err)
	d := openDS(t, ReadOptions{}, dir)
	require.Equal(t, "v", d.Schema().Field(0).Name)
	res := scan(t, mem, d, source.ScanRequest{})
	require.Equal(t, [][]any{{int64(0), 0.5}, {int64(1), 1.5}, {int64(10), 10.5}}, res.rows)
}

func TestCodecs(t *testing.T) {
	const n = 100_000
	vals := make([]parquet.Value, n)
	want := make([]any, n)
	for i := range vals {
		f := float64(i*7919%100_003) / 7
		vals[i] = parquet.DoubleValue(f).Level(0, 0, 0)
		want[i] = f
	}
	fields := []namedField{{parquet.Required(parquet.Leaf(parquet.DoubleType)), "x"}}
	for _, tc := range []struct {
		name  string
		codec compress.Codec
		err   error
	}{
		{"gzip", &gzip.Codec{}, nil},
		{"lz4_raw", &lz4.Codec{}, ErrUnsupportedType}, // see prescan.go
		{"zstd", &zstd.Codec{}, nil},
		{"brotli", &brotli.Codec{}, ErrUnsupportedType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			path := filepath.Join(t.TempDir(), tc.name+".parquet")
			writeRaw(t, path, fields, [][]parquet.Value{vals}, parquet.Compression(tc.codec))
			d := openDS(t, ReadOptions{}, path)
			res, err := tryScan(mem, d, source.ScanRequest{}, true)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Contains(t, err.Error(), path)
				return
			}
			require.NoError(t, err)
			require.Len(t, res.rows, n)
			for i, r := range res.rows {
				if r[0] != want[i] {
					t.Fatalf("row %d: got %v, want %v", i, r[0], want[i])
				}
			}
		})
	}
}
