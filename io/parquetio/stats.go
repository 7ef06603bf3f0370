package parquetio

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/parquet-go/parquet-go/format"
)

// chunkMeta is what the footer says about one column chunk.
type chunkMeta struct {
	bytes    int64 // compressed size
	nulls    int64 // -1: unknown
	min, max any   // nil: unknown
}

// readChunkMeta decodes the statistics of a column chunk. Min and max come
// from min_value/max_value, or from the deprecated min/max fields when the
// column's order is signed (where those were computed correctly). The null
// count is trusted only when the statistics hold something else too, or
// the count itself is non-zero: thrift cannot tell an absent count from 0.
func readChunkMeta(c *columnDesc, m *format.ColumnMetaData) chunkMeta {
	st := &m.Statistics
	cm := chunkMeta{bytes: m.TotalCompressedSize, nulls: -1}
	has := st.MinValue != nil || st.MaxValue != nil || st.Min != nil || st.Max != nil
	switch {
	case !c.optional:
		cm.nulls = 0
	case (has || st.NullCount > 0) && st.NullCount >= 0 && st.NullCount <= m.NumValues:
		cm.nulls = st.NullCount
	}
	lo, hi := st.MinValue, st.MaxValue
	if lo == nil || hi == nil {
		lo, hi = nil, nil
		if signedOrder(c) {
			lo, hi = st.Min, st.Max
		}
	}
	if lo == nil || hi == nil {
		return cm
	}
	mn, ok1 := statValue(c, lo)
	mx, ok2 := statValue(c, hi)
	if ok1 && ok2 {
		cm.min, cm.max = mn, mx
	}
	return cm
}

// signedOrder reports whether the deprecated min/max fields are valid for
// the column: signed integers, floats, booleans and the temporal types
// stored in them.
func signedOrder(c *columnDesc) bool {
	switch c.kind {
	case kBool, kInt8, kInt16, kFloat32, kFloat64, kDecimal32, kDecimal64:
		return true
	case kInt32, kInt64:
		return !isUnsigned(c.typ)
	}
	return false
}

func isUnsigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// statValue decodes a PLAIN-encoded statistics value to the Go value of the
// column's Arrow type.
func statValue(c *columnDesc, b []byte) (any, bool) {
	switch c.kind {
	case kBool:
		if len(b) != 1 {
			return nil, false
		}
		return b[0] != 0, true
	case kInt32, kInt8, kInt16, kUint8, kUint16, kDecimal32:
		if len(b) != 4 {
			return nil, false
		}
		v := int32(binary.LittleEndian.Uint32(b))
		return int32Value(c, v)
	case kInt64, kDecimal64:
		if len(b) != 8 {
			return nil, false
		}
		v := int64(binary.LittleEndian.Uint64(b))
		if c.kind == kDecimal64 {
			return float64(v) / pow10(c.scale), true
		}
		return int64Value(c.typ, v), true
	case kFloat32:
		if len(b) != 4 {
			return nil, false
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		return f, !math.IsNaN(float64(f))
	case kFloat64:
		if len(b) != 8 {
			return nil, false
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		return f, !math.IsNaN(f)
	case kDecimalBytes:
		if len(b) == 0 || len(b) > 32 {
			return nil, false
		}
		return decimalBytes(b, c.scale), true
	case kBytes:
		if c.typ.ID() == arrow.STRING {
			return string(b), true
		}
		return append([]byte(nil), b...), true
	case kFixedBytes:
		return append([]byte(nil), b...), true
	}
	return nil, false
}

func int32Value(c *columnDesc, v int32) (any, bool) {
	switch c.kind {
	case kInt8:
		return int8(v), v == int32(int8(v))
	case kInt16:
		return int16(v), v == int32(int16(v))
	case kUint8:
		return uint8(v), uint32(v) <= math.MaxUint8
	case kUint16:
		return uint16(v), uint32(v) <= math.MaxUint16
	case kDecimal32:
		return float64(v) / pow10(c.scale), true
	}
	switch c.typ.ID() {
	case arrow.UINT32:
		return uint32(v), true
	case arrow.DATE32:
		return arrow.Date32(v), true
	case arrow.TIME32:
		return arrow.Time32(v), true
	}
	return v, true
}

func int64Value(t arrow.DataType, v int64) any {
	switch t.ID() {
	case arrow.UINT64:
		return uint64(v)
	case arrow.TIMESTAMP:
		return arrow.Timestamp(v)
	case arrow.TIME64:
		return arrow.Time64(v)
	}
	return v
}

var pow10tab = func() (t [23]float64) {
	for i := range t {
		t[i] = math.Pow10(i)
	}
	return t
}()

// pow10 is 10^n, exact for n <= 22.
func pow10(n int32) float64 {
	if n >= 0 && int(n) < len(pow10tab) {
		return pow10tab[n]
	}
	return math.Pow10(int(n))
}

// decimalBytes converts a big-endian two's complement unscaled decimal to
// float64. Up to 8 bytes it is exact before the division by 10^scale;
// longer values combine two 64-bit halves, within a few ulps.
func decimalBytes(b []byte, scale int32) float64 {
	neg := b[0]&0x80 != 0
	if len(b) <= 8 {
		var v uint64
		if neg {
			v = math.MaxUint64
		}
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return float64(int64(v)) / pow10(scale)
	}
	// Accumulate in float64 from the most significant byte, on the
	// magnitude so rounding is symmetric.
	mag := b
	if neg {
		var buf [32]byte
		if len(b) <= len(buf) {
			mag = negate(buf[:len(b)], b)
		} else {
			mag = negate(make([]byte, len(b)), b)
		}
	}
	var f float64
	for _, c := range mag {
		f = f*256 + float64(c)
	}
	if neg {
		f = -f
	}
	return f / pow10(scale)
}

// negate stores the two's complement of the big-endian number b in out.
func negate(out, b []byte) []byte {
	carry := uint16(1)
	for i := len(b) - 1; i >= 0; i-- {
		s := uint16(^b[i]) + carry
		out[i] = byte(s)
		carry = s >> 8
	}
	return out
}
