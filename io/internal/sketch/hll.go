package sketch

import (
	"math"
	"math/bits"
)

// hllBits is the number of hash bits that pick a HyperLogLog register:
// 2^14 registers of one byte, a standard error of 1.04/sqrt(2^14) ≈ 0.8%.
const (
	hllBits = 14
	hllSize = 1 << hllBits
)

// hll is a HyperLogLog sketch (Flajolet et al. 2007) with linear counting
// for small cardinalities.
type hll []uint8

func newHLL() hll { return make(hll, hllSize) }

// add records one hash: the top hllBits bits pick the register, the rank
// of the first set bit among the others is kept when it is the largest.
func (s hll) add(h uint64) {
	idx := h >> (64 - hllBits)
	rank := uint8(bits.LeadingZeros64(h<<hllBits|1<<(hllBits-1))) + 1
	if rank > s[idx] {
		s[idx] = rank
	}
}

// count returns the sketch's estimate of the distinct hashes added.
func (s hll) count() int64 {
	m := float64(len(s))
	sum, zeros := 0.0, 0
	for _, r := range s {
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
