package parquetio

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Page header validation.
//
// parquet-go sizes its buffers from page headers (compressed and
// uncompressed sizes, value counts) and from the headers of compressed
// blocks (snappy's decoded length, zstd's frame content size) before it
// checks them against the data. checkPages reads every page header of a
// column chunk, which the reader holds in memory, and rejects the chunk
// when a size exceeds what the chunk or the row group can hold, so a
// damaged page costs an error, not a multi-gigabyte allocation.
// Gzip pages small enough that deflate's 1032:1 ratio bounds them are not
// inspected; larger ones are decompressed once into a counting sink first.
// Refused with ErrUnsupportedType: brotli (its ratio is unbounded and
// parquet-go's decoder grows without limit), LZ4_RAW (parquet-go v0.32's
// decoder doubles its buffer forever on bad data, and when it has to
// reallocate, the page keeps the old, unfilled buffer: silently wrong
// values), and the deprecated LZ4 and LZO codecs, which parquet-go does
// not read.

// maxZstdWindow is the largest zstd window accepted (zstd's level 22).
const maxZstdWindow = 1 << 27

// checkPages validates the pages of one flat column chunk: buf holds the
// chunk's bytes and rows is its row group's row count.
func checkPages(buf []byte, codec format.CompressionCodec, rows int64) error {
	if err := checkCodec(codec); err != nil {
		return err
	}
	var values int64
	dict := false
	for pos := 0; pos < len(buf); {
		n, err := checkThrift(buf[pos:])
		if err != nil {
			return fmt.Errorf("page header at chunk offset %d: %w", pos, err)
		}
		var h format.PageHeader
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), buf[pos:pos+n], &h); err != nil {
			return fmt.Errorf("page header at chunk offset %d: %w", pos, err)
		}
		body := pos + n
		if h.CompressedPageSize < 0 || int64(h.CompressedPageSize) > int64(len(buf)-body) {
			return fmt.Errorf("page at chunk offset %d claims %d bytes, %d remain", pos, h.CompressedPageSize, len(buf)-body)
		}
		if h.UncompressedPageSize < 0 || h.UncompressedPageSize > maxPageBytes {
			return fmt.Errorf("page at chunk offset %d claims an uncompressed size of %d", pos, h.UncompressedPageSize)
		}
		page := buf[body : body+int(h.CompressedPageSize)]
		nv, skip, err := checkPageHeader(&h, &dict)
		if err != nil {
			return fmt.Errorf("page at chunk offset %d: %w", pos, err)
		}
		if nv > rows-values {
			return fmt.Errorf("pages hold more than the row group's %d rows", rows)
		}
		values += nv
		if skip >= 0 {
			if err := checkCompressed(codec, page[skip:], int(h.UncompressedPageSize)); err != nil {
				return fmt.Errorf("page at chunk offset %d: %w", pos, err)
			}
		}
		pos = body + int(h.CompressedPageSize)
	}
	if values != rows {
		return fmt.Errorf("pages hold %d values, the row group has %d rows", values, rows)
	}
	return nil
}

// checkPageHeader validates the header of one page and returns the rows it
// holds and where its compressed section starts (past uncompressed levels
// in v2 pages; -1 when nothing is compressed).
func checkPageHeader(h *format.PageHeader, dict *bool) (rows int64, skip int, err error) {
	switch h.Type {
	case format.DataPage:
		if !h.DataPageHeader.Valid {
			return 0, 0, errors.New("data page without a data page header")
		}
		nv := int64(h.DataPageHeader.V.NumValues)
		if nv < 0 || nv > maxPageValues {
			return 0, 0, fmt.Errorf("bad value count %d", nv)
		}
		return nv, 0, nil
	case format.DataPageV2:
		if !h.DataPageHeaderV2.Valid {
			return 0, 0, errors.New("data page v2 without its header")
		}
		v := &h.DataPageHeaderV2.V
		levels := int64(v.DefinitionLevelsByteLength) + int64(v.RepetitionLevelsByteLength)
		switch {
		case v.NumValues < 0 || v.NumValues > maxPageValues:
			return 0, 0, fmt.Errorf("bad value count %d", v.NumValues)
		case v.NumNulls < 0 || v.NumNulls > v.NumValues || v.NumRows != v.NumValues:
			return 0, 0, fmt.Errorf("bad counts: %d values, %d nulls, %d rows", v.NumValues, v.NumNulls, v.NumRows)
		case v.DefinitionLevelsByteLength < 0 || v.RepetitionLevelsByteLength < 0 || levels > int64(h.CompressedPageSize):
			return 0, 0, errors.New("bad level lengths")
		}
		skip = int(levels)
		if v.IsCompressed.Valid && !v.IsCompressed.V {
			skip = -1
		}
		return int64(v.NumValues), skip, nil
	case format.DictionaryPage:
		if !h.DictionaryPageHeader.Valid {
			return 0, 0, errors.New("dictionary page without its header")
		}
		if *dict {
			return 0, 0, errors.New("second dictionary page")
		}
		*dict = true
		if nv := h.DictionaryPageHeader.V.NumValues; nv < 0 || nv > maxPageValues {
			return 0, 0, fmt.Errorf("bad dictionary size %d", nv)
		}
		return 0, 0, nil
	case format.IndexPage:
		return 0, -1, nil
	}
	return 0, 0, fmt.Errorf("unknown page type %d", h.Type)
}

// checkCodec refuses the codecs whose output cannot be bounded.
func checkCodec(codec format.CompressionCodec) error {
	switch codec {
	case format.Uncompressed, format.Snappy, format.Gzip, format.Zstd:
		return nil
	}
	return fmt.Errorf("%w: compression codec %s", ErrUnsupportedType, codec)
}

// checkCompressed checks the size a compressed block announces against the
// page's uncompressed size.
func checkCompressed(codec format.CompressionCodec, b []byte, limit int) error {
	switch codec {
	case format.Snappy:
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(limit) {
			return fmt.Errorf("snappy block announces %d bytes, the page header %d", n, limit)
		}
	case format.Zstd:
		return checkZstd(b, limit)
	case format.Gzip:
		if len(b) > gzipUnchecked {
			return checkGzip(b, limit)
		}
	}
	return nil
}

// gzipUnchecked is the largest gzip page not decompressed twice: deflate
// expands at most 1032:1, so it stays under 64 MiB.
const gzipUnchecked = 64 << 10

// checkGzip decompresses a gzip stream into a counting sink, stopping past
// limit bytes.
func checkGzip(b []byte, limit int) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if n > int64(limit) {
		return fmt.Errorf("gzip stream exceeds the page's %d bytes", limit)
	}
	return nil
}

// checkZstd walks the frames of a zstd stream and rejects frame content
// sizes above limit, windows above maxZstdWindow and blocks that overrun
// the data.
func checkZstd(b []byte, limit int) error {
	total := uint64(0)
	for len(b) > 0 {
		if len(b) < 4 {
			return errors.New("truncated zstd frame")
		}
		magic := binary.LittleEndian.Uint32(b)
		if magic&0xFFFFFFF0 == 0x184D2A50 { // skippable frame
			if len(b) < 8 {
				return errors.New("truncated zstd frame")
			}
			n := uint64(binary.LittleEndian.Uint32(b[4:]))
			if n > uint64(len(b)-8) {
				return errors.New("truncated zstd frame")
			}
			b = b[8+n:]
			continue
		}
		if magic != 0xFD2FB528 {
			return errors.New("not a zstd frame")
		}
		size, n, err := zstdFrame(b)
		if err != nil {
			return err
		}
		if total += size; total > uint64(limit) {
			return fmt.Errorf("zstd frames announce more than the page's %d bytes", limit)
		}
		b = b[n:]
	}
	return nil
}

// zstdFrame parses the zstd frame at the start of b and returns its
// announced content size (0 when absent) and its length.
func zstdFrame(b []byte) (size uint64, n int, err error) {
	truncated := errors.New("truncated zstd frame")
	if len(b) < 6 {
		return 0, 0, truncated
	}
	fhd := b[4]
	if fhd&0x08 != 0 {
		return 0, 0, errors.New("zstd frame header: reserved bit set")
	}
	single := fhd&0x20 != 0
	pos := 5
	if !single {
		wd := b[pos]
		pos++
		base := uint64(1) << (10 + wd>>3)
		if window := base + base/8*uint64(wd&7); window > maxZstdWindow {
			return 0, 0, fmt.Errorf("zstd window of %d bytes", window)
		}
	}
	pos += [4]int{0, 1, 2, 4}[fhd&3]
	fcsLen := [4]int{0, 2, 4, 8}[fhd>>6]
	if fhd>>6 == 0 && single {
		fcsLen = 1
	}
	if pos+fcsLen > len(b) {
		return 0, 0, truncated
	}
	var fcs [8]byte
	copy(fcs[:], b[pos:pos+fcsLen])
	size = binary.LittleEndian.Uint64(fcs[:])
	if fcsLen == 2 {
		size += 256
	}
	pos += fcsLen
	for {
		if pos+3 > len(b) {
			return 0, 0, truncated
		}
		h := uint32(b[pos]) | uint32(b[pos+1])<<8 | uint32(b[pos+2])<<16
		pos += 3
		bsize := int(h >> 3)
		switch (h >> 1) & 3 {
		case 1: // RLE: one byte repeated bsize times
			bsize = 1
		case 3:
			return 0, 0, errors.New("zstd block of reserved type")
		}
		if bsize > len(b)-pos {
			return 0, 0, truncated
		}
		pos += bsize
		if h&1 != 0 {
			break
		}
	}
	if fhd&0x04 != 0 {
		pos += 4
	}
	if pos > len(b) {
		return 0, 0, truncated
	}
	return size, pos, nil
}
