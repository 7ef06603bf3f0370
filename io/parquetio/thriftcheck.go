package parquetio

import (
	"errors"
	"fmt"
)

// Thrift compact-protocol validation.
//
// parquet-go decodes footers and page headers with a reflection-based thrift
// decoder that trusts the sizes it reads: a list header claiming 2^31
// elements becomes a 2^31-element slice before the first element is read,
// and a binary field claiming 2 GiB becomes a 2 GiB buffer. A few flipped
// bits in a file would end the process with an out-of-memory error that no
// recover can catch. checkThrift walks the encoded bytes first, without
// allocating, and rejects any length that exceeds the bytes that remain
// (every list element and every map entry takes at least one byte), so the
// decoder only ever sees inputs whose allocations are bounded by their size.

// maxThriftDepth bounds the nesting of structs, lists and maps.
const maxThriftDepth = 48

// Compact protocol type ids.
const (
	tBoolTrue  = 1
	tBoolFalse = 2
	tI8        = 3
	tI16       = 4
	tI32       = 5
	tI64       = 6
	tDouble    = 7
	tBinary    = 8
	tList      = 9
	tSet       = 10
	tMap       = 11
	tStruct    = 12
)

var errThriftTruncated = errors.New("truncated thrift data")

// thriftWalker checks one encoded value.
type thriftWalker struct {
	b   []byte
	pos int
}

// checkThrift validates the struct encoded at the start of b and returns
// its length in bytes.
func checkThrift(b []byte) (int, error) {
	w := thriftWalker{b: b}
	if err := w.structure(0); err != nil {
		return 0, err
	}
	return w.pos, nil
}

func (w *thriftWalker) remaining() int { return len(w.b) - w.pos }

func (w *thriftWalker) byte() (byte, error) {
	if w.pos >= len(w.b) {
		return 0, errThriftTruncated
	}
	c := w.b[w.pos]
	w.pos++
	return c, nil
}

func (w *thriftWalker) uvarint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 70; shift += 7 {
		c, err := w.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("thrift varint too long")
}

// length reads a size that must fit in the remaining bytes, each counted
// item taking at least per bytes.
func (w *thriftWalker) length(what string, per int) (int, error) {
	n, err := w.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(w.remaining()/per) {
		return 0, fmt.Errorf("thrift %s of %d exceeds the %d bytes that remain", what, n, w.remaining())
	}
	return int(n), nil
}

func (w *thriftWalker) skip(n int) error {
	if n > w.remaining() {
		return errThriftTruncated
	}
	w.pos += n
	return nil
}

func (w *thriftWalker) structure(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift data nested too deeply")
	}
	for {
		h, err := w.byte()
		if err != nil {
			return err
		}
		if h == 0 {
			return nil
		}
		if h>>4 == 0 { // long form: the field id follows as a zigzag varint
			if _, err := w.uvarint(); err != nil {
				return err
			}
		}
		typ := h & 0x0f
		if typ == tBoolTrue || typ == tBoolFalse {
			continue // the value is the type itself
		}
		if err := w.value(typ, depth); err != nil {
			return err
		}
	}
}

func (w *thriftWalker) value(typ byte, depth int) error {
	switch typ {
	case tBoolTrue, tBoolFalse, tI8:
		return w.skip(1)
	case tI16, tI32, tI64:
		_, err := w.uvarint()
		return err
	case tDouble:
		return w.skip(8)
	case tBinary:
		n, err := w.length("binary length", 1)
		if err != nil {
			return err
		}
		return w.skip(n)
	case tList, tSet:
		return w.list(depth)
	case tMap:
		return w.mapping(depth)
	case tStruct:
		return w.structure(depth + 1)
	}
	return fmt.Errorf("invalid thrift type %d", typ)
}

func (w *thriftWalker) list(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift data nested too deeply")
	}
	h, err := w.byte()
	if err != nil {
		return err
	}
	n, elem := int(h>>4), h&0x0f
	if n == 15 {
		if n, err = w.length("list size", 1); err != nil {
			return err
		}
	} else if n > w.remaining() {
		return errThriftTruncated
	}
	for range n {
		if err := w.value(elem, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *thriftWalker) mapping(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift data nested too deeply")
	}
	n, err := w.length("map size", 2)
	if err != nil || n == 0 {
		return err
	}
	kv, err := w.byte()
	if err != nil {
		return err
	}
	for range n {
		if err := w.value(kv>>4, depth+1); err != nil {
			return err
		}
		if err := w.value(kv&0x0f, depth+1); err != nil {
			return err
		}
	}
	return nil
}
