package ipcio

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

func TestWriteModes(t *testing.T) {
	ctx := context.Background()
	for _, format := range []Format{FileFormat, StreamFormat} {
		t.Run(format.String(), func(t *testing.T) {
			mem := checkedMem(t)
			r1, r2 := allTypesRecord(mem, 20, 0), allTypesRecord(mem, 7, 30)
			defer r1.Release()
			defer r2.Release()
			path := filepath.Join(t.TempDir(), "m.arrow")
			opts := WriteOptions{Format: format, Allocator: mem}
			rows := func() []string {
				ds, err := Open(ctx, []string{path}, DefaultReadOptions())
				require.NoError(t, err)
				got, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
				require.NoError(t, err)
				return got
			}
			want1, want2 := renderRows(r1), renderRows(r2)

			require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(r1), opts))
			require.Equal(t, want1, rows())

			err := Write(ctx, path, allTypesSchema, recordsOf(r2), opts)
			require.ErrorIs(t, err, ErrPathExists)
			require.Equal(t, want1, rows())

			opts.Mode = Ignore
			require.NoError(t, Write(ctx, path, allTypesSchema, func(context.Context) (arrow.Record, error) {
				t.Fatal("Ignore must not read its input")
				return nil, nil
			}, opts))
			require.Equal(t, want1, rows())

			opts.Mode = Append
			require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(r2), opts))
			require.Equal(t, append(append([]string{}, want1...), want2...), rows())

			other := arrow.NewSchema([]arrow.Field{{Name: "z", Type: arrow.PrimitiveTypes.Int64}}, nil)
			err = Write(ctx, path, other, recordsOf(), opts)
			require.ErrorIs(t, err, ErrSchemaMismatch)
			require.Len(t, rows(), 27)

			opts.Mode = Overwrite
			require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(r2), opts))
			require.Equal(t, want2, rows())

			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			require.Len(t, entries, 1, "no temporary files are left")
		})
	}
}

func TestWriteFailuresLeaveNoFile(t *testing.T) {
	mem := checkedMem(t)
	rec := allTypesRecord(mem, 50, 0)
	defer rec.Release()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.arrow")
	boom := errors.New("boom")

	for _, format := range []Format{FileFormat, StreamFormat} {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err := Write(ctx, path, allTypesSchema, func(context.Context) (arrow.Record, error) {
			n++
			if n == 3 {
				cancel()
			}
			rec.Retain()
			return rec, nil
		}, WriteOptions{Format: format, Compression: Zstd, Allocator: mem})
		require.ErrorIs(t, err, context.Canceled)

		err = Write(context.Background(), path, allTypesSchema, func(context.Context) (arrow.Record, error) {
			return nil, boom
		}, WriteOptions{Format: format, Allocator: mem})
		require.ErrorIs(t, err, boom)

		narrow := arrow.NewSchema(allTypesSchema.Fields()[:2], nil)
		err = Write(context.Background(), path, narrow, recordsOf(rec), WriteOptions{Format: format, Allocator: mem})
		require.ErrorIs(t, err, ErrSchemaMismatch)
	}
	err := Write(context.Background(), path, allTypesSchema, recordsOf(), WriteOptions{Format: 7})
	require.ErrorIs(t, err, ErrInvalidOption)
	err = Write(context.Background(), path, allTypesSchema, recordsOf(), WriteOptions{Compression: 9})
	require.ErrorIs(t, err, ErrInvalidOption)
	err = Write(context.Background(), path, allTypesSchema, recordsOf(), WriteOptions{Mode: 9})
	require.ErrorIs(t, err, ErrInvalidOption)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestWriteDictionaryReplacement(t *testing.T) {
	ctx := context.Background()
	mem := checkedMem(t)
	r1, r2 := allTypesRecord(mem, 10, 0), allTypesRecord(mem, 10, 1) // different dictionaries
	defer r1.Release()
	defer r2.Release()
	path := filepath.Join(t.TempDir(), "d.arrow")
	err := Write(ctx, path, allTypesSchema, recordsOf(r1, r2), WriteOptions{Allocator: mem})
	require.ErrorIs(t, err, ErrDictionaryReplacement)
	require.Contains(t, err.Error(), `"dict"`)
	_, statErr := os.Stat(path)
	require.ErrorIs(t, statErr, os.ErrNotExist)

	require.NoError(t, Write(ctx, path, allTypesSchema, recordsOf(r1, r2), WriteOptions{Format: StreamFormat, Allocator: mem}))
	ds, err := Open(ctx, []string{path}, DefaultReadOptions())
	require.NoError(t, err)
	got, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Equal(t, append(renderRows(r1), renderRows(r2)...), got)
}

func TestWriteRenamesColumns(t *testing.T) {
	// Records with other names but the same types are written under the
	// schema given to Write.
	ctx := context.Background()
	mem := checkedMem(t)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues([]int64{1, 2}, []bool{true, false})
	arr := b.NewArray()
	defer arr.Release()
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "tmp", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil), []arrow.Array{arr}, 2)
	defer rec.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "amount", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	path := filepath.Join(t.TempDir(), "r.arrow")
	require.NoError(t, Write(ctx, path, schema, recordsOf(rec), WriteOptions{Allocator: mem}))
	ds, err := Open(ctx, []string{path}, DefaultReadOptions())
	require.NoError(t, err)
	require.Equal(t, "amount", ds.Schema().Field(0).Name)
	got, err := scanRows(ctx, ds, source.ScanRequest{}, mem)
	require.NoError(t, err)
	require.Equal(t, []string{"1", "∅"}, got)
}
