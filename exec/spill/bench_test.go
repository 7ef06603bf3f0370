package spill_test

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/spill"
)

// benchBatches returns batches of 64K rows of one column of type dt (no
// nulls, strings of 0–11 bytes) and their total buffer bytes.
func benchBatches(b *testing.B, mem memory.Allocator, dt arrow.DataType, batches int) ([]arrow.Record, int64) {
	schema := schemaOf([]arrow.DataType{dt})
	rng := rand.New(rand.NewPCG(1, 1))
	recs := make([]arrow.Record, batches)
	var bytes int64
	for i := range recs {
		recs[i] = randomRecord(b, mem, schema, 64<<10, 0, rng)
		for _, buf := range recs[i].Column(0).Data().Buffers() {
			if buf != nil {
				bytes += int64(buf.Len())
			}
		}
	}
	return recs, bytes
}

// BenchmarkFormat compares Grain's spill format with Arrow IPC files on
// 64K-row batches (16 per file), writing to and reading from a hot page
// cache. Throughput is in Arrow buffer bytes.
func BenchmarkFormat(b *testing.B) {
	types := []struct {
		name string
		dt   arrow.DataType
	}{
		{"int64", arrow.PrimitiveTypes.Int64},
		{"float64", arrow.PrimitiveTypes.Float64},
		{"string", arrow.BinaryTypes.String},
	}
	mem := memory.NewGoAllocator()
	for _, tc := range types {
		recs, bytes := benchBatches(b, mem, tc.dt, 16)
		schema := recs[0].Schema()
		for _, f := range []struct {
			name  string
			write func(b *testing.B, dir string, recs []arrow.Record) string
			read  func(b *testing.B, path string, schema *arrow.Schema, mem memory.Allocator) int64
		}{
			{"spill", writeSpill, readSpill},
			{"ipc", writeIPC, readIPC},
		} {
			b.Run("type="+tc.name+"/format="+f.name+"/op=write", func(b *testing.B) {
				dir := b.TempDir()
				b.SetBytes(bytes)
				b.ReportAllocs()
				for range b.N {
					require.NoError(b, os.Remove(f.write(b, dir, recs)))
				}
			})
			b.Run("type="+tc.name+"/format="+f.name+"/op=read", func(b *testing.B) {
				path := f.write(b, b.TempDir(), recs)
				b.SetBytes(bytes)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if rows := f.read(b, path, schema, mem); rows != 16*64<<10 {
						b.Fatalf("read %d rows", rows)
					}
				}
			})
		}
		for _, r := range recs {
			r.Release()
		}
	}
}

// writeSpill writes recs to a new spill file and returns its path.
func writeSpill(b *testing.B, dir string, recs []arrow.Record) string {
	w, err := spill.NewWriter(dir, "bench")
	require.NoError(b, err)
	for _, r := range recs {
		require.NoError(b, w.Write(r))
	}
	f, err := w.Finish()
	require.NoError(b, err)
	return f.Path
}

// readSpill reads every batch of the spill file at path.
func readSpill(b *testing.B, path string, schema *arrow.Schema, mem memory.Allocator) int64 {
	st, err := os.Stat(path)
	require.NoError(b, err)
	// Rows and Batches are only checked at the end; give the real ones.
	f := &spill.File{Path: path, Bytes: st.Size(), Rows: 16 * 64 << 10, Batches: 16}
	r, err := spill.Open(f, schema, mem)
	require.NoError(b, err)
	defer r.Close()
	rows := int64(0)
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		require.NoError(b, err)
		rows += rec.NumRows()
		rec.Release()
	}
}

// writeIPC writes recs to a new Arrow IPC file through a 1 MiB buffer.
func writeIPC(b *testing.B, dir string, recs []arrow.Record) string {
	f, err := os.CreateTemp(dir, "bench-*.arrow")
	require.NoError(b, err)
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := ipc.NewFileWriter(&countingWriter{w: bw}, ipc.WithSchema(recs[0].Schema()), ipc.WithAllocator(memory.NewGoAllocator()))
	require.NoError(b, err)
	for _, r := range recs {
		require.NoError(b, w.Write(r))
	}
	require.NoError(b, w.Close())
	require.NoError(b, bw.Flush())
	require.NoError(b, f.Close())
	return filepath.Clean(f.Name())
}

// readIPC reads every record of the Arrow IPC file at path.
func readIPC(b *testing.B, path string, _ *arrow.Schema, mem memory.Allocator) int64 {
	f, err := os.Open(path)
	require.NoError(b, err)
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	require.NoError(b, err)
	defer r.Close()
	rows := int64(0)
	for i := range r.NumRecords() {
		rec, err := r.RecordAt(i)
		require.NoError(b, err)
		rows += rec.NumRows()
		rec.Release()
	}
	return rows
}

// countingWriter lets a buffered writer serve as the io.WriteSeeker
// ipc.NewFileWriter wants: it only asks for the current position.
type countingWriter struct {
	w *bufio.Writer
	n int64
}

// Write writes p and counts it.
func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Seek reports the position for Seek(0, io.SeekCurrent) and refuses the rest.
func (c *countingWriter) Seek(off int64, whence int) (int64, error) {
	if off == 0 && whence == io.SeekCurrent {
		return c.n, nil
	}
	return 0, errors.New("seek not supported")
}
