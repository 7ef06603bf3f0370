package eval

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/expr"
)

// phys is the physical representation of a value inside the evaluator.
// Dates are int32 days, timestamps int64 ticks, booleans one byte per row
// (0 or 1), and every string-like type (string, large_string, binary) is
// int32 offsets plus bytes.
type phys uint8

const (
	pNull phys = iota
	pBool
	pI8
	pI16
	pI32
	pI64
	pU8
	pU16
	pU32
	pU64
	pF32
	pF64
	pStr
)

// width returns the byte width of a fixed-width representation (bool: 1).
func (p phys) width() int {
	switch p {
	case pBool, pI8, pU8:
		return 1
	case pI16, pU16:
		return 2
	case pI32, pU32, pF32:
		return 4
	case pI64, pU64, pF64:
		return 8
	}
	return 0
}

// fixed reports a fixed-width representation (booleans included).
func (p phys) fixed() bool { return p >= pBool && p <= pF64 }

// physOf maps an Arrow type to its representation.
func physOf(t arrow.DataType) (phys, error) {
	switch t.ID() {
	case arrow.NULL:
		return pNull, nil
	case arrow.BOOL:
		return pBool, nil
	case arrow.INT8:
		return pI8, nil
	case arrow.INT16:
		return pI16, nil
	case arrow.INT32, arrow.DATE32:
		return pI32, nil
	case arrow.INT64, arrow.TIMESTAMP:
		return pI64, nil
	case arrow.UINT8:
		return pU8, nil
	case arrow.UINT16:
		return pU16, nil
	case arrow.UINT32:
		return pU32, nil
	case arrow.UINT64:
		return pU64, nil
	case arrow.FLOAT32:
		return pF32, nil
	case arrow.FLOAT64:
		return pF64, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY:
		return pStr, nil
	}
	return 0, fmt.Errorf("%w: type %s is not supported by the evaluator", expr.ErrType, t)
}

// vec is the value of one node over one batch: either a scalar (one value
// for every row) or a vector with one slot per physical row of the batch.
// Only the slots of live rows are meaningful; the others hold garbage.
type vec struct {
	scalar bool
	null   bool   // scalar only: the value is NULL
	valid  []byte // vector validity bitmap over rows [0, n); nil when no NULLs
	raw    []byte // fixed-width values (one per row, or one for a scalar)
	offs   []int32
	data   []byte
	// owned is set when raw was allocated from the query allocator for
	// the evaluator's result, so it can become the result array's buffer.
	owned *memory.Buffer
}

// nullScalar is the value of a node evaluated on no live rows, or a NULL
// literal. It is never written to.
var nullScalar = &vec{scalar: true, null: true}

// isNull reports whether row i is NULL.
func (v *vec) isNull(i int) bool {
	if v.scalar {
		return v.null
	}
	return v.valid != nil && v.valid[i>>3]>>(i&7)&1 == 0
}

// str returns the bytes of row i of a string vec.
func (v *vec) str(i int) []byte {
	if v.scalar {
		i = 0
	}
	return v.data[v.offs[i]:v.offs[i+1]]
}

// hasNulls reports whether any slot may be NULL.
func (v *vec) hasNulls() bool {
	if v.scalar {
		return v.null
	}
	return v.valid != nil
}

// typed reinterprets bytes as a slice of T (the bytes are 8-aligned).
func typed[T any](raw []byte) []T {
	var z T
	if len(raw) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&raw[0])), len(raw)/int(unsafe.Sizeof(z)))
}

// scratch is a reusable, 8-byte aligned buffer owned by one node.
type scratch []uint64

// bytes returns n bytes of the buffer, growing it when needed. The content
// is whatever the previous batch left.
func (s *scratch) bytes(n int) []byte {
	w := (n + 7) / 8
	if cap(*s) < w {
		*s = make([]uint64, w+w/4+1)
	}
	*s = (*s)[:cap(*s)]
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&(*s)[0])), n)
}

// zeroed returns n zero bytes.
func (s *scratch) zeroed(n int) []byte {
	b := s.bytes(n)
	clear(b)
	return b
}

// int32s returns a reusable []int32 of length n.
func (s *scratch) int32s(n int) []int32 { return typed[int32](s.bytes(4 * n))[:n] }

// bitmapBytes is the size in bytes of a bitmap of n bits, rounded up to
// whole words so word-wise loops need no tail handling.
func bitmapBytes(n int) int { return (n + 63) / 64 * 8 }

// getBit reads bit i of a bitmap as 0 or 1.
func getBit(bm []byte, i int) uint8 { return bm[i>>3] >> (i & 7) & 1 }

// setBitTo writes bit i of a bitmap.
func setBitTo(bm []byte, i int, v uint8) {
	bm[i>>3] = bm[i>>3]&^(1<<(i&7)) | v<<(i&7)
}

// andValid combines two validity bitmaps of n rows: nil when both are nil,
// the other when one is nil, otherwise their AND in dst.
func andValid(dst *scratch, a, b []byte, n int) []byte {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	nb := (n + 7) / 8
	out := dst.bytes(bitmapBytes(n))
	for i := 0; i < nb; i++ {
		out[i] = a[i] & b[i]
	}
	return out
}

// vectorValid returns v's validity as a bitmap for a vector operand: nil
// for non-NULL scalars and vectors without NULLs.
func vectorValid(v *vec) []byte {
	if v.scalar {
		return nil
	}
	return v.valid
}

// b2i converts a bool to 0 or 1 without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// b2u8 converts a bool to 0 or 1 without a branch.
func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// live returns the number of live rows.
func live(sel []int32, n int) int {
	if sel == nil {
		return n
	}
	return len(sel)
}
