package parquetio

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// decodeKind says how a column's pages turn into an Arrow array.
type decodeKind uint8

const (
	kBool         decodeKind = iota
	kInt32                   // INT32 stored as is: int32, uint32, date32, time32
	kInt64                   // INT64 stored as is: int64, uint64, timestamps, time64
	kInt8                    // INT32 narrowed to int8
	kInt16                   // INT32 narrowed to int16
	kUint8                   // INT32 narrowed to uint8
	kUint16                  // INT32 narrowed to uint16
	kFloat32                 // FLOAT
	kFloat64                 // DOUBLE
	kInt96                   // INT96 (Impala/Spark timestamps) to nanoseconds
	kDecimal32               // INT32 decimal to float64
	kDecimal64               // INT64 decimal to float64
	kDecimalBytes            // BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY decimal to float64
	kBytes                   // BYTE_ARRAY to string or binary
	kFixedBytes              // FIXED_LEN_BYTE_ARRAY to binary
)

// columnDesc describes one top-level column of a file.
type columnDesc struct {
	name     string
	typ      arrow.DataType
	optional bool
	leaf     int // index of its (first) column chunk in a row group
	leaves   int // number of column chunks (more than one for nested types)
	kind     decodeKind
	scale    int32 // decimals
	width    int   // FIXED_LEN_BYTE_ARRAY length
	// unsupported is set for columns Grain cannot read (nested types,
	// intervals...); reading them fails, other columns read fine.
	unsupported error
}

// fileColumns maps the schema of a file to Arrow, one entry per top-level
// column. Malformed schemas are errors; unsupported types are not (they
// are recorded in the column).
func fileColumns(md *format.FileMetaData) ([]columnDesc, error) {
	els := md.Schema
	if len(els) == 0 || !els[0].NumChildren.Valid || els[0].NumChildren.V < 0 {
		return nil, errors.New("schema has no root group")
	}
	var cols []columnDesc
	pos, leaf := 1, 0
	for range els[0].NumChildren.V {
		if pos >= len(els) {
			return nil, errors.New("schema ends inside the root group")
		}
		start, startLeaf := pos, leaf
		var err error
		pos, leaf, err = skipNode(els, pos, leaf, 0)
		if err != nil {
			return nil, err
		}
		c := columnDesc{name: els[start].Name, leaf: startLeaf, leaves: leaf - startLeaf}
		se := &els[start]
		c.optional = !se.RepetitionType.Valid || se.RepetitionType.V != format.Required
		if isLeaf(se) && (!se.RepetitionType.Valid || se.RepetitionType.V != format.Repeated) {
			c.typ, c.kind, err = leafType(se)
			c.scale = decimalScale(se)
			if se.Type.V == format.FixedLenByteArray {
				c.width = int(se.TypeLength.V)
			}
			if err != nil {
				c.unsupported = fmt.Errorf("%w: column %q: %v", ErrUnsupportedType, c.name, err)
			}
		} else {
			c.typ = nestedType(els, start)
			c.unsupported = fmt.Errorf("%w: column %q has nested type %s (lists, structs and maps are not supported yet)", ErrUnsupportedType, c.name, c.typ)
		}
		if c.typ == nil {
			c.typ = arrow.Null
		}
		cols = append(cols, c)
	}
	if pos != len(els) {
		return nil, fmt.Errorf("schema has %d elements, the root group covers %d", len(els), pos)
	}
	if n := len(md.RowGroups); n > 0 {
		for i := range md.RowGroups {
			if len(md.RowGroups[i].Columns) != leaf {
				return nil, fmt.Errorf("row group %d has %d column chunks, the schema %d leaves", i, len(md.RowGroups[i].Columns), leaf)
			}
		}
	}
	return cols, nil
}

func isLeaf(se *format.SchemaElement) bool {
	return !se.NumChildren.Valid || se.NumChildren.V == 0
}

// skipNode moves past the node at pos and its descendants, counting leaves.
func skipNode(els []format.SchemaElement, pos, leaf, depth int) (int, int, error) {
	if depth > 64 {
		return 0, 0, errors.New("schema nested too deeply")
	}
	se := &els[pos]
	pos++
	if isLeaf(se) {
		if !se.Type.Valid {
			return 0, 0, fmt.Errorf("leaf %q has no physical type", se.Name)
		}
		return pos, leaf + 1, nil
	}
	if se.NumChildren.V < 0 || int(se.NumChildren.V) > len(els)-pos {
		return 0, 0, fmt.Errorf("group %q claims %d children", se.Name, se.NumChildren.V)
	}
	for range se.NumChildren.V {
		var err error
		if pos, leaf, err = skipNode(els, pos, leaf, depth+1); err != nil {
			return 0, 0, err
		}
	}
	return pos, leaf, nil
}

// leafType maps a primitive column to its Arrow type and decoder.
func leafType(se *format.SchemaElement) (arrow.DataType, decodeKind, error) {
	lt := se.LogicalType.Value
	ct, hasCT := se.ConvertedType.V, se.ConvertedType.Valid
	conv := func(c deprecated.ConvertedType) bool { return lt == nil && hasCT && ct == c }
	if _, ok := lt.(*format.DecimalType); ok || conv(deprecated.Decimal) {
		if scale := decimalScale(se); scale < 0 || scale > 76 {
			return nil, 0, fmt.Errorf("decimal scale %d", scale)
		}
		switch se.Type.V {
		case format.Int32:
			return arrow.PrimitiveTypes.Float64, kDecimal32, nil
		case format.Int64:
			return arrow.PrimitiveTypes.Float64, kDecimal64, nil
		case format.ByteArray, format.FixedLenByteArray:
			return arrow.PrimitiveTypes.Float64, kDecimalBytes, nil
		}
		return nil, 0, fmt.Errorf("decimal stored as %s", se.Type.V)
	}
	switch se.Type.V {
	case format.Boolean:
		return arrow.FixedWidthTypes.Boolean, kBool, nil
	case format.Int32:
		return int32Type(lt, ct, hasCT)
	case format.Int64:
		return int64Type(lt, ct, hasCT)
	case format.Int96:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, kInt96, nil
	case format.Float:
		return arrow.PrimitiveTypes.Float32, kFloat32, nil
	case format.Double:
		return arrow.PrimitiveTypes.Float64, kFloat64, nil
	case format.ByteArray:
		switch lt.(type) {
		case *format.StringType, *format.EnumType, *format.JsonType:
			return arrow.BinaryTypes.String, kBytes, nil
		case nil:
			if conv(deprecated.UTF8) || conv(deprecated.Enum) || conv(deprecated.Json) {
				return arrow.BinaryTypes.String, kBytes, nil
			}
			if !hasCT || conv(deprecated.Bson) {
				return arrow.BinaryTypes.Binary, kBytes, nil
			}
		case *format.BsonType:
			return arrow.BinaryTypes.Binary, kBytes, nil
		}
	case format.FixedLenByteArray:
		if se.TypeLength.V <= 0 {
			return nil, 0, fmt.Errorf("fixed-length byte array of length %d", se.TypeLength.V)
		}
		switch lt.(type) {
		case nil:
			if !hasCT {
				return arrow.BinaryTypes.Binary, kFixedBytes, nil
			}
		case *format.UUIDType:
			return arrow.BinaryTypes.Binary, kFixedBytes, nil
		}
	}
	return nil, 0, fmt.Errorf("%s with %s", se.Type.V, annotation(se))
}

// decimalScale returns the scale of a decimal column.
func decimalScale(se *format.SchemaElement) int32 {
	if dt, ok := se.LogicalType.Value.(*format.DecimalType); ok {
		return dt.Scale
	}
	return se.Scale.V
}

func annotation(se *format.SchemaElement) string {
	if se.LogicalType.Value != nil {
		return "logical type " + se.LogicalType.Value.String()
	}
	return fmt.Sprintf("converted type %d", se.ConvertedType.V)
}

func int32Type(lt format.LogicalTypeValue, ct deprecated.ConvertedType, hasCT bool) (arrow.DataType, decodeKind, error) {
	switch t := lt.(type) {
	case *format.IntType:
		return intType(int(t.BitWidth), t.IsSigned, 32)
	case *format.DateType:
		return arrow.FixedWidthTypes.Date32, kInt32, nil
	case *format.TimeType:
		if _, ok := t.Unit.Value.(*format.MilliSeconds); ok {
			return arrow.FixedWidthTypes.Time32ms, kInt32, nil
		}
	case nil:
		if !hasCT {
			return arrow.PrimitiveTypes.Int32, kInt32, nil
		}
		switch ct {
		case deprecated.Int8, deprecated.Int16, deprecated.Int32:
			return intType(8<<(ct-deprecated.Int8), true, 32)
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32:
			return intType(8<<(ct-deprecated.Uint8), false, 32)
		case deprecated.Date:
			return arrow.FixedWidthTypes.Date32, kInt32, nil
		case deprecated.TimeMillis:
			return arrow.FixedWidthTypes.Time32ms, kInt32, nil
		}
	}
	return nil, 0, errors.New("unsupported INT32 annotation")
}

func int64Type(lt format.LogicalTypeValue, ct deprecated.ConvertedType, hasCT bool) (arrow.DataType, decodeKind, error) {
	switch t := lt.(type) {
	case *format.IntType:
		return intType(int(t.BitWidth), t.IsSigned, 64)
	case *format.TimestampType:
		if unit, ok := timeUnit(t.Unit); ok {
			tz := ""
			if t.IsAdjustedToUTC {
				tz = "UTC"
			}
			return &arrow.TimestampType{Unit: unit, TimeZone: tz}, kInt64, nil
		}
	case *format.TimeType:
		if unit, ok := timeUnit(t.Unit); ok && unit != arrow.Millisecond {
			return &arrow.Time64Type{Unit: unit}, kInt64, nil
		}
	case nil:
		switch {
		case !hasCT || ct == deprecated.Int64:
			return arrow.PrimitiveTypes.Int64, kInt64, nil
		case ct == deprecated.Uint64:
			return arrow.PrimitiveTypes.Uint64, kInt64, nil
		case ct == deprecated.TimestampMillis:
			return &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, kInt64, nil
		case ct == deprecated.TimestampMicros:
			return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, kInt64, nil
		case ct == deprecated.TimeMicros:
			return arrow.FixedWidthTypes.Time64us, kInt64, nil
		}
	}
	return nil, 0, errors.New("unsupported INT64 annotation")
}

func timeUnit(u format.TimeUnit) (arrow.TimeUnit, bool) {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return arrow.Millisecond, true
	case *format.MicroSeconds:
		return arrow.Microsecond, true
	case *format.NanoSeconds:
		return arrow.Nanosecond, true
	}
	return 0, false
}

// intType maps an INT(bits, signed) annotation on a physical type of
// physBits bits.
func intType(bits int, signed bool, physBits int) (arrow.DataType, decodeKind, error) {
	if bits > physBits || (physBits == 64) != (bits == 64) {
		return nil, 0, fmt.Errorf("INT(%d) on a %d-bit column", bits, physBits)
	}
	switch {
	case bits == 8 && signed:
		return arrow.PrimitiveTypes.Int8, kInt8, nil
	case bits == 16 && signed:
		return arrow.PrimitiveTypes.Int16, kInt16, nil
	case bits == 32 && signed:
		return arrow.PrimitiveTypes.Int32, kInt32, nil
	case bits == 64 && signed:
		return arrow.PrimitiveTypes.Int64, kInt64, nil
	case bits == 8:
		return arrow.PrimitiveTypes.Uint8, kUint8, nil
	case bits == 16:
		return arrow.PrimitiveTypes.Uint16, kUint16, nil
	case bits == 32:
		return arrow.PrimitiveTypes.Uint32, kInt32, nil
	case bits == 64:
		return arrow.PrimitiveTypes.Uint64, kInt64, nil
	}
	return nil, 0, fmt.Errorf("INT(%d)", bits)
}

// nestedType describes a nested column as an Arrow type for the schema;
// reading it is not supported.
func nestedType(els []format.SchemaElement, pos int) arrow.DataType {
	t, _ := nestedAt(els, pos, 0)
	return t
}

func nestedAt(els []format.SchemaElement, pos, depth int) (arrow.DataType, int) {
	se := &els[pos]
	next := pos + 1
	var t arrow.DataType = arrow.Null
	if isLeaf(se) {
		if lt, _, err := leafType(se); err == nil {
			t = lt
		}
	} else {
		var fields []arrow.Field
		for range se.NumChildren.V {
			if next >= len(els) || depth > 16 {
				return arrow.Null, len(els)
			}
			name := els[next].Name
			var ct arrow.DataType
			ct, next = nestedAt(els, next, depth+1)
			fields = append(fields, arrow.Field{Name: name, Type: ct, Nullable: true})
		}
		t = arrow.StructOf(fields...)
		if lt, ok := fields0(fields).(*arrow.ListType); ok && len(fields) == 1 {
			st, _ := lt.Elem().(*arrow.StructType)
			switch {
			case annotated(se, "LIST", deprecated.List):
				t = lt
				if st != nil && st.NumFields() == 1 {
					t = arrow.ListOf(st.Field(0).Type)
				}
			case annotated(se, "MAP", deprecated.Map) && st != nil && st.NumFields() == 2:
				t = arrow.MapOf(st.Field(0).Type, st.Field(1).Type)
			}
		}
	}
	if se.RepetitionType.Valid && se.RepetitionType.V == format.Repeated {
		t = arrow.ListOf(t)
	}
	return t, next
}

func fields0(fs []arrow.Field) arrow.DataType {
	if len(fs) == 0 {
		return nil
	}
	return fs[0].Type
}

// annotated reports whether a group carries the given logical or converted
// type.
func annotated(se *format.SchemaElement, logical string, ct deprecated.ConvertedType) bool {
	if se.LogicalType.Value != nil {
		return se.LogicalType.Value.String() == logical
	}
	return se.ConvertedType.Valid && se.ConvertedType.V == ct
}
