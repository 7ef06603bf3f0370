// Package layout classifies Arrow types by physical layout: how their
// values sit in an array's buffers. Kernels that read values directly
// (hashing, sorting, comparing keys) switch on a Kind instead of on every
// logical type; logical types sharing a layout (date32 and int32,
// timestamp and int64, string and binary) share a Kind.
package layout

import "github.com/apache/arrow/go/v17/arrow"

// Kind is the physical layout of a column's values.
type Kind uint8

// Kinds, fixed-width ones first.
const (
	Int8 Kind = iota
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float32
	Float64
	Bool    // one bit per value
	Bytes32 // string and binary: int32 offsets + bytes
	Bytes64 // large_string and large_binary: int64 offsets + bytes
)

// FitsUint64 reports whether every value of kind k fits in 64 bits.
func (k Kind) FitsUint64() bool { return k <= Bool }

// Of returns the layout of values of type dt; ok is false for types
// without a supported flat layout (nested, decimal, dictionary…).
func Of(dt arrow.DataType) (k Kind, ok bool) {
	switch dt.ID() {
	case arrow.INT8:
		return Int8, true
	case arrow.INT16:
		return Int16, true
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return Int32, true
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return Int64, true
	case arrow.UINT8:
		return Uint8, true
	case arrow.UINT16:
		return Uint16, true
	case arrow.UINT32:
		return Uint32, true
	case arrow.UINT64:
		return Uint64, true
	case arrow.FLOAT32:
		return Float32, true
	case arrow.FLOAT64:
		return Float64, true
	case arrow.BOOL:
		return Bool, true
	case arrow.STRING, arrow.BINARY:
		return Bytes32, true
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return Bytes64, true
	}
	return 0, false
}
