package parquetio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Limits that bound what a damaged file can make the reader allocate.
const (
	// maxPageValues bounds the values of one data page and of a dictionary.
	// Writers cut pages at about 1 MiB or 20,000 rows, far below it.
	maxPageValues = 1 << 24
	// maxPageBytes bounds the uncompressed size of one page.
	maxPageBytes = 256 << 20
	// minPageBytes is the least a page (header included) can take, used to
	// bound the rows a column chunk of a given size can hold.
	minPageBytes = 8
	// readBufferSize is parquet-go's read buffer; chunks are parsed from
	// memory, so pages bypass it (see doc.go).
	readBufferSize = 4 << 10
)

var parquetMagic = []byte("PAR1")

// guard runs fn, turning a panic inside parquet-go into a CorruptError for
// path. Every call into parquet-go that parses file contents goes through it.
func guard(path string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(path, "decoder panic: %v", r)
		}
	}()
	return fn()
}

// smallFile is the size up to which a file is read whole with one read:
// for tiny files the number of reads, not their size, is the cost.
const smallFile = 256 << 10

// parquetFile is an open Parquet file: its contents (an OS handle, or the
// whole file in memory when small) and the parsed footer.
type parquetFile struct {
	path string
	r    io.ReaderAt
	f    *os.File // nil once closed or when the file is held in memory
	size int64
	pf   *parquet.File
	md   *format.FileMetaData
}

func (p *parquetFile) Close() error {
	if p == nil || p.f == nil {
		return nil
	}
	err := p.f.Close()
	p.f = nil
	return err
}

// openParquet opens path and parses its footer after checking that every
// size in it fits the file; with whole, a small file is read entirely
// first. The caller closes the result.
func openParquet(path string, whole bool) (_ *parquetFile, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil && f != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	p := &parquetFile{path: path, r: f, f: f, size: st.Size()}
	if whole && p.size <= smallFile {
		data := make([]byte, p.size)
		if _, err := io.ReadFull(f, data); err != nil {
			return nil, err
		}
		p.r, p.f = bytes.NewReader(data), nil
		f.Close()
		f = nil
	}
	if p.pf, err = parseFooter(path, p.r, p.size); err != nil {
		return nil, err
	}
	p.md = p.pf.Metadata()
	return p, nil
}

// parseFooter validates the magic numbers and the footer's encoding, then
// lets parquet-go decode it and checks the decoded metadata.
func parseFooter(path string, r io.ReaderAt, size int64) (*parquet.File, error) {
	if size < 12 {
		return nil, corrupt(path, "file of %d bytes is too small for parquet", size)
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return nil, corrupt(path, "read header: %w", err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, corrupt(path, "read footer: %w", err)
	}
	if string(head[:4]) == "PARE" || string(tail[4:]) == "PARE" {
		return nil, fmt.Errorf("%w: %s is encrypted", ErrUnsupportedType, path)
	}
	if !bytes.Equal(head[:4], parquetMagic) || !bytes.Equal(tail[4:], parquetMagic) {
		return nil, corrupt(path, "not a parquet file (no PAR1 magic)")
	}
	footerLen := int64(binary.LittleEndian.Uint32(tail[:4]))
	if footerLen == 0 || footerLen > size-12 {
		return nil, corrupt(path, "footer length %d does not fit a file of %d bytes", footerLen, size)
	}
	footer := make([]byte, footerLen)
	if _, err := r.ReadAt(footer, size-8-footerLen); err != nil {
		return nil, corrupt(path, "read footer: %w", err)
	}
	n, err := checkThrift(footer)
	if err != nil {
		return nil, corrupt(path, "footer: %w", err)
	}
	if int64(n) != footerLen {
		return nil, corrupt(path, "footer: %d trailing bytes", footerLen-int64(n))
	}
	var pf *parquet.File
	err = guard(path, func() error {
		var err error
		pf, err = parquet.OpenFile(&tailReader{r: r, off: size - 8 - footerLen, tail: append(footer, tail[:]...)}, size,
			parquet.SkipPageIndex(true),
			parquet.SkipBloomFilters(true),
			parquet.ReadBufferSize(readBufferSize),
		)
		return err
	})
	if err != nil {
		return nil, asCorrupt(path, err)
	}
	if err := checkMetadata(pf.Metadata(), size-8-footerLen); err != nil {
		return nil, corrupt(path, "%w", err)
	}
	return pf, nil
}

// tailReader serves the footer from memory so opening reads it only once.
type tailReader struct {
	r    io.ReaderAt
	off  int64
	tail []byte
}

func (t *tailReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= t.off && off+int64(len(p)) <= t.off+int64(len(t.tail)) {
		return copy(p, t.tail[off-t.off:]), nil
	}
	return t.r.ReadAt(p, off)
}

// checkMetadata rejects metadata that contradicts itself or the file size:
// negative or inconsistent counts, column chunks outside the data area, and
// row counts no chunk of that size could hold.
func checkMetadata(md *format.FileMetaData, dataEnd int64) error {
	if md.NumRows < 0 {
		return fmt.Errorf("negative row count %d", md.NumRows)
	}
	var rows int64
	for i := range md.RowGroups {
		rg := &md.RowGroups[i]
		if rg.NumRows < 0 || rg.NumRows > math.MaxInt64-rows {
			return fmt.Errorf("row group %d: bad row count %d", i, rg.NumRows)
		}
		rows += rg.NumRows
		for j := range rg.Columns {
			if err := checkChunkMeta(&rg.Columns[j], rg.NumRows, dataEnd); err != nil {
				return fmt.Errorf("row group %d column %d: %w", i, j, err)
			}
		}
	}
	if rows != md.NumRows {
		return fmt.Errorf("row groups hold %d rows but the footer says %d", rows, md.NumRows)
	}
	return nil
}

func checkChunkMeta(c *format.ColumnChunk, rows, dataEnd int64) error {
	if c.FilePath != "" {
		return errors.New("column chunks in external files are not supported")
	}
	m := &c.MetaData
	start := chunkStart(m)
	switch {
	case m.DictionaryPageOffset < 0 || m.DictionaryPageOffset > m.DataPageOffset:
		return fmt.Errorf("dictionary page offset %d is not before data page offset %d", m.DictionaryPageOffset, m.DataPageOffset)
	case m.NumValues < 0:
		return fmt.Errorf("negative value count %d", m.NumValues)
	case m.TotalCompressedSize < 0 || m.TotalUncompressedSize < 0:
		return errors.New("negative chunk size")
	case start < 4 || m.DataPageOffset < start || start > dataEnd || m.TotalCompressedSize > dataEnd-start:
		return fmt.Errorf("chunk [%d, +%d) lies outside the data area [4, %d)", start, m.TotalCompressedSize, dataEnd)
	case rows > (m.TotalCompressedSize/minPageBytes+1)*maxPageValues:
		return fmt.Errorf("%d rows cannot fit in a chunk of %d bytes", rows, m.TotalCompressedSize)
	}
	return nil
}

// chunkStart is the file offset of a column chunk's first page, as
// parquet-go computes it.
func chunkStart(m *format.ColumnMetaData) int64 {
	if m.DictionaryPageOffset != 0 {
		return m.DictionaryPageOffset
	}
	return m.DataPageOffset
}
