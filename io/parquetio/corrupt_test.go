package parquetio

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// scratch is a file rewritten in place for each input (rewriting a file
// through its open handle is far cheaper than creating or truncating it by
// name on most file systems).
type scratch struct {
	path string
	f    *os.File
}

func newScratch(t testing.TB) *scratch {
	path := filepath.Join(t.TempDir(), "f.parquet")
	f, err := os.Create(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return &scratch{path: path, f: f}
}

// readBytes opens data as a one-file dataset and reads every column it can.
func readBytes(t testing.TB, s *scratch, data []byte) error {
	if err := s.f.Truncate(int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.f.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	return readPath(t, s.path)
}

func readPath(t testing.TB, path string) error {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d, err := Open(context.Background(), []string{path}, ReadOptions{})
	if err != nil {
		return err
	}
	d.sample.mem = mem
	d.Stats() // the distinct-count sample must survive any damage, never panic
	var cols []int
	for i, f := range d.fields {
		if f.unsupported == nil {
			cols = append(cols, i)
		}
	}
	if cols == nil {
		cols = []int{}
	}
	_, err = tryScan(mem, d, source.ScanRequest{Columns: cols, BatchSize: 1000}, false)
	return err
}

// requireTyped fails unless err is nil or a typed error about the file.
func requireTyped(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrCorruptFile) && !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("%s: untyped error: %v", what, err)
	}
}

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	fn()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

const allocLimit = 64 << 20

// corruptSamples are small files of different writers and codecs.
func corruptSamples(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, name := range []string{"polars_nested_list.parquet", "polars_types.parquet", "duckdb_hive_sales/year=2023/month=1/data_0.parquet"} {
		b, err := os.ReadFile(td(name))
		require.NoError(t, err)
		out[filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name)] = b
	}
	out["grain"] = grainSample(t)
	return out
}

// grainSample is a small file written by Write with every supported type.
func grainSample(t testing.TB) []byte {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	dir := filepath.Join(t.TempDir(), "g")
	res, err := Write(context.Background(), dir, allTypesSchema, recordsOf(allTypesRecord(mem, 0, 300)), WriteOptions{RowGroupRows: 100, Compression: Zstd})
	require.NoError(t, err)
	b, err := os.ReadFile(res.Files[0])
	require.NoError(t, err)
	mem.AssertSize(t, 0)
	return b
}

func TestTruncatedFiles(t *testing.T) {
	dir := newScratch(t)
	for name, data := range corruptSamples(t) {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, readBytes(t, dir, data))
			lengths := map[int]bool{}
			for n := 0; n < len(data); n += 1 + len(data)/97 {
				lengths[n] = true
			}
			for n := max(0, len(data)-64); n < len(data); n++ {
				lengths[n] = true
			}
			for n := range lengths {
				var err error
				if a := allocated(func() { err = readBytes(t, dir, data[:n]) }); a > allocLimit {
					t.Fatalf("prefix %d allocated %d bytes", n, a)
				}
				require.ErrorIs(t, err, ErrCorruptFile, "prefix of %d bytes", n)
			}
		})
	}
}

func TestFlippedBytes(t *testing.T) {
	dir := newScratch(t)
	for name, data := range corruptSamples(t) {
		t.Run(name, func(t *testing.T) {
			footerLen := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
			footerStart := len(data) - 8 - footerLen
			rng := rand.New(rand.NewSource(1))
			var positions []int
			want := 600 // every footer byte of small footers
			if raceEnabled {
				want = 100
			}
			stride := max(1, (footerLen+8)/want)
			for i := footerStart; i < len(data); i += stride {
				positions = append(positions, i)
			}
			for range want / 3 { // pages
				positions = append(positions, 4+rng.Intn(footerStart-4))
			}
			corrupted := 0
			buf := make([]byte, len(data))
			for k, pos := range positions {
				masks := []byte{0xff}
				if k%3 == 0 {
					masks = append(masks, 1<<(k%8))
				}
				for _, mask := range masks {
					copy(buf, data)
					buf[pos] ^= mask
					var err error
					if a := allocated(func() { err = readBytes(t, dir, buf) }); a > allocLimit {
						t.Fatalf("flip %#x at %d allocated %d bytes", mask, pos, a)
					}
					requireTyped(t, err, "flip at "+itoa(pos))
					if errors.Is(err, ErrCorruptFile) {
						corrupted++
					}
				}
			}
			require.Greater(t, corrupted, len(positions)/4, "most flips must be detected")
		})
	}
}

func itoa(i int) string {
	return string(rune('0'+i%10)) + "@" + string(binary.AppendUvarint(nil, uint64(i)))
}

func TestNotParquet(t *testing.T) {
	dir := newScratch(t)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("id,name\n1,a\n2,b\n"),
		"magic":     []byte("PAR1PAR1"),
		"tiny":      []byte("PAR1\x00\x00\x00\x00PAR1"),
		"huge len":  append([]byte("PAR1xxxxxxxxxxxxxxxx"), 0xff, 0xff, 0xff, 0xff, 'P', 'A', 'R', '1'),
		"bad start": append([]byte("XXXX"), grainSample(t)[4:]...),
	} {
		err := readBytes(t, dir, data)
		require.ErrorIs(t, err, ErrCorruptFile, name)
		var ce *CorruptError
		require.ErrorAs(t, err, &ce, name)
		require.Equal(t, dir.path, ce.Path)
	}
}

// rewriteFooter decodes a file's footer, lets edit change it and
// re-encodes the file.
func rewriteFooter(t *testing.T, data []byte, edit func(*format.FileMetaData)) []byte {
	footerLen := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	start := len(data) - 8 - footerLen
	var md format.FileMetaData
	require.NoError(t, thrift.Unmarshal(new(thrift.CompactProtocol), data[start:len(data)-8], &md))
	edit(&md)
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	require.NoError(t, err)
	out := append(append([]byte{}, data[:start]...), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

func TestAbsurdFooters(t *testing.T) {
	dir := newScratch(t)
	data := grainSample(t)
	// The rewrite itself keeps the file valid.
	require.NoError(t, readBytes(t, dir, rewriteFooter(t, data, func(*format.FileMetaData) {})))
	cases := map[string]func(*format.FileMetaData){
		"rows everywhere": func(md *format.FileMetaData) {
			md.NumRows = 1 << 60
			for i := range md.RowGroups {
				md.RowGroups[i].NumRows = 1 << 60 / int64(len(md.RowGroups))
				for j := range md.RowGroups[i].Columns {
					md.RowGroups[i].Columns[j].MetaData.NumValues = md.RowGroups[i].NumRows
				}
			}
		},
		"file rows": func(md *format.FileMetaData) { md.NumRows = 1 << 40 },
		"negative rows": func(md *format.FileMetaData) {
			md.NumRows = -5
			md.RowGroups[0].NumRows = -5
		},
		"chunk past the end": func(md *format.FileMetaData) {
			md.RowGroups[0].Columns[0].MetaData.TotalCompressedSize = 1 << 40
		},
		"chunk in footer": func(md *format.FileMetaData) {
			md.RowGroups[0].Columns[0].MetaData.DataPageOffset = int64(len(data)) - 20
		},
		"fewer values": func(md *format.FileMetaData) { md.RowGroups[0].Columns[1].MetaData.NumValues-- },
		"more rows than pages": func(md *format.FileMetaData) {
			md.NumRows += 5
			md.RowGroups[0].NumRows += 5
			for j := range md.RowGroups[0].Columns {
				md.RowGroups[0].Columns[j].MetaData.NumValues += 5
			}
		},
		"schema children": func(md *format.FileMetaData) { md.Schema[0].NumChildren.V = 1 << 30 },
	}
	for name, edit := range cases {
		var err error
		a := allocated(func() { err = readBytes(t, dir, rewriteFooter(t, data, edit)) })
		require.Less(t, a, uint64(allocLimit), name)
		require.ErrorIs(t, err, ErrCorruptFile, name)
	}
	// Without any column to decode (COUNT(*)), inflated row counts are
	// still caught.
	for _, name := range []string{"more rows than pages", "rows everywhere"} {
		b := rewriteFooter(t, data, cases[name])
		require.NoError(t, dir.f.Truncate(int64(len(b))))
		_, err := dir.f.WriteAt(b, 0)
		require.NoError(t, err)
		mem := newMem(t)
		d, err := Open(context.Background(), []string{dir.path}, ReadOptions{})
		if err == nil {
			_, err = tryScan(mem, d, source.ScanRequest{Columns: []int{}}, false)
		}
		require.ErrorIs(t, err, ErrCorruptFile, name)
	}
}

func TestCheckPagesRejectsHugeSizes(t *testing.T) {
	header := func(h format.PageHeader) []byte {
		b, err := thrift.Marshal(new(thrift.CompactProtocol), &h)
		require.NoError(t, err)
		return b
	}
	v1 := func(n int32) format.PageHeader {
		h := format.PageHeader{Type: format.DataPage, CompressedPageSize: 4, UncompressedPageSize: 4}
		h.DataPageHeader.Valid = true
		h.DataPageHeader.V.NumValues = n
		return h
	}
	ok := append(header(v1(10)), 0, 0, 0, 0)
	require.NoError(t, checkPages(ok, format.Uncompressed, 10))
	require.Error(t, checkPages(ok, format.Uncompressed, 9), "more values than rows")
	require.Error(t, checkPages(ok, format.Uncompressed, 11), "fewer values than rows")

	big := v1(10)
	big.UncompressedPageSize = 1 << 30
	require.Error(t, checkPages(append(header(big), 0, 0, 0, 0), format.Uncompressed, 10))
	long := v1(10)
	long.CompressedPageSize = 1 << 20
	require.Error(t, checkPages(append(header(long), 0, 0, 0, 0), format.Uncompressed, 10))
	// A snappy block announcing more than the page's size.
	snappyBomb := append(header(v1(10)), binary.AppendUvarint(nil, 1<<31)...)
	require.Error(t, checkPages(snappyBomb[:len(snappyBomb)-1], format.Snappy, 10))
	// A zstd frame announcing 60 GB.
	zh := v1(10)
	zh.CompressedPageSize = 14
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0, 0, 0, 0, 0x0f, 0, 0, 0, 0}
	require.Error(t, checkPages(append(header(zh), frame...), format.Zstd, 10))
	// Large gzip pages are measured before parquet-go inflates them.
	raw := make([]byte, 200<<10)
	rand.New(rand.NewSource(2)).Read(raw)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.Greater(t, gz.Len(), gzipUnchecked)
	require.NoError(t, checkCompressed(format.Gzip, gz.Bytes(), len(raw)))
	require.Error(t, checkCompressed(format.Gzip, gz.Bytes(), len(raw)-1))
	require.Error(t, checkCompressed(format.Gzip, gz.Bytes()[:gz.Len()/2], len(raw)))
	// A thrift list claiming 2^31 elements never reaches the decoder.
	_, err = checkThrift([]byte{0x19, 0xf8, 0xff, 0xff, 0xff, 0x07, 0})
	require.Error(t, err)
	_, err = checkThrift(bytes.Repeat([]byte{0x1c}, 100)) // nested structs
	require.Error(t, err)
}

// FuzzReadParquet feeds arbitrary bytes to the reader: it must return a
// typed error or data, never panic, leak Arrow memory or allocate without
// bound.
func FuzzReadParquet(f *testing.F) {
	for _, data := range corruptSamples(f) {
		f.Add(data)
	}
	dir := newScratch(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var err error
		if a := allocated(func() { err = readBytes(t, dir, data) }); a > allocLimit+uint64(len(data))*4 {
			t.Fatalf("allocated %d bytes for a %d-byte file", a, len(data))
		}
		requireTyped(t, err, "fuzz input")
	})
}
