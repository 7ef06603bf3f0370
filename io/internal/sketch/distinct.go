package sketch

// ExactLimit is the number of distinct hashes up to which a Distinct
// counter is exact; past it the counter switches to HyperLogLog.
const ExactLimit = 1 << 16

// Distinct counts distinct hashes in bounded memory: exactly (a set of at
// most ExactLimit hashes, 1 MiB at most) and then, past ExactLimit, with a
// HyperLogLog sketch of 2^14 registers (16 KiB, standard error about 0.8%)
// seeded with the hashes seen so far. The zero value is not usable; call
// NewDistinct. A Distinct is not safe for concurrent use.
type Distinct struct {
	set table[struct{}] // nil keys once switched to the sketch
	hll hll
}

// NewDistinct returns an empty counter.
func NewDistinct() *Distinct { return &Distinct{set: newTable[struct{}]()} }

// Add records the hashes hs.
func (d *Distinct) Add(hs []uint64) {
	for i, h := range hs {
		if d.hll != nil {
			for _, h := range hs[i:] {
				d.hll.add(h)
			}
			return
		}
		if _, added := d.set.find(h); added && d.set.n > ExactLimit {
			d.toHLL()
		}
	}
}

// toHLL replaces the exact set by a sketch holding the same hashes.
func (d *Distinct) toHLL() {
	d.hll = newHLL()
	for _, h := range d.set.keys {
		if h != 0 {
			d.hll.add(h)
		}
	}
	d.set = table[struct{}]{}
}

// Exact reports whether Count is exact (up to 64-bit hash collisions,
// about one in 2^64 per pair of values).
func (d *Distinct) Exact() bool { return d.hll == nil }

// Count returns the number of distinct hashes added: exact while Exact,
// else the sketch's estimate.
func (d *Distinct) Count() int64 {
	if d.hll == nil {
		return int64(d.set.n)
	}
	return d.hll.count()
}
