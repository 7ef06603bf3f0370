package ipcio

import (
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
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

func TestRoundTripAllTypes(t *testing.T) {
	ctx := context.Background()
	for _, format := range []Format{FileFormat, StreamFormat} {
		for _, comp := range []Compression{Uncompressed, LZ4, Zstd} {
			t.Run(fmt.Sprintf("%v/%d", format, comp), func(t *testing.T) {
				mem := checkedMem(t)
				r1, r2 := allTypesRecord(mem, 1000, 0), allTypesRecord(mem, 37, 6) // same dictionary
				defer r1.Release()
				defer r2.Release()
				opts := WriteOptions{Format: format, Compression: comp, Allocator: mem}
				path := writeRecords(t, "all.arrow", opts, r1, r2)

				head := make([]byte, 6)
				f, err := os.Open(path)
				require.NoError(t, err)
				_, err = io.ReadFull(f, head)
				require.NoError(t, err)
				f.Close()
				require.Equal(t, format == FileFormat, string(head) == "ARROW1")

				ds, err := Open(ctx, []string{path}, DefaultReadOptions())
				require.NoError(t, err)
				require.True(t, allTypesSchema.Equal(ds.Schema()), "schema with metadata survives")
				st := ds.Stats()
				require.Equal(t, int64(1037), st.Rows)
				fi, err := os.Stat(path)
				require.NoError(t, err)
				require.Equal(t, fi.Size(), st.Bytes)

				got, err := scanRows(ctx, ds, source.ScanRequest{BatchSize: 300}, mem)
				require.NoError(t, err)
				want := append(renderRows(r1), renderRows(r2)...)
				require.Equal(t, want, got)
				require.Equal(t, "0|0|0|0|0|0|0|0|0|0|true|aü|AAD/|large|2019-04-14|1970-01-01 00:00:00Z|0.05|red|[]|{\"x\":0,\"y\":\"s\"}", got[0])
				require.Equal(t, strings.Repeat("∅|", 19)+"∅", got[4])
			})
		}
	}
}

func TestReadRecordsExactly(t *testing.T) {
	// Beyond rendering: the records read equal the records written,
	// including dictionaries and nested types.
	ctx := context.Background()
	mem := checkedMem(t)
	rec := allTypesRecord(mem, 100, 3)
	defer rec.Release()
	path := writeRecords(t, "x.arrow", WriteOptions{Allocator: mem}, rec)
	ds, err := Open(ctx, []string{path}, DefaultReadOptions())
	require.NoError(t, err)
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 1000})
	require.NoError(t, err)
	require.Len(t, splits, 1)
	require.Equal(t, int64(100), splits[0].Rows())
	r, err := splits[0].Open(ctx, mem)
	require.NoError(t, err)
	defer r.Close()
	got, err := r.Next(ctx)
	require.NoError(t, err)
	defer got.Release()
	require.True(t, array.RecordEqual(rec, got))
	_, err = r.Next(ctx)
	require.ErrorIs(t, err, io.EOF)
}

func TestSplitsBatchesAndProjection(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	var recs []arrow.Record
	for i := 0; i < 6; i++ {
		recs = append(recs, allTypesRecord(mem, 100, i*300))
		defer recs[i].Release()
	}
	var want []string
	for _, r := range recs {
		want = append(want, renderRows(r)...)
	}
	for _, format := range []Format{FileFormat, StreamFormat} {
		path := writeRecords(t, "many.arrow", WriteOptions{Format: format, Allocator: mem}, recs...)

		ds, err := Open(ctx, []string{path}, ReadOptions{SplitRows: 250})
		require.NoError(t, err)
		splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 64})
		require.NoError(t, err)
		require.Len(t, splits, 3)
		require.Equal(t, int64(200), splits[1].Rows())
		require.Contains(t, splits[1].String(), "[batches 2-3]")
		got, err := scanRows(ctx, ds, source.ScanRequest{BatchSize: 64}, mem)
		require.NoError(t, err)
		require.Equal(t, want, got)

		// Every record is at most BatchSize rows and non-empty.
		for _, sp := range splits {
			r, err := sp.Open(ctx, mem)
			require.NoError(t, err)
			for {
				rec, err := r.Next(ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				require.LessOrEqual(t, rec.NumRows(), int64(64))
				require.Positive(t, rec.NumRows())
				rec.Release()
			}
			require.NoError(t, r.Close())
		}

		// Projection: columns in the requested order.
		got, err = scanRows(ctx, ds, source.ScanRequest{Columns: []int{17, 0}}, mem)
		require.NoError(t, err)
		require.Len(t, got, 600)
		require.Equal(t, "red|0", got[0])
		require.Equal(t, "green|1", got[1])
		sp, err := ds.Splits(ctx, source.ScanRequest{Columns: []int{}})
		require.NoError(t, err)
		r, err := sp[0].Open(ctx, mem)
		require.NoError(t, err)
		rec, err := r.Next(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(0), rec.NumCols())
		require.Equal(t, int64(100), rec.NumRows())
		rec.Release()
		require.NoError(t, r.Close())
		_, err = ds.Splits(ctx, source.ScanRequest{Columns: []int{20}})
		require.Error(t, err)

		one, err := Open(ctx, []string{path}, ReadOptions{SplitRows: -1})
		require.NoError(t, err)
		splits, err = one.Splits(ctx, source.ScanRequest{})
		require.NoError(t, err)
		require.Len(t, splits, 1)
		require.Equal(t, path, splits[0].String())
	}
}

func TestReplacementDictionariesMakeOneSplit(t *testing.T) {
	// A stream whose dictionary changes between batches carries a
	// replacement dictionary after the first batch.
	ctx := context.Background()
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "c", Type: dictType, Nullable: true}}, nil)
	mk := func(vals ...string) arrow.Record {
		b := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
		defer b.Release()
		for _, v := range vals {
			require.NoError(t, b.AppendString(v))
		}
		arr := b.NewArray()
		defer arr.Release()
		return array.NewRecord(schema, []arrow.Array{arr}, int64(len(vals)))
	}
	r1, r2 := mk("a", "b"), mk("c", "d", "c")
	defer r1.Release()
	defer r2.Release()
	path := filepath.Join(t.TempDir(), "d.arrows")
	require.NoError(t, Write(ctx, path, schema, recordsOf(r1, r2), WriteOptions{Format: StreamFormat, Allocator: mem}))
	ds, err := Open(ctx, []string{path}, ReadOptions{SplitRows: 1})
	require.NoError(t, err)
	require.True(t, ds.files[0].lateDicts)
	splits, err := ds.Splits(ctx, source.ScanRequest{})
	require.NoError(t, err)
	require.Len(t, splits, 1)
	rows, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c", "d", "c"}, rows)
}

func TestOpenManyFiles(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	rec := allTypesRecord(mem, 10, 0)
	defer rec.Release()
	dir := t.TempDir()
	require.NoError(t, Write(ctx, filepath.Join(dir, "a.arrow"), allTypesSchema, recordsOf(rec), WriteOptions{Allocator: mem}))
	require.NoError(t, Write(ctx, filepath.Join(dir, "sub", "b.arrows"), allTypesSchema, recordsOf(rec, rec), WriteOptions{Format: StreamFormat, Allocator: mem}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "readme.md"), []byte("x"), 0o644))
	ds, err := Open(ctx, []string{dir}, DefaultReadOptions())
	require.NoError(t, err)
	require.Len(t, ds.Files(), 2)
	require.Equal(t, int64(30), ds.Stats().Rows)
	rows, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Len(t, rows, 30)

	// A file with other columns.
	other := arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.PrimitiveTypes.Int64}}, nil)
	require.NoError(t, Write(ctx, filepath.Join(dir, "c.arrow"), other, recordsOf(), WriteOptions{}))
	_, err = Open(ctx, []string{dir}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrSchemaMismatch)
	require.Contains(t, err.Error(), "c.arrow")

	_, err = Open(ctx, []string{filepath.Join(dir, "*.parquet")}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrNoFiles)
}

func TestEmptyFiles(t *testing.T) {
	ctx := context.Background()
	for _, format := range []Format{FileFormat, StreamFormat} {
		path := filepath.Join(t.TempDir(), "e.arrow")
		require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(), WriteOptions{Format: format}))
		ds, err := Open(ctx, []string{path}, DefaultReadOptions())
		require.NoError(t, err)
		require.True(t, allTypesSchema.Equal(ds.Schema()))
		require.Equal(t, int64(0), ds.Stats().Rows)
		splits, err := ds.Splits(ctx, source.ScanRequest{})
		require.NoError(t, err)
		require.Empty(t, splits)
	}
}

func TestReadArrowWriterFiles(t *testing.T) {
	// Files written directly by arrow's writers, not through Write.
	ctx := context.Background()
	mem := checkedMem(t)
	// arrow's file writer keeps a reference to the dictionaries it writes,
	// so the record comes from an unchecked allocator.
	rec := allTypesRecord(memory.NewGoAllocator(), 50, 1)
	defer rec.Release()
	dir := t.TempDir()

	f, err := os.Create(filepath.Join(dir, "plain.arrow"))
	require.NoError(t, err)
	fw, err := ipc.NewFileWriter(f, ipc.WithSchema(allTypesSchema))
	require.NoError(t, err)
	require.NoError(t, fw.Write(rec))
	require.NoError(t, fw.Write(rec))
	require.NoError(t, fw.Close())
	require.NoError(t, f.Close())

	var sb strings.Builder
	sw := ipc.NewWriter(&sb, ipc.WithSchema(allTypesSchema))
	require.NoError(t, sw.Write(rec))
	require.NoError(t, sw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.arrows"), []byte(sb.String()), 0o644))

	ds, err := Open(ctx, []string{filepath.Join(dir, "plain.arrow"), filepath.Join(dir, "s.arrows")}, DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, int64(150), ds.Stats().Rows)
	rows, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	want := renderRows(rec)
	require.Equal(t, append(append(append([]string{}, want...), want...), want...), rows)
}

func TestCorruptFiles(t *testing.T) {
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	rec := allTypesRecord(mem, 30, 0)
	defer rec.Release()
	for _, format := range []Format{FileFormat, StreamFormat} {
		good := writeRecords(t, "good.arrow", WriteOptions{Format: format, Allocator: mem}, rec)
		data, err := os.ReadFile(good)
		require.NoError(t, err)
		cases := map[string][]byte{
			"empty":       {},
			"garbage":     []byte("this is not an arrow file at all"),
			"magic only":  []byte("ARROW1\x00\x00ARROW1"),
			"truncated":   data[:len(data)/2],
			"no tail":     data[:len(data)-3],
			"huge length": append([]byte{0xff, 0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0x7f}, data[8:]...),
		}
		// Flip bytes all over the file; every outcome must be a clean
		// error or valid data.
		for i := 0; i < len(data); i += 1 + len(data)/150 {
			bad := append([]byte(nil), data...)
			bad[i] ^= 0x5a
			cases[fmt.Sprintf("flip %d", i)] = bad
		}
		for name, content := range cases {
			path := filepath.Join(t.TempDir(), "bad.arrow")
			require.NoError(t, os.WriteFile(path, content, 0o644))
			err := readAllQuietly(ctx, path)
			if err != nil && !errors.Is(err, ErrUnsupportedType) {
				require.ErrorIs(t, err, ErrCorruptFile, "%v %s", format, name)
				require.NotErrorIs(t, err, io.EOF, "a corrupt file must not look like the end of a scan")
				require.Contains(t, err.Error(), path)
			}
			if strings.HasPrefix(name, "flip") {
				continue
			}
			require.Error(t, err, "%v %s", format, name)
		}
	}
}

// readAllQuietly opens and scans path, touching every value, and returns
// the first error.
func readAllQuietly(ctx context.Context, path string) error {
	ds, err := Open(ctx, []string{path}, ReadOptions{SplitRows: 50})
	if err != nil {
		return err
	}
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 64})
	if err != nil {
		return err
	}
	mem := memory.NewGoAllocator()
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		if err != nil {
			return err
		}
		for {
			rec, err := r.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.Close()
				return err
			}
			_ = renderRows(rec)
			rec.Release()
		}
		r.Close()
	}
	return nil
}

func TestUnsupportedTypes(t *testing.T) {
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.SparseUnionOf(
		[]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, []arrow.UnionTypeCode{0})}}, nil)
	path := filepath.Join(t.TempDir(), "u.arrow")
	err := Write(ctx, path, schema, recordsOf(), WriteOptions{})
	require.ErrorIs(t, err, ErrUnsupportedType)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist)

	// A union file written by arrow directly is refused at Open.
	f, err := os.Create(path)
	require.NoError(t, err)
	fw, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	require.NoError(t, f.Close())
	_, err = Open(ctx, []string{path}, DefaultReadOptions())
	require.ErrorIs(t, err, ErrUnsupportedType)
}

func TestReadCancellation(t *testing.T) {
	mem := checkedMem(t)
	rec := allTypesRecord(mem, 100, 0)
	defer rec.Release()
	path := writeRecords(t, "c.arrow", WriteOptions{Allocator: mem}, rec)
	ds, err := Open(context.Background(), []string{path}, DefaultReadOptions())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 10})
	require.NoError(t, err)
	r, err := splits[0].Open(ctx, mem)
	require.NoError(t, err)
	got, err := r.Next(ctx)
	require.NoError(t, err)
	got.Release()
	cancel()
	_, err = r.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	_, err = Open(ctx, []string{path}, DefaultReadOptions())
	require.ErrorIs(t, err, context.Canceled)
}
