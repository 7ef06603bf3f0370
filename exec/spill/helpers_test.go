package spill_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec/spill"
)

// allTypes is one column of every type the format supports.
var allTypes = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32,
	arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16,
	arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float32,
	arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Date32, arrow.FixedWidthTypes.Timestamp_us,
	arrow.FixedWidthTypes.Boolean, arrow.BinaryTypes.String, arrow.BinaryTypes.Binary,
	arrow.BinaryTypes.LargeString, arrow.BinaryTypes.LargeBinary, arrow.Null,
	&arrow.Decimal128Type{Precision: 20, Scale: 2}, &arrow.FixedSizeBinaryType{ByteWidth: 3},
}

// schemaOf returns a schema with one nullable column per type.
func schemaOf(types []arrow.DataType) *arrow.Schema {
	fields := make([]arrow.Field, len(types))
	for i, dt := range types {
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// randomRecord builds n rows of random values; nullRate is the share of
// nulls in every column (0 means no validity bitmap at all).
func randomRecord(t testing.TB, mem memory.Allocator, schema *arrow.Schema, n int, nullRate float64, rng *rand.Rand) arrow.Record {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for c, f := range schema.Fields() {
		fb := b.Field(c)
		for range n {
			if f.Type.ID() == arrow.NULL || rng.Float64() < nullRate {
				fb.AppendNull()
				continue
			}
			appendRandom(t, fb, rng)
		}
	}
	return b.NewRecord()
}

// appendRandom appends one random non-null value to fb.
func appendRandom(t testing.TB, fb array.Builder, rng *rand.Rand) {
	str := func() string {
		buf := make([]byte, rng.IntN(12))
		for i := range buf {
			buf[i] = byte('a' + rng.IntN(26))
		}
		return string(buf)
	}
	switch b := fb.(type) {
	case *array.Int8Builder:
		b.Append(int8(rng.Uint32()))
	case *array.Int16Builder:
		b.Append(int16(rng.Uint32()))
	case *array.Int32Builder:
		b.Append(int32(rng.Uint32()))
	case *array.Int64Builder:
		b.Append(int64(rng.Uint64()))
	case *array.Uint8Builder:
		b.Append(uint8(rng.Uint32()))
	case *array.Uint16Builder:
		b.Append(uint16(rng.Uint32()))
	case *array.Uint32Builder:
		b.Append(rng.Uint32())
	case *array.Uint64Builder:
		b.Append(rng.Uint64())
	case *array.Float32Builder:
		b.Append(rng.Float32())
	case *array.Float64Builder:
		b.Append(rng.NormFloat64())
	case *array.Date32Builder:
		b.Append(arrow.Date32(rng.Int32N(40000)))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(rng.Int64()))
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 1)
	case *array.StringBuilder:
		b.Append(str())
	case *array.LargeStringBuilder:
		b.Append(str())
	case *array.BinaryBuilder:
		b.Append([]byte(str()))
	case *array.Decimal128Builder:
		b.Append(decimal128.FromI64(rng.Int64()))
	case *array.FixedSizeBinaryBuilder:
		b.Append([]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
	default:
		t.Fatalf("no random values for %T", fb)
	}
}

// writeFile writes recs to a new spill file in dir and finishes it.
func writeFile(t testing.TB, dir string, recs ...arrow.Record) *spill.File {
	w, err := spill.NewWriter(dir, "test")
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, w.Write(r))
	}
	f, err := w.Finish()
	require.NoError(t, err)
	return f
}

// readAll reads every batch of r, closes it and returns the records (which
// the caller releases) and the final error (nil at a clean EOF).
func readAll(r *spill.Reader) ([]arrow.Record, error) {
	defer r.Close()
	var out []arrow.Record
	for {
		rec, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, rec)
	}
}

// releaseAll releases every record.
func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}
