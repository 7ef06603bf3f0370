package hashtable

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec/layout"
)

// ErrUnsupportedType is wrapped by the error New and HashRows return for a
// key column whose Arrow type the table cannot hash or store.
var ErrUnsupportedType = errors.New("unsupported key type")

// kind is the physical layout of a key column: how its values are read
// from an Arrow array, hashed, compared and stored.
type kind = layout.Kind

const (
	kInt8    = layout.Int8
	kInt16   = layout.Int16
	kInt32   = layout.Int32
	kInt64   = layout.Int64
	kUint8   = layout.Uint8
	kUint16  = layout.Uint16
	kUint32  = layout.Uint32
	kUint64  = layout.Uint64
	kFloat32 = layout.Float32
	kFloat64 = layout.Float64
	kBool    = layout.Bool
	kBytes32 = layout.Bytes32
	kBytes64 = layout.Bytes64
)

// kindOf maps an Arrow type to its key kind.
func kindOf(dt arrow.DataType) (kind, error) {
	k, ok := layout.Of(dt)
	if !ok {
		return 0, fmt.Errorf("key type %s: %w", dt, ErrUnsupportedType)
	}
	return k, nil
}

// kindsOf maps every type of a key to its kind.
func kindsOf(types []arrow.DataType) ([]kind, error) {
	kinds := make([]kind, len(types))
	for i, dt := range types {
		k, err := kindOf(dt)
		if err != nil {
			return nil, fmt.Errorf("key column %d: %w", i, err)
		}
		kinds[i] = k
	}
	return kinds, nil
}

// kindsOfArrays is kindsOf for the types of cols; it reuses buf.
func kindsOfArrays(cols []arrow.Array, buf []kind) ([]kind, error) {
	buf = buf[:0]
	for i, c := range cols {
		k, err := kindOf(c.DataType())
		if err != nil {
			return nil, fmt.Errorf("key column %d: %w", i, err)
		}
		buf = append(buf, k)
	}
	return buf, nil
}

// fixed is the set of Go types that back fixed-width key columns.
type fixed interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// integer is the subset of fixed whose key bits are the value itself.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// castSlice reinterprets b as a []T (Arrow buffers hold little-endian values
// in native layout on every platform Grain runs on).
func castSlice[T fixed](b []byte) []T {
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(zero)))
}

// fixedValues returns the values buffer of a fixed-width array as a []T
// indexed by logical row (the array offset already applied).
func fixedValues[T fixed](d arrow.ArrayData) []T {
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	return castSlice[T](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()]
}

// offsetsAndBytes returns the offsets (indexed by logical row, so row r spans
// offs[r]..offs[r+1]) and the value bytes of a string or binary array.
func offsetsAndBytes[O int32 | int64](d arrow.ArrayData) ([]O, []byte) {
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 3 || bufs[1] == nil {
		return nil, nil
	}
	var data []byte
	if bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	return castSlice[O](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1], data
}

// validity reads the validity bitmap of an array by logical row. A nil bits
// means every row is valid.
type validity struct {
	bits []byte
	off  int
}

// validityOf returns the validity of arr; bits is nil when arr has no nulls.
func validityOf(arr arrow.Array) validity {
	if arr.NullN() == 0 {
		return validity{}
	}
	d := arr.Data()
	return validity{bits: d.Buffers()[0].Bytes(), off: d.Offset()}
}

// valid reports whether row r is valid; the caller checks bits != nil.
func (v validity) valid(r int) bool {
	i := uint(v.off + r)
	return v.bits[i>>3]>>(i&7)&1 != 0
}

// liveRows is the number of live rows: len(sel), or n without a selection.
func liveRows(sel []int32, n int) int {
	if sel != nil {
		return len(sel)
	}
	return n
}

// resize returns s resized to n elements, reallocating only when its capacity
// is too small. The contents are unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
