package memtable

import (
	"math"
	"math/bits"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cespare/xxhash/v2"
)

// Distinct counts are computed once, on the first Stats call, by hashing
// every non-NULL value of every column:
//
//   - Up to exactLimit distinct hashes per column the count is exact (up to
//     64-bit hash collisions, about one in 2^64 per pair). Equality is the
//     grouping equality: every NaN is one value and -0 equals +0.
//   - Past exactLimit the column switches to a HyperLogLog sketch with 2^14
//     registers (standard error about 0.8%), seeded with the hashes seen so
//     far, so memory stays bounded (a 512 KiB set, then 16 KiB) whatever
//     the table size.
//
// Integers, dates, timestamps, booleans and floats hash with the fmix64
// mixer over their bits; strings and binaries with xxhash. Columns of other
// types (lists, structs, dictionaries…) keep DistinctCount -1.
const (
	exactLimit = 1 << 16
	hllBits    = 14
	hllSize    = 1 << hllBits
)

// distinctCounter counts the distinct hashes added to it.
type distinctCounter struct {
	slots []uint64 // open addressing, 0 = empty; nil once switched to hll
	n     int      // distinct hashes in slots
	hll   []uint8
}

func newDistinctCounter() *distinctCounter {
	return &distinctCounter{slots: make([]uint64, 1024)}
}

// add records one hash.
func (d *distinctCounter) add(h uint64) {
	if d.hll != nil {
		d.hllAdd(h)
		return
	}
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch d.slots[i] {
		case h:
			return
		case 0:
			d.slots[i] = h
			d.n++
			if d.n > exactLimit {
				d.toHLL()
			} else if 2*d.n > len(d.slots) {
				d.grow()
			}
			return
		}
	}
}

func (d *distinctCounter) grow() {
	old := d.slots
	d.slots = make([]uint64, 2*len(old))
	mask := uint64(len(d.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for d.slots[i] != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = h
	}
}

// toHLL replaces the exact set by a sketch holding the same hashes.
func (d *distinctCounter) toHLL() {
	d.hll = make([]uint8, hllSize)
	for _, h := range d.slots {
		if h != 0 {
			d.hllAdd(h)
		}
	}
	d.slots = nil
}

func (d *distinctCounter) hllAdd(h uint64) {
	idx := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1))) + 1
	if rank > d.hll[idx] {
		d.hll[idx] = rank
	}
}

// count returns the exact count or the sketch's estimate.
func (d *distinctCounter) count() int64 {
	if d.hll == nil {
		return int64(d.n)
	}
	m := float64(hllSize)
	sum, zeros := 0.0, 0
	for _, r := range d.hll {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros)) // linear counting for small counts
	}
	return int64(math.Round(est))
}

// fmix64 is MurmurHash3's 64-bit finalizer, a bijection with full avalanche.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// canonFloat maps every NaN to one bit pattern and -0 to +0.
func canonFloat(f float64) uint64 {
	switch {
	case f != f:
		return 0x7ff8000000000001
	case f == 0:
		return 0
	}
	return math.Float64bits(f)
}

// addColumn feeds the non-NULL values of arr to d. It returns false when
// the column type is not supported.
func addColumn(d *distinctCounter, arr arrow.Array) bool {
	switch a := arr.(type) {
	case *array.Boolean:
		for i := 0; i < a.Len(); i++ {
			if a.IsValid(i) {
				v := uint64(0)
				if a.Value(i) {
					v = 1
				}
				d.add(fmix64(v))
			}
		}
	case *array.Int8:
		addInts(d, a, a.Int8Values())
	case *array.Int16:
		addInts(d, a, a.Int16Values())
	case *array.Int32:
		addInts(d, a, a.Int32Values())
	case *array.Int64:
		addInts(d, a, a.Int64Values())
	case *array.Uint8:
		addInts(d, a, a.Uint8Values())
	case *array.Uint16:
		addInts(d, a, a.Uint16Values())
	case *array.Uint32:
		addInts(d, a, a.Uint32Values())
	case *array.Uint64:
		addInts(d, a, a.Uint64Values())
	case *array.Date32:
		addInts(d, a, a.Date32Values())
	case *array.Timestamp:
		addInts(d, a, a.TimestampValues())
	case *array.Float32:
		for i, v := range a.Float32Values() {
			if a.IsValid(i) {
				d.add(fmix64(canonFloat(float64(v))))
			}
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			if a.IsValid(i) {
				d.add(fmix64(canonFloat(v)))
			}
		}
	case *array.String:
		addStrings(d, a, a.Value)
	case *array.LargeString:
		addStrings(d, a, a.Value)
	case *array.Binary:
		addBytes(d, a, a.Value)
	case *array.LargeBinary:
		addBytes(d, a, a.Value)
	default:
		return false
	}
	return true
}

// addInts feeds integer-like values; the loop skips validity checks when the
// column has no NULLs.
func addInts[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64](d *distinctCounter, a arrow.Array, vals []T) {
	if a.NullN() == 0 {
		for _, v := range vals {
			d.add(fmix64(uint64(v)))
		}
		return
	}
	for i, v := range vals {
		if a.IsValid(i) {
			d.add(fmix64(uint64(v)))
		}
	}
}

func addStrings(d *distinctCounter, a arrow.Array, value func(int) string) {
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			d.add(xxhash.Sum64String(value(i)))
		}
	}
}

func addBytes(d *distinctCounter, a arrow.Array, value func(int) []byte) {
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			d.add(xxhash.Sum64(value(i)))
		}
	}
}

// computeDistinct fills DistinctCount for every supported column.
func (t *Table) computeDistinct() {
	if len(t.recs) == 0 && t.stats.Rows > 0 {
		return // released before the first Stats call: stay unknown
	}
	for c := range t.schema.Fields() {
		d := newDistinctCounter()
		ok := true
		for _, r := range t.recs {
			if !addColumn(d, r.Column(c)) {
				ok = false
				break
			}
		}
		if ok {
			t.stats.Columns[c].DistinctCount = d.count()
		}
	}
}
