package spill

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ErrCorruptSpill reports a spill file or section that does not hold what
// its File or Section says: truncated, overwritten, or read with another
// schema. Readers return it (wrapped with context) instead of panicking.
var ErrCorruptSpill = errors.New("corrupt spill file")

// ErrUnsupportedType reports a column type the spill format cannot hold.
var ErrUnsupportedType = errors.New("unsupported spill column type")

// Format constants. Every batch starts with a header of headerSize bytes,
// followed by a column table of colEntrySize bytes per column, followed by
// the body: the columns' buffers, each padded to bufAlign bytes.
const (
	magic        = 0x50535247 // "GRSP" little-endian
	version      = 1
	headerSize   = 32
	colEntrySize = 40
	bufAlign     = 8
	// maxRows bounds the rows of one batch (Arrow Go indexes with int, and
	// offsets of string columns are int32).
	maxRows = 1<<31 - 1
	// maxCols bounds the columns of one batch (the header stores a uint16).
	maxCols = 1<<16 - 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// kind is how a column type lays out its buffers.
type kind uint8

const (
	kNull  kind = iota // no buffers
	kBool              // validity, value bits
	kFixed             // validity, values of width bytes
	kVar32             // validity, int32 offsets, bytes
	kVar64             // validity, int64 offsets, bytes
)

// layout describes a column type's buffers: its kind and, for kFixed, the
// byte width of one value.
type layout struct {
	kind  kind
	width int
}

// layoutOf returns the layout of dt, or an error wrapping ErrUnsupportedType.
func layoutOf(dt arrow.DataType) (layout, error) {
	switch dt.ID() {
	case arrow.NULL:
		return layout{kind: kNull}, nil
	case arrow.BOOL:
		return layout{kind: kBool}, nil
	case arrow.STRING, arrow.BINARY:
		return layout{kind: kVar32}, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return layout{kind: kVar64}, nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME32, arrow.TIME64,
		arrow.DURATION, arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME,
		arrow.INTERVAL_MONTH_DAY_NANO, arrow.DECIMAL128, arrow.DECIMAL256,
		arrow.FIXED_SIZE_BINARY:
		fw, ok := dt.(arrow.FixedWidthDataType)
		if ok && fw.BitWidth() > 0 && fw.BitWidth()%8 == 0 {
			return layout{kind: kFixed, width: fw.BitWidth() / 8}, nil
		}
	}
	return layout{}, fmt.Errorf("spill: %s: %w", dt, ErrUnsupportedType)
}

// CheckType returns nil when the spill format can hold columns of type dt,
// and an error wrapping ErrUnsupportedType otherwise. Supported: null,
// boolean, string, binary and their large variants, and every fixed-width
// type with whole-byte values (integers, floats, dates, times, timestamps,
// durations, intervals, decimals, fixed-size binary).
func CheckType(dt arrow.DataType) error {
	_, err := layoutOf(dt)
	return err
}

// colEntry is one column's line in the column table: its type id, null
// count and the byte lengths of its three buffers (validity; values, value
// bits or offsets; variable-length bytes), before padding.
type colEntry struct {
	typ   arrow.Type
	nulls int64
	lens  [3]int64
}

// header is the fixed part of a batch header.
type header struct {
	rows int64
	cols int
	body int64 // body bytes, padding included
}

// padded rounds n up to a multiple of bufAlign.
func padded(n int64) int64 { return (n + bufAlign - 1) &^ (bufAlign - 1) }

// encodeHeader writes the header and column table into buf (of size
// headerSize + colEntrySize*len(cols)) and stamps the checksum.
func encodeHeader(buf []byte, h header, cols []colEntry) {
	le := binary.LittleEndian
	le.PutUint32(buf[0:], magic)
	le.PutUint16(buf[4:], version)
	le.PutUint16(buf[6:], uint16(h.cols))
	le.PutUint64(buf[8:], uint64(h.rows))
	le.PutUint64(buf[16:], uint64(h.body))
	le.PutUint32(buf[24:], 0)
	le.PutUint32(buf[28:], 0)
	for i, c := range cols {
		e := buf[headerSize+i*colEntrySize:]
		le.PutUint32(e[0:], uint32(c.typ))
		le.PutUint32(e[4:], 0)
		le.PutUint64(e[8:], uint64(c.nulls))
		for j, n := range c.lens {
			le.PutUint64(e[16+8*j:], uint64(n))
		}
	}
	le.PutUint32(buf[24:], crc32.Checksum(buf, castagnoli))
}

// decodeFixed parses the fixed part of a header. The checksum is verified
// later, over the whole header, by decodeColumns.
func decodeFixed(buf []byte) (header, error) {
	le := binary.LittleEndian
	if m := le.Uint32(buf[0:]); m != magic {
		return header{}, corrupt("bad magic %#x", m)
	}
	if v := le.Uint16(buf[4:]); v != version {
		return header{}, corrupt("unknown version %d", v)
	}
	h := header{
		cols: int(le.Uint16(buf[6:])),
		rows: int64(le.Uint64(buf[8:])),
		body: int64(le.Uint64(buf[16:])),
	}
	if h.rows < 0 || h.rows > maxRows || h.body < 0 {
		return header{}, corrupt("implausible header: %d rows, %d body bytes", h.rows, h.body)
	}
	return h, nil
}

// decodeColumns verifies the checksum of the whole header buf and parses
// its column table into cols.
func decodeColumns(buf []byte, cols []colEntry) error {
	le := binary.LittleEndian
	want := le.Uint32(buf[24:])
	le.PutUint32(buf[24:], 0)
	got := crc32.Checksum(buf, castagnoli)
	le.PutUint32(buf[24:], want)
	if got != want {
		return corrupt("header checksum mismatch")
	}
	for i := range cols {
		e := buf[headerSize+i*colEntrySize:]
		cols[i].typ = arrow.Type(le.Uint32(e[0:]))
		cols[i].nulls = int64(le.Uint64(e[8:]))
		for j := range cols[i].lens {
			cols[i].lens[j] = int64(le.Uint64(e[16+8*j:]))
		}
	}
	return nil
}

// expectLens checks that a column's declared buffer lengths fit its layout
// and row count, so that reading them can never index out of range.
func (l layout) expectLens(c colEntry, rows int64) error {
	bitmap := bitutil.BytesForBits(rows)
	switch {
	case c.nulls < 0 || c.nulls > rows:
		return corrupt("%d nulls in %d rows", c.nulls, rows)
	case l.kind == kNull:
		if c.nulls != rows || c.lens != [3]int64{} {
			return corrupt("null column with buffers")
		}
		return nil
	case c.nulls == 0 && c.lens[0] != 0, c.nulls > 0 && c.lens[0] != bitmap:
		return corrupt("validity of %d bytes for %d rows, %d nulls", c.lens[0], rows, c.nulls)
	}
	var values, data int64
	switch l.kind {
	case kBool:
		values = bitmap
	case kFixed:
		values = rows * int64(l.width)
	case kVar32:
		values = (rows + 1) * 4
		data = c.lens[2]
	case kVar64:
		values = (rows + 1) * 8
		data = c.lens[2]
	}
	if c.lens[1] != values || c.lens[2] != data || data < 0 {
		return corrupt("buffers of %d and %d bytes for %d rows", c.lens[1], c.lens[2], rows)
	}
	return nil
}

// corrupt builds an error wrapping ErrCorruptSpill.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("spill: %s: %w", fmt.Sprintf(format, args...), ErrCorruptSpill)
}

// bytesOf returns the bytes of b, or nil for a nil buffer.
func bytesOf(b *memory.Buffer) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

// asSlice reinterprets b as a []T without copying. Arrow buffers and Go
// allocations of 8 bytes or more are 8-byte aligned, and so is every buffer
// inside a batch body (bufAlign).
func asSlice[T int32 | int64](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}
