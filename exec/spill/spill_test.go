package spill_test

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/spill"
)

func TestRoundTripEveryTypeAndSlice(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	schema := schemaOf(allTypes)
	dir := t.TempDir()

	// Whole records with and without nulls, and slices at every bit offset
	// (bitmaps shift unless the offset is a multiple of 8) and of length 0.
	var want []arrow.Record
	for _, nullRate := range []float64{0, 0.3} {
		rec := randomRecord(t, mem, schema, 53, nullRate, rng)
		want = append(want, rec)
		for _, s := range [][2]int64{{0, 53}, {1, 20}, {3, 53}, {8, 40}, {9, 10}, {17, 17}, {52, 53}} {
			want = append(want, rec.NewSlice(s[0], s[1]))
		}
	}
	defer releaseAll(want)
	f := writeFile(t, dir, want...)
	require.Equal(t, len(want), f.Batches)
	var rows int64
	for _, r := range want {
		rows += r.NumRows()
	}
	require.Equal(t, rows, f.Rows)
	st, err := os.Stat(f.Path)
	require.NoError(t, err)
	require.Equal(t, f.Bytes, st.Size())

	r, err := spill.Open(f, schema, mem)
	require.NoError(t, err)
	got, err := readAll(r)
	defer releaseAll(got)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		require.Truef(t, array.RecordEqual(want[i], got[i]), "batch %d:\nwant %v\ngot  %v", i, want[i], got[i])
		for c := range got[i].Columns() {
			require.Equal(t, want[i].Column(c).NullN(), got[i].Column(c).NullN())
			require.Zero(t, got[i].Column(c).Data().Offset())
		}
	}
	require.NoError(t, f.Remove())
	require.NoError(t, f.Remove(), "remove is idempotent")
	_, err = os.Stat(f.Path)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestEmptyFileAndEmptyBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := schemaOf(allTypes)
	dir := t.TempDir()

	empty := writeFile(t, dir)
	require.Zero(t, empty.Bytes)
	r, err := spill.Open(empty, schema, mem)
	require.NoError(t, err)
	got, err := readAll(r)
	require.NoError(t, err)
	require.Empty(t, got)

	rec := randomRecord(t, mem, schema, 0, 0, rand.New(rand.NewPCG(3, 4)))
	defer rec.Release()
	f := writeFile(t, dir, rec, rec)
	r, err = spill.Open(f, schema, mem)
	require.NoError(t, err)
	got, err = readAll(r)
	defer releaseAll(got)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Zero(t, got[1].NumRows())
}

func TestSectionsReadConcurrently(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(5, 6))
	schema := schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String})
	w, err := spill.NewWriter(t.TempDir(), "sections")
	require.NoError(t, err)

	const groups = 4
	var want [groups][]arrow.Record
	var secs [groups]spill.Section
	for g := range groups {
		from := w.Position()
		for range g + 1 {
			rec := randomRecord(t, mem, schema, 1+rng.IntN(100), 0.2, rng)
			want[g] = append(want[g], rec)
			require.NoError(t, w.Write(rec))
		}
		secs[g] = spill.Between(from, w.Position())
		require.Equal(t, g+1, secs[g].Batches)
	}
	f, err := w.Finish()
	require.NoError(t, err)
	defer f.Remove()

	var wg sync.WaitGroup
	errs := make([]error, groups)
	for g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := spill.OpenSection(f, secs[g], schema, mem)
			if err != nil {
				errs[g] = err
				return
			}
			got, err := readAll(r)
			defer releaseAll(got)
			if err == nil && len(got) != len(want[g]) {
				err = errors.New("wrong batch count")
			}
			for i := range got {
				if err == nil && !array.RecordEqual(got[i], want[g][i]) {
					err = errors.New("records differ")
				}
			}
			errs[g] = err
		}()
	}
	wg.Wait()
	for g := range groups {
		require.NoErrorf(t, errs[g], "section %d", g)
		releaseAll(want[g])
	}
}

func TestWriterErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))

	_, err := spill.NewWriter("", "x")
	require.Error(t, err)
	_, err = spill.NewWriter(filepath.Join(dir, "missing"), "x")
	require.Error(t, err)

	t.Run("unsupported type", func(t *testing.T) {
		list := arrow.ListOf(arrow.PrimitiveTypes.Int64)
		require.ErrorIs(t, spill.CheckType(list), spill.ErrUnsupportedType)
		lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
		defer lb.Release()
		lb.AppendNull()
		arr := lb.NewArray()
		defer arr.Release()
		rec := array.NewRecord(schemaOf([]arrow.DataType{list}), []arrow.Array{arr}, 1)
		defer rec.Release()
		w, err := spill.NewWriter(dir, "x")
		require.NoError(t, err)
		require.ErrorIs(t, w.Write(rec), spill.ErrUnsupportedType)
		w.Abort()
		w.Abort()
		_, err = os.Stat(w.Path())
		require.ErrorIs(t, err, os.ErrNotExist, "abort removes the file")
	})

	t.Run("type change", func(t *testing.T) {
		a := randomRecord(t, mem, schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Int64}), 3, 0, rng)
		defer a.Release()
		b := randomRecord(t, mem, schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Float64}), 3, 0, rng)
		defer b.Release()
		w, err := spill.NewWriter(dir, "x")
		require.NoError(t, err)
		require.NoError(t, w.Write(a))
		require.Error(t, w.Write(b))
		f, err := w.Finish()
		require.NoError(t, err, "a rejected batch leaves the file intact")
		require.Equal(t, 1, f.Batches)
		require.NoError(t, f.Remove())
		w.Abort() // no-op after Finish
	})

	t.Run("schema mismatch on read", func(t *testing.T) {
		a := randomRecord(t, mem, schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Int64}), 3, 0, rng)
		defer a.Release()
		f := writeFile(t, dir, a)
		defer f.Remove()
		for _, other := range [][]arrow.DataType{
			{arrow.PrimitiveTypes.Float64},
			{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64},
		} {
			r, err := spill.Open(f, schemaOf(other), mem)
			require.NoError(t, err)
			_, err = readAll(r)
			require.ErrorIs(t, err, spill.ErrCorruptSpill)
		}
	})
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "every error path removes its file")
}

func TestTruncatedFile(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(9, 10))
	schema := schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean})
	dir := t.TempDir()
	a := randomRecord(t, mem, schema, 10, 0.3, rng)
	defer a.Release()
	f := writeFile(t, dir, a, a)
	defer f.Remove()
	full, err := os.ReadFile(f.Path)
	require.NoError(t, err)

	for cut := int64(0); cut < f.Bytes; cut++ {
		require.NoError(t, os.WriteFile(f.Path, full[:cut], 0o600))
		// The File still claims the full size: Open notices.
		_, err := spill.Open(f, schema, mem)
		require.ErrorIs(t, err, spill.ErrCorruptSpill, "cut at %d", cut)
		// A File that agrees with the short size: reading notices.
		short := *f
		short.Bytes = cut
		r, err := spill.Open(&short, schema, mem)
		require.NoError(t, err)
		got, err := readAll(r)
		releaseAll(got)
		require.ErrorIs(t, err, spill.ErrCorruptSpill, "cut at %d", cut)
	}
}

func TestCorruptBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(11, 12))
	schema := schemaOf([]arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.LargeBinary})
	a := randomRecord(t, mem, schema, 9, 0.3, rng)
	defer a.Release()
	f := writeFile(t, t.TempDir(), a)
	defer f.Remove()
	full, err := os.ReadFile(f.Path)
	require.NoError(t, err)
	headerBytes := 32 + 40*3

	detected := 0
	for i := range full {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), full...)
			bad[i] ^= flip
			require.NoError(t, os.WriteFile(f.Path, bad, 0o600))
			r, err := spill.Open(f, schema, mem)
			require.NoError(t, err)
			got, err := readAll(r)
			releaseAll(got)
			if i < headerBytes {
				require.ErrorIs(t, err, spill.ErrCorruptSpill, "flip %#x at header byte %d", flip, i)
			}
			if err != nil {
				require.ErrorIs(t, err, spill.ErrCorruptSpill)
				detected++
			}
		}
	}
	require.Greater(t, detected, 3*headerBytes, "some body corruption (offsets, bitmaps) is detected too")
}

// FuzzReader feeds arbitrary bytes to the reader: it must return records or
// ErrCorruptSpill, never panic, and leak nothing.
func FuzzReader(f *testing.F) {
	mem := memory.NewGoAllocator()
	schema := schemaOf([]arrow.DataType{arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int16})
	rec := randomRecord(f, mem, schema, 5, 0.4, rand.New(rand.NewPCG(13, 14)))
	dir := f.TempDir()
	sf := writeFile(f, dir, rec, rec.NewSlice(1, 4))
	rec.Release()
	seed, err := os.ReadFile(sf.Path)
	require.NoError(f, err)
	f.Add(seed)
	f.Add(seed[:100])
	f.Add([]byte("GRSP"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cm := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer cm.AssertSize(t, 0)
		path := filepath.Join(t.TempDir(), "fuzz.spill")
		require.NoError(t, os.WriteFile(path, data, 0o600))
		file := &spill.File{Path: path, Bytes: int64(len(data)), Batches: 2, Rows: 8}
		r, err := spill.Open(file, schema, cm)
		require.NoError(t, err)
		got, err := readAll(r)
		for _, g := range got {
			// Touch every value: out-of-range offsets would panic here.
			col := g.Column(0).(*array.String)
			for i := range col.Len() {
				_ = col.Value(i)
			}
		}
		releaseAll(got)
		if err != nil && !errors.Is(err, io.EOF) {
			require.ErrorIs(t, err, spill.ErrCorruptSpill)
		}
	})
}

// TestStreamingReusesBodies reads batches of varying sizes, releasing each
// before the next, so the reader recycles batch bodies: the values must
// still come back exactly, and nothing may stay allocated after Close.
func TestStreamingReusesBodies(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(15, 16))
	schema := schemaOf([]arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.BinaryTypes.String, arrow.FixedWidthTypes.Boolean})
	var want []arrow.Record
	for i := range 12 {
		want = append(want, randomRecord(t, mem, schema, 1+(i*7919)%3000, 0.1, rng))
	}
	defer releaseAll(want)
	f := writeFile(t, t.TempDir(), want...)
	defer f.Remove()
	r, err := spill.Open(f, schema, mem)
	require.NoError(t, err)
	for i := range want {
		rec, err := r.Next()
		require.NoError(t, err)
		require.Truef(t, array.RecordEqual(want[i], rec), "batch %d", i)
		rec.Release()
	}
	_, err = r.Next()
	require.ErrorIs(t, err, io.EOF)
	// A record released after Close goes straight back to the allocator.
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	r, err = spill.Open(f, schema, mem)
	require.NoError(t, err)
	rec, err := r.Next()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.True(t, array.RecordEqual(want[0], rec))
	rec.Release()
}
