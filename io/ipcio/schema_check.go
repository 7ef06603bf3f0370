package ipcio

import (
	"encoding/binary"
	"fmt"
	"io"
)

// arrow's schema decoder sizes slices from vector lengths stored in the
// flatbuffer and recurses into child fields without a depth limit, so a
// corrupt schema can demand terabytes (a fatal, unrecoverable out-of-memory
// error) or loop through a cycle of child tables until the stack overflows.
// verifySchema rejects such schemas first: every vector arrow allocates
// from must fit in the buffer, nesting is bounded, and the number of
// fields visited is bounded by the buffer size (defeating tables shared
// many times over).

// maxSchemaDepth bounds field nesting, as arrow's reader bounds arrays.
const maxSchemaDepth = 64

// Flatbuffer field indexes (Schema.fbs).
const (
	schemaFields       = 1
	schemaMetadata     = 2
	schemaFeatures     = 3
	fieldTypeType      = 2
	fieldType          = 3
	fieldChildren      = 5
	fieldMetadata      = 6
	unionTypeIDs       = 1
	typeUnion          = 14
	messageHeaderField = 2
)

// verifySchema checks the schema message m of r.
func verifySchema(r io.ReaderAt, m scanned) error {
	meta := make([]byte, m.meta.end-m.meta.off)
	if _, err := r.ReadAt(meta, m.meta.off); err != nil {
		return err
	}
	root, ok := fbRoot(meta)
	if !ok {
		return fmt.Errorf("bad metadata")
	}
	schema, ok := root.table(messageHeaderField)
	if !ok {
		return fmt.Errorf("no schema table")
	}
	v := &schemaVerifier{budget: len(meta) / 4}
	if err := v.tables(schema, schemaFields, func(f fbTable) error { return v.field(f, 1) }); err != nil {
		return err
	}
	if err := v.tables(schema, schemaMetadata, func(fbTable) error { return nil }); err != nil {
		return err
	}
	_, err := vector(schema, schemaFeatures, 8)
	return err
}

type schemaVerifier struct {
	budget int // fields that may still be visited
}

func (v *schemaVerifier) field(f fbTable, depth int) error {
	if depth > maxSchemaDepth {
		return fmt.Errorf("fields nested deeper than %d", maxSchemaDepth)
	}
	if v.budget--; v.budget < 0 {
		return fmt.Errorf("more fields than the metadata can hold")
	}
	if kind, _ := f.uint8(fieldTypeType); kind == typeUnion {
		if t, ok := f.table(fieldType); ok {
			if _, err := vector(t, unionTypeIDs, 4); err != nil {
				return err
			}
		}
	}
	if err := v.tables(f, fieldMetadata, func(fbTable) error { return nil }); err != nil {
		return err
	}
	return v.tables(f, fieldChildren, func(c fbTable) error { return v.field(c, depth+1) })
}

// tables checks the vector of tables at field i of t and calls visit on
// each element.
func (v *schemaVerifier) tables(t fbTable, i int, visit func(fbTable) error) error {
	start, err := vector(t, i, 4)
	if err != nil || start < 0 {
		return err
	}
	n := int(binary.LittleEndian.Uint32(t.buf[start-4:]))
	for k := 0; k < n; k++ {
		p := start + 4*k
		e, ok := fbTableAt(t.buf, int64(p)+int64(binary.LittleEndian.Uint32(t.buf[p:])))
		if !ok {
			return fmt.Errorf("bad table in vector")
		}
		if err := visit(e); err != nil {
			return err
		}
	}
	return nil
}

// vector checks that the vector at field i of t, with elements of size
// bytes, lies inside the buffer, and returns the offset of its first
// element (-1 when the field is absent).
func vector(t fbTable, i, size int) (int, error) {
	p, ok := t.field(i, 4)
	if p < 0 {
		return -1, nil
	}
	if !ok {
		return 0, fmt.Errorf("bad vector offset")
	}
	vec := int64(p) + int64(binary.LittleEndian.Uint32(t.buf[p:]))
	if vec < 0 || vec > int64(len(t.buf))-4 {
		return 0, fmt.Errorf("bad vector offset")
	}
	n := int64(binary.LittleEndian.Uint32(t.buf[vec:]))
	if n*int64(size) > int64(len(t.buf))-vec-4 {
		return 0, fmt.Errorf("vector of %d elements exceeds the metadata", n)
	}
	return int(vec + 4), nil
}
