package order

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// Key is one ORDER BY term: a column of the input and its direction.
//
// NULLs go first or last as NullsFirst says, whatever the direction (Spark's
// NULLS FIRST / NULLS LAST). Floating-point keys follow Spark: -0 equals +0,
// every NaN equals every other NaN, and NaN sorts after every other value
// (so first under Desc). Strings and binary compare bytewise, false sorts
// before true, and dates and timestamps compare as their integer encodings.
type Key struct {
	Col        int  // index of the key column in the input schema
	Desc       bool // descending instead of ascending
	NullsFirst bool // NULLs before every value instead of after
}

// String renders the key as in EXPLAIN, for example "#2 DESC NULLS FIRST".
func (k Key) String() string {
	dir, nulls := "ASC", "NULLS LAST"
	if k.Desc {
		dir = "DESC"
	}
	if k.NullsFirst {
		nulls = "NULLS FIRST"
	}
	return fmt.Sprintf("#%d %s %s", k.Col, dir, nulls)
}

// kind is the physical representation of a key column: how its values are
// read, normalized and compared. Logical types sharing a layout (date32 and
// int32, timestamp and int64, string and binary) share a kind.
type kind uint8

const (
	kInt8 kind = iota
	kInt16
	kInt32
	kInt64
	kUint8
	kUint16
	kUint32
	kUint64
	kFloat32
	kFloat64
	kBool
	kBytes32 // string and binary: int32 offsets + bytes
	kBytes64 // large_string and large_binary: int64 offsets + bytes
)

// exact reports whether a key of kind k is fully described by its 64-bit
// normalized prefix, so equal prefixes mean equal values.
func (k kind) exact() bool { return k < kBytes32 }

// kindOf maps an Arrow type to its key kind.
func kindOf(dt arrow.DataType) (kind, error) {
	switch dt.ID() {
	case arrow.INT8:
		return kInt8, nil
	case arrow.INT16:
		return kInt16, nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return kInt32, nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return kInt64, nil
	case arrow.UINT8:
		return kUint8, nil
	case arrow.UINT16:
		return kUint16, nil
	case arrow.UINT32:
		return kUint32, nil
	case arrow.UINT64:
		return kUint64, nil
	case arrow.FLOAT32:
		return kFloat32, nil
	case arrow.FLOAT64:
		return kFloat64, nil
	case arrow.BOOL:
		return kBool, nil
	case arrow.STRING, arrow.BINARY:
		return kBytes32, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return kBytes64, nil
	}
	return 0, fmt.Errorf("type %s: %w", dt, ErrUnsupportedType)
}

// resolveKeys checks keys against schema and returns the kind of each key
// column. No keys is valid: the order is the input order.
func resolveKeys(schema *arrow.Schema, keys []Key) ([]kind, error) {
	kinds := make([]kind, len(keys))
	for i, k := range keys {
		if k.Col < 0 || k.Col >= schema.NumFields() {
			return nil, fmt.Errorf("key %d: column %d of %d: %w", i, k.Col, schema.NumFields(), ErrInvalidKey)
		}
		kd, err := kindOf(schema.Field(k.Col).Type)
		if err != nil {
			return nil, fmt.Errorf("key %d (column %q): %w", i, schema.Field(k.Col).Name, err)
		}
		kinds[i] = kd
	}
	return kinds, nil
}
