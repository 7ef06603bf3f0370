package ipcio

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// fuzzSeedFiles writes small IPC files covering both formats, compression,
// dictionaries and nested types, and returns their bytes.
func fuzzSeedFiles(t testing.TB) [][]byte {
	ctx := context.Background()
	dir := t.TempDir()
	mem := memory.NewGoAllocator()
	rec := allTypesRecord(mem, 6, 0)
	defer rec.Release()
	small := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{1, 2, 3}, []bool{true, false, true})
	ia := ib.NewArray()
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"x", "", "zz"}, nil)
	sa := sb.NewArray()
	srec := array.NewRecord(small, []arrow.Array{ia, sa}, 3)
	defer srec.Release()
	ib.Release()
	sb.Release()
	ia.Release()
	sa.Release()

	var out [][]byte
	add := func(name string, schema *arrow.Schema, opts WriteOptions, recs ...arrow.Record) {
		p := filepath.Join(dir, name)
		require.NoError(t, Write(ctx, p, schema, recordsOf(recs...), opts))
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out = append(out, b)
	}
	add("small.arrow", small, WriteOptions{}, srec, srec)
	add("small.arrows", small, WriteOptions{Format: StreamFormat}, srec)
	add("small_lz4.arrows", small, WriteOptions{Format: StreamFormat, Compression: LZ4}, srec)
	add("all.arrow", allTypesSchema, WriteOptions{}, rec)
	add("all_zstd.arrows", allTypesSchema, WriteOptions{Format: StreamFormat, Compression: Zstd}, rec)
	add("empty.arrow", small, WriteOptions{})
	return out
}

func FuzzIPC(f *testing.F) {
	for _, b := range fuzzSeedFiles(f) {
		f.Add(b)
	}
	f.Add([]byte("ARROW1\x00\x00"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.arrow")
		require.NoError(t, os.WriteFile(path, data, 0o644))
		err := readChecked(t, path)
		if err != nil && !errors.Is(err, ErrUnsupportedType) {
			require.ErrorIs(t, err, ErrCorruptFile)
			require.NotErrorIs(t, err, io.EOF)
			require.Contains(t, err.Error(), path)
		}
	})
}

// readChecked opens and scans path, checks every record against the
// schema and touches every value (up to a row budget). A read that
// completes must release everything it allocated.
func readChecked(t *testing.T, path string) error {
	ctx := context.Background()
	ds, err := Open(ctx, []string{path}, ReadOptions{SplitRows: 3})
	if err != nil {
		return err
	}
	splits, err := ds.Splits(ctx, source.ScanRequest{BatchSize: 1024})
	require.NoError(t, err)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	budget := int64(100_000)
	for _, sp := range splits {
		r, err := sp.Open(ctx, mem)
		if err != nil {
			return err
		}
		for budget > 0 {
			rec, err := r.Next(ctx)
			if err == io.EOF { //nolint:errorlint // the reader's end marker is a bare io.EOF
				break
			}
			if err != nil {
				r.Close()
				return err
			}
			require.True(t, rec.Schema().Equal(ds.Schema()))
			for _, col := range rec.Columns() {
				require.Equal(t, int(rec.NumRows()), col.Len())
			}
			budget -= rec.NumRows()
			_ = renderRows(rec)
			rec.Release()
		}
		require.NoError(t, r.Close())
	}
	mem.AssertSize(t, 0)
	return nil
}

func TestFuzzIPCSeeds(t *testing.T) {
	for _, b := range fuzzSeedFiles(t) {
		path := filepath.Join(t.TempDir(), "f.arrow")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		require.NoError(t, readChecked(t, path))
	}
}
