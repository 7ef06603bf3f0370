package csvio

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

const duckdbSmall = "../../testdata/csv/duckdb_small.csv"

func TestReadDuckDBSmallInferred(t *testing.T) {
	ctx := context.Background()
	ds, err := Open(ctx, []string{duckdbSmall}, DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, []string{
		"id:int64", "i32:int64", "f64:float64", "s:utf8", "d:date32", "b:bool",
	}, typeNames(ds.Schema()))
	st := ds.Stats()
	require.Equal(t, int64(-1), st.Rows)
	fi, err := os.Stat(duckdbSmall)
	require.NoError(t, err)
	require.Equal(t, fi.Size(), st.Bytes)

	mem := checkedMem(t)
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 4096})
	require.NoError(t, err)
	require.Len(t, splits, 1)
	r, err := splits[0].Open(ctx, mem)
	require.NoError(t, err)
	defer r.Close()
	rec, err := r.Next(ctx)
	require.NoError(t, err)
	defer rec.Release()
	require.Equal(t, int64(2000), rec.NumRows())
	_, err = r.Next(ctx)
	require.ErrorIs(t, err, io.EOF)

	id := rec.Column(0).(*array.Int64)
	i32 := rec.Column(1).(*array.Int64)
	f64 := rec.Column(2).(*array.Float64)
	s := rec.Column(3).(*array.String)
	d := rec.Column(4).(*array.Date32)
	b := rec.Column(5).(*array.Boolean)

	// Row 0: every column but id is NULL.
	require.Equal(t, int64(0), id.Value(0))
	require.Equal(t, int64(-1000000000), i32.Value(0))
	for c := 2; c < 6; c++ {
		require.True(t, rec.Column(c).IsNull(0), "column %d row 0", c)
	}
	// Row 1: a quoted empty string is the empty string, not NULL.
	require.Equal(t, 92.99099999999999, f64.Value(1))
	require.True(t, s.IsValid(1))
	require.Equal(t, "", s.Value(1))
	require.Equal(t, "2020-01-02", d.Value(1).FormattedString())
	require.False(t, b.Value(1))
	// Row 2 and 3: non-ASCII text.
	require.Equal(t, "grüße 2", s.Value(2))
	require.Equal(t, "日本語 3", s.Value(3))
	require.True(t, b.Value(3))
	// Row 9: an empty unquoted field is NULL.
	require.True(t, s.IsNull(9))
	// Last row.
	require.Equal(t, int64(1999), id.Value(1999))
	require.Equal(t, "2025-06-22", d.Value(1999).FormattedString())

	// Column totals computed independently from the file.
	require.Equal(t, []int{0, 285, 154, 223, 200, 400}, nullCounts(rec))
	var sumI32, sumID int64
	empties, trues := 0, 0
	for i := 0; i < 2000; i++ {
		sumID += id.Value(i)
		if i32.IsValid(i) {
			sumI32 += i32.Value(i)
		}
		if s.IsValid(i) && s.Value(i) == "" {
			empties++
		}
		if b.IsValid(i) && b.Value(i) {
			trues++
		}
	}
	require.Equal(t, int64(1999000), sumID)
	require.Equal(t, int64(3598551186), sumI32)
	require.Equal(t, 223, empties)
	require.Equal(t, 533, trues)
}

func nullCounts(rec arrow.Record) []int {
	out := make([]int, rec.NumCols())
	for i, c := range rec.Columns() {
		out[i] = c.NullN()
	}
	return out
}

func TestReadDuckDBSmallExplicitSchema(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Uint16},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	opts := DefaultReadOptions()
	opts.Schema = schema
	ds, err := Open(context.Background(), []string{duckdbSmall}, opts)
	require.NoError(t, err)
	require.Same(t, schema, ds.Schema())
	rows, err := scanRows(context.Background(), ds, source.ScanRequest{BatchSize: 700}, checkedMem(t))
	require.NoError(t, err)
	require.Len(t, rows, 2000)
	require.Equal(t, "0|-1000000000|∅|∅|∅|∅", rows[0])
	require.Equal(t, "1|76358352|92.991||2020-01-02 00:00:00Z|false", rows[1]) // s is ""
	require.Equal(t, "1999|-572742272|51.35||2025-06-22 00:00:00Z|false", rows[1999])
}

func TestReadExplicitSchemaErrors(t *testing.T) {
	p := writeFile(t, "x.csv", "a,b\n1,2\n")
	opts := DefaultReadOptions()
	opts.Schema = arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.Binary}}, nil)
	_, err := Open(context.Background(), []string{p}, opts)
	require.ErrorIs(t, err, ErrUnsupportedType)

	// A header with a different field count than the schema.
	opts.Schema = arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)
	ds, err := Open(context.Background(), []string{p}, opts)
	require.NoError(t, err)
	_, err = scanRows(context.Background(), ds, source.ScanRequest{}, checkedMem(t))
	require.ErrorIs(t, err, ErrSchemaMismatch)
}

func TestReadInference(t *testing.T) {
	content := "i,f,b,d,ts,s,e,mixed_ts\n" +
		"1,1.5,true,2020-01-01,2020-01-01 10:00:00,x,,2020-01-01\n" +
		"-2,2,FALSE,1999-12-31,2020-01-01T10:00:00.123456,\"1\",,2020-01-01 00:00:01\n" +
		",,,,,,,\n"
	schema, rows, err := readString(t, content, DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, []string{
		"i:int64", "f:float64", "b:bool", "d:date32", "ts:timestamp[us, tz=UTC]",
		"s:utf8", "e:utf8", "mixed_ts:timestamp[us, tz=UTC]",
	}, typeNames(schema))
	require.Equal(t, []string{
		"1|1.5|true|2020-01-01|2020-01-01 10:00:00Z|x|∅|2020-01-01 00:00:00Z",
		"-2|2|false|1999-12-31|2020-01-01 10:00:00.123456Z|1|∅|2020-01-01 00:00:01Z",
		"∅|∅|∅|∅|∅|∅|∅|∅",
	}, rows)
}

func TestReadSampleRows(t *testing.T) {
	content := "a\n1\n2\nx\n"
	opts := DefaultReadOptions()
	opts.SampleRows = 2
	_, _, err := readString(t, content, opts)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, int64(4), pe.Line)
	require.Equal(t, "a", pe.Column)
	require.Contains(t, err.Error(), `data.csv:4: column "a": cannot parse "x" as int64`)

	opts.SampleRows = -1 // every row
	schema, rows, err := readString(t, content, opts)
	require.NoError(t, err)
	require.Equal(t, []string{"a:utf8"}, typeNames(schema))
	require.Equal(t, []string{"1", "2", "x"}, rows)
}

func TestReadDelimiterAndQuoteVariants(t *testing.T) {
	cases := []struct {
		name    string
		content string
		opts    func(*ReadOptions)
		want    []string
	}{
		{"tab", "a\tb\n1\tx,y\n", func(o *ReadOptions) { o.Delimiter = '\t' }, []string{"1|x,y"}},
		{"semicolon", "a;b\n1;\"p;q\"\n", func(o *ReadOptions) { o.Delimiter = ';' }, []string{"1|p;q"}},
		{"single quote", "a,b\n1,'x,''y'''\n", func(o *ReadOptions) { o.Quote = '\'' }, []string{"1|x,'y'"}},
		{"no quoting", "a,b\n1,\"x\"\n", func(o *ReadOptions) { o.Quote = NoQuote }, []string{`1|"x"`}},
		{"no header", "1,x\n2,y\n", func(o *ReadOptions) { o.Header = false }, []string{"1|x", "2|y"}},
		{"null values", "a,b\n1,NA\nNA,\n", func(o *ReadOptions) { o.NullValues = []string{"NA"} }, []string{"1|∅", "∅|"}},
		{"crlf", "a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n", nil, []string{"1|x", "2|y\r\nz"}},
		{"lone cr", "a,b\r1,x\r2,y", nil, []string{"1|x", "2|y"}},
		{"bom", "\xEF\xBB\xBFa,b\n1,x\n", nil, []string{"1|x"}},
		{"blank lines", "a,b\n\n1,x\n\n\n2,y\n", nil, []string{"1|x", "2|y"}},
		{"no final newline", "a,b\n1,x", nil, []string{"1|x"}},
		{"trailing empty field", "a,b\n1,\n", nil, []string{"1|∅"}},
		{"one column blank is null", "a\n1\n\n3\n", nil, []string{"1", "∅", "3"}},
		{"spaces around numbers", "a,b\n 1 , x \n", nil, []string{"1| x "}},
		{"embedded newline and quotes", "a,b\n1,\"line1\nline2 \"\"q\"\"\"\n2,\"\"\"\"\n", nil,
			[]string{"1|line1\nline2 \"q\"", "2|\""}},
		{"quote inside unquoted field is data", "a,b\n1,x\"y\n", nil, []string{"1|x\"y"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultReadOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			_, rows, err := readString(t, tc.content, opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, rows)
		})
	}
}

func TestReadHeaderNames(t *testing.T) {
	schema, _, err := readString(t, "a,,a,a\n1,2,3,4\n", DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, []string{"a:int64", "column_2:int64", "a_2:int64", "a_3:int64"}, typeNames(schema))
	opts := DefaultReadOptions()
	opts.Header = false
	schema, _, err = readString(t, "1,2\n", opts)
	require.NoError(t, err)
	require.Equal(t, []string{"column_1:int64", "column_2:int64"}, typeNames(schema))
}

func TestReadMalformed(t *testing.T) {
	cases := []struct {
		name, content string
		line          int64
		msg           string
	}{
		{"too few fields", "a,b\n1,2\n3\n4,5\n", 3, "row has 1 fields, want 2"},
		{"too many fields", "a,b\n1,2\n3,4,5\n", 3, "row has 3 fields, want 2"},
		{"bad int after a multi-line row", "a,b\n1,\"x\ny\"\n2,z\nq,w\n", 5, `column "a": cannot parse "q" as int64`},
		{"garbage after quote", "a,b\n1,\"x\"y\n", 2, `unexpected 'y' after closing quote`},
		{"unterminated quote", "a,b\n1,x\n2,\"abc\n", 3, "unterminated quoted field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := DefaultReadOptions()
			opts.SampleRows = 1
			_, rows, err := readString(t, tc.content, opts)
			require.ErrorIs(t, err, ErrMalformed)
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.line, pe.Line, "%v", err)
			require.True(t, strings.HasSuffix(pe.Path, "data.csv"))
			require.Contains(t, err.Error(), tc.msg)
			require.Contains(t, err.Error(), fmt.Sprintf("data.csv:%d:", tc.line))
			require.Less(t, len(rows), 3)
		})
	}
}

func TestReadSkipMalformed(t *testing.T) {
	content := "a,b\n1,x\n2\nq,y\n3,\"z\"w\n4,\"ok\"\n5,x,extra\n"
	opts := DefaultReadOptions()
	opts.SampleRows = 1
	opts.SkipMalformed = true
	p := writeFile(t, "data.csv", content)
	ds, err := Open(context.Background(), []string{p}, opts)
	require.NoError(t, err)
	mem := checkedMem(t)
	rows, err := scanRows(context.Background(), ds, source.ScanRequest{BatchSize: 2}, mem)
	require.NoError(t, err)
	require.Equal(t, []string{"1|x", "4|ok"}, rows)
	require.Equal(t, int64(4), ds.SkippedRows())
	// The count accumulates over scans.
	_, err = scanRows(context.Background(), ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Equal(t, int64(8), ds.SkippedRows())
}

func TestReadProjection(t *testing.T) {
	content := "a,b,c\n1,x,2020-01-01\n2,y,bad-date\n"
	opts := DefaultReadOptions()
	opts.SampleRows = 1
	p := writeFile(t, "data.csv", content)
	ds, err := Open(context.Background(), []string{p}, opts)
	require.NoError(t, err)
	require.Equal(t, "c:date32", typeNames(ds.Schema())[2])
	mem := checkedMem(t)
	ctx := context.Background()

	// Column c is not parsed when it is not projected.
	rows, err := scanRows(ctx, ds, source.ScanRequest{Columns: []int{1, 0}}, mem)
	require.NoError(t, err)
	require.Equal(t, []string{"x|1", "y|2"}, rows)

	splits, err := ds.Splits(ctx, source.ScanRequest{Columns: []int{1}})
	require.NoError(t, err)
	r, err := splits[0].Open(ctx, mem)
	require.NoError(t, err)
	rec, err := r.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"b:utf8"}, typeNames(rec.Schema()))
	rec.Release()
	require.NoError(t, r.Close())
	require.NoError(t, r.Close()) // idempotent

	// No columns at all still counts rows.
	rows, err = scanRows(ctx, ds, source.ScanRequest{Columns: []int{}}, mem)
	require.NoError(t, err)
	require.Len(t, rows, 2)

	_, err = scanRows(ctx, ds, source.ScanRequest{Columns: []int{2}}, mem)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = ds.Splits(ctx, source.ScanRequest{Columns: []int{3}})
	require.Error(t, err)
}

func TestReadBatchSizes(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("n,s\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&sb, "%d,\"v%d\"\n", i, i)
	}
	p := writeFile(t, "n.csv", sb.String())
	ds, err := Open(context.Background(), []string{p}, DefaultReadOptions())
	require.NoError(t, err)
	mem := checkedMem(t)
	for _, bs := range []int{1, 7, 1024, 1500, 4096, 10000} {
		splits, err := ds.Splits(context.Background(), source.ScanRequest{BatchSize: bs})
		require.NoError(t, err)
		r, err := splits[0].Open(context.Background(), mem)
		require.NoError(t, err)
		total := 0
		for {
			rec, err := r.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.LessOrEqual(t, rec.NumRows(), int64(bs))
			if total+int(rec.NumRows()) < 5000 {
				require.Equal(t, int64(bs), rec.NumRows(), "only the last batch may be short")
			}
			n := rec.Column(0).(*array.Int64)
			s := rec.Column(1).(*array.String)
			for i := 0; i < n.Len(); i++ {
				require.Equal(t, int64(total+i), n.Value(i))
				require.Equal(t, fmt.Sprintf("v%d", total+i), s.Value(i))
			}
			total += int(rec.NumRows())
			rec.Release()
		}
		require.NoError(t, r.Close())
		require.Equal(t, 5000, total, "batch size %d", bs)
	}
}

func TestReadByteRangeSplits(t *testing.T) {
	// Quoted fields with line breaks and quotes straddle the split points.
	var sb strings.Builder
	sb.WriteString("id,text,n\n")
	for i := 0; i < 3000; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&sb, "%d,\"multi\nline %d\",%d\n", i, i, i)
		case 1:
			fmt.Fprintf(&sb, "%d,\"q\"\"uote\"\",\n\"\"\",%d\r\n", i, i)
		case 2:
			fmt.Fprintf(&sb, "%d,plain %d,\n", i, i)
		default:
			fmt.Fprintf(&sb, "%d,\"\",%d\n", i, i)
		}
	}
	p := writeFile(t, "big.csv", sb.String())
	ctx := context.Background()
	mem := checkedMem(t)

	one := DefaultReadOptions()
	one.SplitBytes = -1
	ds1, err := Open(ctx, []string{p}, one)
	require.NoError(t, err)
	want, err := scanRows(ctx, ds1, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Len(t, want, 3000)

	for _, step := range []int64{1, 10, 333, 4096} {
		opts := DefaultReadOptions()
		opts.SplitBytes = step
		ds, err := Open(ctx, []string{p}, opts)
		require.NoError(t, err)
		splits, err := ds.Splits(ctx, source.ScanRequest{})
		require.NoError(t, err)
		require.Greater(t, len(splits), 1)
		got, err := scanRows(ctx, ds, source.ScanRequest{BatchSize: 100}, mem)
		require.NoError(t, err)
		require.Equal(t, want, got, "split step %d", step)
	}

	// A malformed row reports the same line number from any split.
	bad := sb.String() + "x,y,z\n"
	p2 := writeFile(t, "bad.csv", bad)
	wantLine := int64(strings.Count(bad, "\n"))
	opts := DefaultReadOptions()
	opts.SplitBytes = 1000
	ds, err := Open(ctx, []string{p2}, opts)
	require.NoError(t, err)
	_, err = scanRows(ctx, ds, source.ScanRequest{}, mem)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, wantLine, pe.Line)
}

func TestReadManyFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("a.csv", "k,v\n1,x\n")
	write("sub/b.csv", "k,v\n2,y\n")
	write("_ignored.csv", "k,v\nbad,bad\n")
	write("notes.txt", "not csv")
	write("c.csv.gz", "")
	f, err := os.Create(filepath.Join(dir, "c.csv.gz"))
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	_, err = zw.Write([]byte("k,v\n3,z\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())

	ctx := context.Background()
	ds, err := Open(ctx, []string{dir}, DefaultReadOptions())
	require.NoError(t, err)
	require.Len(t, ds.Files(), 3)
	rows, err := scanRows(ctx, ds, source.ScanRequest{}, checkedMem(t))
	require.NoError(t, err)
	require.Equal(t, []string{"1|x", "3|z", "2|y"}, rows)

	ds, err = Open(ctx, []string{filepath.Join(dir, "*.csv"), filepath.Join(dir, "a.csv")}, DefaultReadOptions())
	require.NoError(t, err)
	require.Len(t, ds.Files(), 1, "glob skips _ignored.csv and a.csv is listed once")

	_, err = Open(ctx, []string{filepath.Join(dir, "*.parquet")}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrNoFiles)
	_, err = Open(ctx, []string{filepath.Join(dir, "missing.csv")}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrNoFiles)

	// A file whose header differs fails when scanned.
	write("sub/d.csv", "k,w\n4,q\n")
	ds, err = Open(ctx, []string{dir}, DefaultReadOptions())
	require.NoError(t, err)
	_, err = scanRows(ctx, ds, source.ScanRequest{}, checkedMem(t))
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.Contains(t, err.Error(), "d.csv")
}

func TestReadOptionErrors(t *testing.T) {
	p := writeFile(t, "x.csv", "a\n1\n")
	for _, o := range []func(*ReadOptions){
		func(o *ReadOptions) { o.Delimiter = '\n' },
		func(o *ReadOptions) { o.Delimiter = 'é' },
		func(o *ReadOptions) { o.Quote = ',' },
	} {
		opts := DefaultReadOptions()
		o(&opts)
		_, err := Open(context.Background(), []string{p}, opts)
		require.ErrorIs(t, err, ErrInvalidOption)
	}
	_, err := Open(context.Background(), []string{writeFile(t, "empty.csv", "")}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrMalformed)
}

func TestReadCancellation(t *testing.T) {
	ds, err := Open(context.Background(), []string{duckdbSmall}, DefaultReadOptions())
	require.NoError(t, err)
	mem := checkedMem(t)
	ctx, cancel := context.WithCancel(context.Background())
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 100})
	require.NoError(t, err)
	r, err := splits[0].Open(ctx, mem)
	require.NoError(t, err)
	rec, err := r.Next(ctx)
	require.NoError(t, err)
	rec.Release()
	cancel()
	_, err = r.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, r.Close())
	_, err = splits[0].Open(ctx, mem)
	require.ErrorIs(t, err, context.Canceled)
}
