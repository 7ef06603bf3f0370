package order

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec/layout"
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

// kind is the physical layout of a key column: how its values are read,
// normalized and compared.
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

// exact reports whether a key of kind k is fully described by its 64-bit
// normalized prefix, so equal prefixes mean equal values.
func exact(k kind) bool { return k.FitsUint64() }

// kindOf maps an Arrow type to its key kind.
func kindOf(dt arrow.DataType) (kind, error) {
	k, ok := layout.Of(dt)
	if !ok {
		return 0, fmt.Errorf("type %s: %w", dt, ErrUnsupportedType)
	}
	return k, nil
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
