package parquetio

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
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

var kvSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// kvRecord builds a record of (key, value) rows; a nil key is NULL.
func kvRecord(mem memory.Allocator, keys []*string, first int64) arrow.Record {
	b := array.NewRecordBuilder(mem, kvSchema)
	defer b.Release()
	for i, k := range keys {
		if k == nil {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(*k)
		}
		b.Field(1).(*array.Int64Builder).Append(first + int64(i))
	}
	return b.NewRecord()
}

func seqRecord(mem memory.Allocator, first int64, n int) arrow.Record {
	keys := make([]*string, n)
	for i := range keys {
		s := "x"
		keys[i] = &s
	}
	return kvRecord(mem, keys, first)
}

// listFiles returns every file under dir, relative, sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

func values(t *testing.T, mem memory.Allocator, dir string) []int64 {
	t.Helper()
	d := openDS(t, ReadOptions{}, dir)
	res := scan(t, mem, d, source.ScanRequest{Columns: []int{d.Schema().FieldIndices("v")[0]}})
	var out []int64
	for _, r := range res.rows {
		out = append(out, r[0].(int64))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func seq(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func TestTargetRowsSplitsFiles(t *testing.T) {
	mem := newMem(t)
	dir := filepath.Join(t.TempDir(), "o")
	res, err := Write(context.Background(), dir, kvSchema,
		recordsOf(seqRecord(mem, 0, 600), seqRecord(mem, 600, 650)), WriteOptions{TargetRows: 500, RowGroupRows: 200})
	require.NoError(t, err)
	require.Len(t, res.Files, 3) // 500 + 500 + 250
	require.Equal(t, int64(1250), res.Rows)
	require.Equal(t, seq(0, 1250), values(t, mem, dir))
	d := openDS(t, ReadOptions{}, dir)
	var rows []int64
	for _, f := range d.files {
		rows = append(rows, f.rows)
		for _, rg := range f.rgs {
			require.LessOrEqual(t, rg.rows, int64(200))
		}
	}
	require.Equal(t, []int64{500, 500, 250}, rows)
}

func TestTargetBytesSplitsFiles(t *testing.T) {
	mem := newMem(t)
	dir := filepath.Join(t.TempDir(), "o")
	res, err := Write(context.Background(), dir, kvSchema,
		recordsOf(seqRecord(mem, 0, 100_000)), WriteOptions{TargetBytes: 256 << 10, Compression: Uncompressed})
	require.NoError(t, err)
	require.Greater(t, len(res.Files), 2)
	for _, f := range res.Files {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.Less(t, st.Size(), int64(400<<10), f)
	}
	require.Equal(t, seq(0, 100_000), values(t, mem, dir))
}

func TestSaveModes(t *testing.T) {
	mem := newMem(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "o")
	_, err := Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 0, 10)), WriteOptions{})
	require.NoError(t, err)

	rec := seqRecord(mem, 100, 5)
	_, err = Write(ctx, dir, kvSchema, recordsOf(rec), WriteOptions{})
	require.ErrorIs(t, err, ErrPathExists)
	rec.Release()
	require.Equal(t, seq(0, 10), values(t, mem, dir))

	called := false
	res, err := Write(ctx, dir, kvSchema, func(context.Context) (arrow.Record, error) {
		called = true
		return nil, io.EOF
	}, WriteOptions{Mode: Ignore})
	require.NoError(t, err)
	require.Empty(t, res.Files)
	require.False(t, called, "Ignore must not consume the input")
	require.Equal(t, seq(0, 10), values(t, mem, dir))

	_, err = Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 10, 5)), WriteOptions{Mode: Append})
	require.NoError(t, err)
	require.Equal(t, seq(0, 15), values(t, mem, dir))
	require.Len(t, listFiles(t, dir), 2)

	_, err = Write(ctx, dir, kvSchema, recordsOf(seqRecord(mem, 50, 3)), WriteOptions{Mode: Overwrite})
	require.NoError(t, err)
	require.Equal(t, seq(50, 53), values(t, mem, dir))
	require.Len(t, listFiles(t, dir), 1)

	// Overwrite of a partitioned layout by an unpartitioned one leaves no
	// stale partition directory behind.
	pdir := filepath.Join(t.TempDir(), "p")
	a, b := "a", "b"
	_, err = Write(ctx, pdir, kvSchema, recordsOf(kvRecord(mem, []*string{&a, &b}, 0)), WriteOptions{PartitionBy: []string{"k"}})
	require.NoError(t, err)
	_, err = Write(ctx, pdir, kvSchema, recordsOf(kvRecord(mem, []*string{&a}, 7)), WriteOptions{PartitionBy: []string{"k"}, Mode: Overwrite})
	require.NoError(t, err)
	files := listFiles(t, pdir)
	require.Len(t, files, 1)
	require.True(t, strings.HasPrefix(files[0], "k=a/"), files[0])
	ents, err := os.ReadDir(pdir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
}

// failingNext yields records, then fails or cancels.
func TestFailedWriteLeavesNothing(t *testing.T) {
	for _, tc := range []string{"cancel", "error", "schema"} {
		t.Run(tc, func(t *testing.T) {
			mem := newMem(t)
			base := t.TempDir()
			dir := filepath.Join(base, "o")
			ctx, cancel := context.WithCancel(context.Background())
			defer func() { cancel() }() // next cancels whichever context is current
			boom := errors.New("boom")
			calls := 0
			next := func(context.Context) (arrow.Record, error) {
				calls++
				switch {
				case calls <= 3:
					return seqRecord(mem, int64(calls)*1000, 1000), nil
				case tc == "cancel":
					cancel()
					return seqRecord(mem, 0, 10), nil
				case tc == "error":
					return nil, boom
				}
				b := array.NewInt64Builder(mem)
				defer b.Release()
				b.Append(1)
				arr := b.NewArray()
				defer arr.Release()
				s := arrow.NewSchema([]arrow.Field{{Name: "other", Type: arrow.PrimitiveTypes.Int64}}, nil)
				return array.NewRecord(s, []arrow.Array{arr}, 1), nil
			}
			_, err := Write(ctx, dir, kvSchema, next, WriteOptions{TargetRows: 1500, PartitionBy: []string{"k"}})
			require.Error(t, err)
			switch tc {
			case "cancel":
				require.ErrorIs(t, err, context.Canceled)
			case "error":
				require.ErrorIs(t, err, boom)
			case "schema":
				require.ErrorIs(t, err, ErrSchemaMismatch)
			}
			_, statErr := os.Stat(dir)
			require.ErrorIs(t, statErr, fs.ErrNotExist, "a failed write into a new directory removes it")

			// Into an existing data set: the old files stay, nothing is added.
			calls = 0
			ctx2, cancel2 := context.WithCancel(context.Background())
			defer cancel2()
			cancel = cancel2
			_, err = Write(context.Background(), dir, kvSchema, recordsOf(seqRecord(mem, 0, 5)), WriteOptions{})
			require.NoError(t, err)
			before := listFiles(t, dir)
			_, err = Write(ctx2, dir, kvSchema, next, WriteOptions{Mode: Overwrite, PartitionBy: []string{"k"}})
			require.Error(t, err)
			require.Equal(t, before, listFiles(t, dir))
			require.Equal(t, seq(0, 5), values(t, mem, dir))
		})
	}
}

func TestHostilePartitionValues(t *testing.T) {
	mem := newMem(t)
	base := t.TempDir()
	dir := filepath.Join(base, "o")
	str := func(s string) *string { return &s }
	keys := []*string{
		str("../x"), str(".."), str("."), str("/"), str("a/b"), str("="), str("a=b"), str("%"), str("%41"),
		str("\xff\xfe"), str(""), nil, str(hiveNull), str("\x00\n\t"), str("日本"), str(`\ " ' * ? : [ ] ^ { #`),
		str(".hidden"), str("_under"),
	}
	rec := kvRecord(mem, keys, 0)
	res, err := Write(context.Background(), dir, kvSchema, recordsOf(rec), WriteOptions{PartitionBy: []string{"k"}})
	require.NoError(t, err)
	require.Len(t, res.Files, len(keys))
	// Nothing outside dir.
	ents, err := os.ReadDir(base)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	for _, f := range res.Files {
		rel, err := filepath.Rel(dir, f)
		require.NoError(t, err)
		require.False(t, strings.HasPrefix(rel, ".."), f)
		require.Equal(t, 2, len(strings.Split(filepath.ToSlash(rel), "/")), rel)
	}
	// Every value reads back as itself, NULL as NULL.
	d := openDS(t, ReadOptions{}, dir)
	require.Equal(t, arrow.BinaryTypes.String, d.Schema().Field(1).Type)
	got := scan(t, mem, d, source.ScanRequest{})
	byV := map[int64]any{}
	for _, r := range got.rows {
		byV[r[0].(int64)] = r[1]
	}
	require.Len(t, byV, len(keys))
	for i, k := range keys {
		if k == nil {
			require.Nil(t, byV[int64(i)], "row %d", i)
		} else {
			require.Equal(t, *k, byV[int64(i)], "row %d", i)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a", "a/b", "%2F", "..", "\xff", "é", "k=v", hiveNull, "%", "%G1", "\x7f"} {
		seg := partitionSegment("c", &s)
		require.NotContains(t, seg[2:], "/")
		require.Equal(t, 1, strings.Count(seg, "="), seg)
		k, v, ok := parseSegment(seg)
		require.True(t, ok)
		require.Equal(t, "c", k)
		require.NotNil(t, v)
		require.Equal(t, s, *v, seg)
	}
	k, v, ok := parseSegment(partitionSegment(".c=/", nil))
	require.True(t, ok)
	require.Equal(t, ".c=/", k)
	require.Nil(t, v)
	require.False(t, hidden(partitionSegment(".c", nil)))
}

func TestWriteRejectsBadSchemas(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "o")
	_, err := Write(ctx, dir, kvSchema, recordsOf(), WriteOptions{PartitionBy: []string{"nope"}})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	_, err = Write(ctx, dir, kvSchema, recordsOf(), WriteOptions{PartitionBy: []string{"k", "v"}})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	s := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)}}, nil)
	_, err = Write(ctx, dir, s, recordsOf(), WriteOptions{})
	require.ErrorIs(t, err, ErrUnsupportedType)
	_, statErr := os.Stat(dir)
	require.ErrorIs(t, statErr, fs.ErrNotExist)
}

// floatRecord builds rows (int64 i, float64 i+0.5) for a two-column schema
// of those types.
func floatRecord(mem memory.Allocator, s *arrow.Schema, first int64, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for i := range n {
		v := first + int64(i)
		switch fb := b.Field(0).(type) {
		case *array.Int64Builder:
			fb.Append(v)
		case *array.Float64Builder:
			fb.Append(float64(v))
		}
		b.Field(1).(*array.Float64Builder).Append(float64(v) + 0.5)
	}
	return b.NewRecord()
}

// floatRecordSwapped builds one row (w float64 = v+0.5, v int64) for the
// schema (w, v).
func floatRecordSwapped(mem memory.Allocator, s *arrow.Schema, v int64) arrow.Record {
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).Append(float64(v) + 0.5)
	b.Field(1).(*array.Int64Builder).Append(v)
	return b.NewRecord()
}

func TestNullInRequiredColumn(t *testing.T) {
	mem := newMem(t)
	s := arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: false}}, nil)
	b := array.NewInt64Builder(mem)
	b.AppendNull()
	arr := b.NewArray()
	b.Release()
	rec := array.NewRecord(s, []arrow.Array{arr}, 1)
	arr.Release()
	dir := filepath.Join(t.TempDir(), "o")
	_, err := Write(context.Background(), dir, s, recordsOf(rec), WriteOptions{})
	require.ErrorIs(t, err, ErrSchemaMismatch)
	_, statErr := os.Stat(dir)
	require.ErrorIs(t, statErr, fs.ErrNotExist)
}
