package hashtable

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// allTypes lists every supported key type.
var allTypes = []arrow.DataType{
	arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
	arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
	&arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, &arrow.TimestampType{Unit: arrow.Nanosecond},
	arrow.FixedWidthTypes.Time32s, arrow.FixedWidthTypes.Time64us, arrow.FixedWidthTypes.Duration_ms,
}

// floatPool holds the float values that stress key equality: NaNs with
// different payloads and signs, both zeros, infinities.
var floatPool = []float64{
	math.NaN(), math.Float64frombits(0x7ff8000000000123), math.Float64frombits(0xfff8000000000001),
	0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1.5, -2.25,
}

// gen describes random key data: values come from domain distinct values
// (plus specials), with nullFrac of the rows null.
type gen struct {
	rng      *rand.Rand
	domain   int
	nullFrac float64
}

// column returns a random array of n rows of type dt. To exercise array
// offsets it is usually a slice of a longer array.
func (g gen) column(mem memory.Allocator, dt arrow.DataType, n int) arrow.Array {
	pad := 0
	if g.rng.IntN(2) == 0 {
		pad = g.rng.IntN(9)
	}
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for range n + 2*pad {
		if g.rng.Float64() < g.nullFrac {
			b.AppendNull()
			continue
		}
		g.appendValue(b)
	}
	full := b.NewArray()
	defer full.Release()
	return array.NewSlice(full, int64(pad), int64(pad+n))
}

// appendValue appends one random non-null value to b.
func (g gen) appendValue(b array.Builder) {
	k := int64(g.rng.IntN(g.domain)) - int64(g.domain/4)
	if g.rng.IntN(50) == 0 { // extremes now and then
		k = []int64{math.MinInt64, math.MaxInt64, -1, 0}[g.rng.IntN(4)]
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(k))
	case *array.Int16Builder:
		b.Append(int16(k))
	case *array.Int32Builder:
		b.Append(int32(k))
	case *array.Int64Builder:
		b.Append(k)
	case *array.Uint8Builder:
		b.Append(uint8(k))
	case *array.Uint16Builder:
		b.Append(uint16(k))
	case *array.Uint32Builder:
		b.Append(uint32(k))
	case *array.Uint64Builder:
		b.Append(uint64(k))
	case *array.Float32Builder:
		b.Append(float32(g.float(k)))
	case *array.Float64Builder:
		b.Append(g.float(k))
	case *array.BooleanBuilder:
		b.Append(k%2 == 0)
	case *array.StringBuilder:
		b.Append(g.str(k))
	case *array.LargeStringBuilder:
		b.Append(g.str(k))
	case *array.BinaryBuilder:
		b.Append([]byte(g.str(k)))
	case *array.Date32Builder:
		b.Append(arrow.Date32(k))
	case *array.Date64Builder:
		b.Append(arrow.Date64(k))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(k))
	case *array.Time32Builder:
		b.Append(arrow.Time32(k))
	case *array.Time64Builder:
		b.Append(arrow.Time64(k))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(k))
	default:
		panic(fmt.Sprintf("test generator: builder %T", b))
	}
}

func (g gen) float(k int64) float64 {
	if g.rng.IntN(4) == 0 {
		return floatPool[g.rng.IntN(len(floatPool))]
	}
	return float64(k) / 4
}

// str returns strings of several lengths, including the empty string and
// strings longer than one xxhash block.
func (g gen) str(k int64) string {
	switch k % 5 {
	case 0:
		return ""
	case 1:
		return strconv.FormatInt(k, 10)
	case 2:
		return strings.Repeat("x", int(k%40+40)) + strconv.FormatInt(k, 36)
	default:
		return "k" + strconv.FormatInt(k, 10)
	}
}

// cell returns the canonical text of row i of arr under the table's key
// semantics: one text per distinct key.
func cell(arr arrow.Array, i int) string {
	if arr.IsNull(i) {
		return "∅"
	}
	switch a := arr.(type) {
	case *array.Float32:
		return canonFloat(float64(a.Value(i)))
	case *array.Float64:
		return canonFloat(a.Value(i))
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.LargeString:
		return strconv.Quote(a.Value(i))
	case *array.Binary:
		return strconv.Quote(string(a.Value(i)))
	case *array.LargeBinary:
		return strconv.Quote(string(a.Value(i)))
	case *array.Timestamp:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Date64:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Date32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Time32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Time64:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Duration:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	default:
		return a.ValueStr(i)
	}
}

func canonFloat(f float64) string {
	if f != f {
		return "NaN"
	}
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// rowKey is the canonical text of the key of row r of cols.
func rowKey(cols []arrow.Array, r int) string {
	parts := make([]string, len(cols))
	for c, arr := range cols {
		parts[c] = cell(arr, r)
	}
	return strings.Join(parts, "|")
}

// reference is the oracle: a Go map from canonical key text to the id of
// the key's first appearance.
type reference struct {
	ids  map[string]int
	keys []string // by id
}

func newReference() *reference { return &reference{ids: map[string]int{}} }

func (ref *reference) insert(k string) int {
	id, ok := ref.ids[k]
	if !ok {
		id = len(ref.keys)
		ref.ids[k] = id
		ref.keys = append(ref.keys, k)
	}
	return id
}

func (ref *reference) lookup(k string) int {
	if id, ok := ref.ids[k]; ok {
		return id
	}
	return -1
}

// randomSel returns nil or a random increasing selection of rows 0..n-1.
func randomSel(rng *rand.Rand, n int) []int32 {
	if rng.IntN(2) == 0 {
		return nil
	}
	sel := []int32{}
	keep := rng.Float64()
	for i := range n {
		if rng.Float64() < keep {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// liveRowList returns the physical rows of sel (or 0..n-1).
func liveRowList(sel []int32, n int) []int {
	rows := make([]int, liveRows(sel, n))
	for i := range rows {
		rows[i] = int(rowAt(sel, i))
	}
	return rows
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		a.Release()
	}
}
