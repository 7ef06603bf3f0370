package order_test

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/exectest"
)

// gen makes random test data with many duplicates, NULLs and the values
// that break naive comparisons (NaN, ±0, extremes, shared string prefixes).
type gen struct {
	rng      *rand.Rand
	maxBatch int // when > 0, input batches hold at most this many rows
}

// colType is a key column type the sort supports, with a generator of
// non-NULL values as the Go values the test reads back.
type colType struct {
	name string
	dt   arrow.DataType
	val  func(g *gen) any
}

// pick returns one of vs.
func pick[T any](g *gen, vs ...T) T { return vs[g.rng.Intn(len(vs))] }

// small returns a small integer in [-lim, lim] most of the time and one of
// the extremes otherwise.
func (g *gen) small(lim int64, lo, hi int64) int64 {
	if g.rng.Intn(10) == 0 {
		return pick(g, lo, hi)
	}
	return g.rng.Int63n(2*lim+1) - lim
}

func (g *gen) usmall(lim uint64, hi uint64) uint64 {
	if g.rng.Intn(10) == 0 {
		return pick(g, 0, hi)
	}
	return uint64(g.rng.Int63n(int64(lim) + 1))
}

func (g *gen) float() float64 {
	if g.rng.Intn(3) == 0 {
		return pick(g, math.NaN(), math.Copysign(math.NaN(), -1), 0, math.Copysign(0, -1),
			math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64)
	}
	return float64(g.rng.Intn(21)-10) / 4
}

// bytes returns strings from a small alphabet including 0x00 and 0xff, with
// lengths around 8 so that prefixes often tie.
func (g *gen) bytes() []byte {
	if g.rng.Intn(4) == 0 {
		return []byte(pick(g, "", "a", "a\x00", "abcdefgh", "abcdefgh\x00", "abcdefghi", "abcdefgg\xff", "\xff\xff\xff\xff\xff\xff\xff\xff\xff"))
	}
	n := g.rng.Intn(13)
	b := make([]byte, n)
	for i := range b {
		b[i] = pick(g, byte('a'), 'b', 0, 0xff)
	}
	return b
}

var colTypes = []colType{
	{"int8", arrow.PrimitiveTypes.Int8, func(g *gen) any { return int8(g.small(5, math.MinInt8, math.MaxInt8)) }},
	{"int16", arrow.PrimitiveTypes.Int16, func(g *gen) any { return int16(g.small(20, math.MinInt16, math.MaxInt16)) }},
	{"int32", arrow.PrimitiveTypes.Int32, func(g *gen) any { return int32(g.small(20, math.MinInt32, math.MaxInt32)) }},
	{"int64", arrow.PrimitiveTypes.Int64, func(g *gen) any { return g.small(20, math.MinInt64, math.MaxInt64) }},
	{"uint8", arrow.PrimitiveTypes.Uint8, func(g *gen) any { return uint8(g.usmall(20, math.MaxUint8)) }},
	{"uint16", arrow.PrimitiveTypes.Uint16, func(g *gen) any { return uint16(g.usmall(20, math.MaxUint16)) }},
	{"uint32", arrow.PrimitiveTypes.Uint32, func(g *gen) any { return uint32(g.usmall(20, math.MaxUint32)) }},
	{"uint64", arrow.PrimitiveTypes.Uint64, func(g *gen) any { return g.usmall(20, math.MaxUint64) }},
	{"float32", arrow.PrimitiveTypes.Float32, func(g *gen) any { return float32(g.float()) }},
	{"float64", arrow.PrimitiveTypes.Float64, func(g *gen) any { return g.float() }},
	{"date32", arrow.FixedWidthTypes.Date32, func(g *gen) any { return arrow.Date32(g.small(20, math.MinInt32, math.MaxInt32)) }},
	{"timestamp", arrow.FixedWidthTypes.Timestamp_us, func(g *gen) any { return arrow.Timestamp(g.small(20, math.MinInt64, math.MaxInt64)) }},
	{"string", arrow.BinaryTypes.String, func(g *gen) any { return string(g.bytes()) }},
	{"binary", arrow.BinaryTypes.Binary, func(g *gen) any { return g.bytes() }},
	{"large_string", arrow.BinaryTypes.LargeString, func(g *gen) any { return string(g.bytes()) }},
	{"bool", arrow.FixedWidthTypes.Boolean, func(g *gen) any { return g.rng.Intn(2) == 0 }},
}

// batchLen picks the size of the next input batch, at most left.
func (g *gen) batchLen(left int) int {
	if g.maxBatch > 0 {
		return min(left, g.rng.Intn(g.maxBatch+1))
	}
	switch g.rng.Intn(6) {
	case 0:
		return 0
	case 1:
		return min(1, left)
	case 2:
		return min(left, g.rng.Intn(8))
	default:
		return min(left, g.rng.Intn(700))
	}
}

// makeTable builds a table whose column 0 is a unique int64 row id and whose
// other columns have the given types, each with the given NULL fraction.
func makeTable(t *testing.T, g *gen, mem memory.Allocator, n int, types []colType, nullFrac float64) table {
	t.Helper()
	fields := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}
	for i, ct := range types {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d_%s", i+1, ct.name), Type: ct.dt, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	rows := make([][]any, n)
	for r := range rows {
		row := []any{int64(r)}
		for _, ct := range types {
			var v any
			if g.rng.Float64() >= nullFrac {
				v = ct.val(g)
			}
			row = append(row, v)
		}
		rows[r] = row
	}
	return table{rec: buildRecord(t, mem, schema, rows), rows: rows}
}

// buildRecord builds a record of schema from rows of Go values.
func buildRecord(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows [][]any) arrow.Record {
	t.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			appendValue(t, b.Field(c), v)
		}
	}
	return b.NewRecord()
}

func appendValue(t *testing.T, b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(v.(int8))
	case *array.Int16Builder:
		b.Append(v.(int16))
	case *array.Int32Builder:
		b.Append(v.(int32))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Uint8Builder:
		b.Append(v.(uint8))
	case *array.Uint16Builder:
		b.Append(v.(uint16))
	case *array.Uint32Builder:
		b.Append(v.(uint32))
	case *array.Uint64Builder:
		b.Append(v.(uint64))
	case *array.Float32Builder:
		b.Append(v.(float32))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.Date32Builder:
		b.Append(v.(arrow.Date32))
	case *array.TimestampBuilder:
		b.Append(v.(arrow.Timestamp))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.LargeStringBuilder:
		b.Append(v.(string))
	case *array.BinaryBuilder:
		b.Append(v.([]byte))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	default:
		t.Fatalf("appendValue: builder %T", b)
	}
}

// value reads row i of arr as the Go value the generators produce.
func value(t *testing.T, arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Int8:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return a.Value(i)
	case *array.Uint16:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return append([]byte{}, a.Value(i)...)
	case *array.Boolean:
		return a.Value(i)
	}
	t.Fatalf("value: array %T", arr)
	return nil
}

// drain opens op, reads every batch and closes it, checking the batch
// contract on the way, and returns the live rows as Go values.
func drain(t *testing.T, op exec.Operator, maxBatch int) [][]any {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, op.Open(ctx))
	rows, err := drainOpen(t, op, maxBatch)
	require.NoError(t, err)
	require.NoError(t, op.Close())
	require.NoError(t, op.Close(), "Close is idempotent")
	return rows
}

// drainOpen reads an opened op to the end or the first error, checking
// every batch with exectest.CheckBatch (at most maxBatch rows when
// maxBatch > 0).
func drainOpen(t *testing.T, op exec.Operator, maxBatch int) ([][]any, error) {
	t.Helper()
	var rows [][]any
	err := exectest.ReadAll(t.Context(), op, maxBatch, func(b exec.Batch) error {
		rows = append(rows, batchRows(t, b)...)
		return nil
	})
	return rows, err
}

// batchRows returns the live rows of b as Go values.
func batchRows(t *testing.T, b exec.Batch) [][]any {
	rows := make([][]any, b.Len())
	for i := range rows {
		r := b.Row(i)
		row := make([]any, b.Rec.NumCols())
		for c := range row {
			row[c] = value(t, b.Column(c), r)
		}
		rows[i] = row
	}
	return rows
}
