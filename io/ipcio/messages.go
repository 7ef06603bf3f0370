package ipcio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// An Arrow IPC stream is a sequence of messages:
//
//	[0xFFFFFFFF] [int32 metadata length] [metadata: flatbuffer Message] [body]
//
// (older writers omit the 0xFFFFFFFF marker); a zero length ends the
// stream. The file format wraps a stream between the magic "ARROW1\0\0"
// and a footer:
//
//	ARROW1 00 00 │ stream │ footer flatbuffer │ int32 footer length │ ARROW1
//
// scanMessages walks the messages of either format reading only their
// metadata, skipping bodies, so that Open learns where every record batch
// lies and how many rows it holds without reading data. Every length is
// checked against the file size before anything is allocated, which also
// keeps arrow's own reader, run later over the same bytes, from making
// huge allocations on corrupt input.

var magic = []byte("ARROW1")

// Message header types (Message.fbs).
const (
	msgSchema      = 1
	msgDictionary  = 2
	msgRecordBatch = 3
)

// section is a byte range [off, end) of a file.
type section struct {
	off, end int64
}

// message is one scanned message.
type message struct {
	section
	body       int64 // body length
	rows       int64 // record batches only
	compressed bool  // record batches only: the body is compressed
}

// layout is what scanMessages learns about a file.
type layout struct {
	format  Format
	schema  section
	dicts   []message // dictionary batches, in order
	batches []message // record batches, in order
	// lateDicts: a dictionary batch follows a record batch (a replacement
	// or delta), so batches cannot be read apart from their predecessors.
	lateDicts bool
	rows      int64
}

// scanMessages reads the message layout of an IPC file or stream of size
// bytes.
func scanMessages(r io.ReaderAt, size int64) (*layout, error) {
	l := &layout{format: StreamFormat}
	start, limit := int64(0), size
	head := make([]byte, min(size, 8))
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if bytes.HasPrefix(head, magic) {
		var err error
		if limit, err = footerStart(r, size); err != nil {
			return nil, err
		}
		l.format, start = FileFormat, 8
	}
	first := true
	for pos := start; pos < limit; {
		m, eos, err := readMessage(r, pos, limit)
		if err != nil {
			return nil, fmt.Errorf("message at offset %d: %w", pos, err)
		}
		if eos {
			break
		}
		if first != (m.kind == msgSchema) {
			return nil, fmt.Errorf("message at offset %d: the schema must come first, and only once", pos)
		}
		first = false
		switch m.kind {
		case msgSchema:
			if err := verifySchema(r, m); err != nil {
				return nil, fmt.Errorf("schema: %w", err)
			}
			l.schema = m.section
		case msgDictionary:
			l.dicts = append(l.dicts, m.message)
			l.lateDicts = l.lateDicts || len(l.batches) > 0
		case msgRecordBatch:
			l.batches = append(l.batches, m.message)
			l.rows += m.rows
		default:
			return nil, fmt.Errorf("message at offset %d: unexpected message type %d", pos, m.kind)
		}
		pos = m.end
	}
	if first {
		return nil, fmt.Errorf("no schema message")
	}
	return l, nil
}

// footerStart checks the trailing magic of the file format and returns the
// offset where the footer begins, which is where the stream ends.
func footerStart(r io.ReaderAt, size int64) (int64, error) {
	if size < 8+4+int64(len(magic)) {
		return 0, fmt.Errorf("file too short for the Arrow file format")
	}
	tail := make([]byte, 4+len(magic))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil {
		return 0, fmt.Errorf("read footer: %w", err)
	}
	if !bytes.Equal(tail[4:], magic) {
		return 0, fmt.Errorf("missing trailing magic")
	}
	n := int64(int32(binary.LittleEndian.Uint32(tail)))
	end := size - int64(len(tail)) - n
	if n <= 0 || end < 8 {
		return 0, fmt.Errorf("bad footer length %d", n)
	}
	return end, nil
}

// scanned is a message with its header type.
type scanned struct {
	message
	kind int
	meta section // the metadata flatbuffer
}

// readMessage reads the message at pos; eos reports an end-of-stream marker.
func readMessage(r io.ReaderAt, pos, limit int64) (m scanned, eos bool, err error) {
	var hdr [8]byte
	n := min(limit-pos, 8)
	if n < 4 {
		return m, false, fmt.Errorf("truncated message header")
	}
	if _, err := r.ReadAt(hdr[:n], pos); err != nil {
		return m, false, err
	}
	cont := binary.LittleEndian.Uint32(hdr[:4])
	prefix, metaLen := int64(4), int64(int32(cont))
	switch {
	case cont == 0:
		return m, true, nil
	case cont == 0xFFFFFFFF:
		if n < 8 {
			return m, false, fmt.Errorf("truncated message header")
		}
		prefix, metaLen = 8, int64(int32(binary.LittleEndian.Uint32(hdr[4:])))
		if metaLen == 0 {
			return m, true, nil
		}
	}
	if metaLen < 0 || metaLen > limit-pos-prefix {
		return m, false, fmt.Errorf("metadata length %d exceeds the file", metaLen)
	}
	meta := make([]byte, metaLen)
	if _, err := r.ReadAt(meta, pos+prefix); err != nil {
		return m, false, err
	}
	if m, err = parseMessage(meta); err != nil {
		return m, false, err
	}
	bodyStart := pos + prefix + metaLen
	if m.body < 0 || m.body > limit-bodyStart {
		return m, false, fmt.Errorf("body length %d exceeds the file", m.body)
	}
	m.off, m.end = pos, bodyStart+m.body
	m.meta = section{off: pos + prefix, end: bodyStart}
	return m, false, nil
}

// parseMessage reads the fields Grain needs from a Message flatbuffer:
// header type (field 1), header (2), bodyLength (3); for a RecordBatch
// header, length (field 0) and compression (3).
func parseMessage(meta []byte) (scanned, error) {
	var m scanned
	t, ok := fbRoot(meta)
	if !ok {
		return m, fmt.Errorf("bad message metadata")
	}
	kind, ok1 := t.uint8(1)
	body, ok2 := t.int64(3)
	if !ok1 || !ok2 {
		return m, fmt.Errorf("bad message metadata")
	}
	m.kind, m.body = int(kind), body
	if m.kind == msgRecordBatch {
		rb, ok := t.table(2)
		if !ok {
			return m, fmt.Errorf("record batch message without a header")
		}
		// Arrow lengths are int32 in practice; a larger count in a corrupt
		// file would make readers of data-less columns loop for ages.
		if m.rows, ok = rb.int64(0); !ok || m.rows < 0 || m.rows > math.MaxInt32 {
			return m, fmt.Errorf("bad record batch length %d", m.rows)
		}
		m.compressed = rb.has(3)
	}
	return m, nil
}

// fbTable is a flatbuffer table inside buf; every access is bounds-checked.
type fbTable struct {
	buf     []byte
	pos, vt int // table and vtable offsets
	vtLen   int
}

func fbRoot(buf []byte) (fbTable, bool) {
	if len(buf) < 4 {
		return fbTable{}, false
	}
	return fbTableAt(buf, int64(binary.LittleEndian.Uint32(buf)))
}

func fbTableAt(buf []byte, pos int64) (fbTable, bool) {
	if pos < 0 || pos > int64(len(buf))-4 {
		return fbTable{}, false
	}
	vt := pos - int64(int32(binary.LittleEndian.Uint32(buf[pos:])))
	if vt < 0 || vt > int64(len(buf))-4 {
		return fbTable{}, false
	}
	vtLen := int(binary.LittleEndian.Uint16(buf[vt:]))
	if vtLen < 4 || vt+int64(vtLen) > int64(len(buf)) {
		return fbTable{}, false
	}
	return fbTable{buf: buf, pos: int(pos), vt: int(vt), vtLen: vtLen}, true
}

// field returns the offset in buf of field i and its size check, or -1
// when the field is absent.
func (t fbTable) field(i, size int) (int, bool) {
	o := 4 + 2*i
	if o+2 > t.vtLen {
		return -1, true
	}
	off := int(binary.LittleEndian.Uint16(t.buf[t.vt+o:]))
	if off == 0 {
		return -1, true
	}
	p := t.pos + off
	return p, p+size <= len(t.buf)
}

func (t fbTable) has(i int) bool {
	p, ok := t.field(i, 4)
	return p >= 0 && ok
}

func (t fbTable) uint8(i int) (uint8, bool) {
	p, ok := t.field(i, 1)
	if p < 0 || !ok {
		return 0, ok
	}
	return t.buf[p], true
}

func (t fbTable) int64(i int) (int64, bool) {
	p, ok := t.field(i, 8)
	if p < 0 || !ok {
		return 0, ok
	}
	return int64(binary.LittleEndian.Uint64(t.buf[p:])), true
}

func (t fbTable) table(i int) (fbTable, bool) {
	p, ok := t.field(i, 4)
	if p < 0 || !ok {
		return fbTable{}, false
	}
	return fbTableAt(t.buf, int64(p)+int64(binary.LittleEndian.Uint32(t.buf[p:])))
}
