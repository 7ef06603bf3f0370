package sketch

import "math"

// Sample is the frequency profile of a sample of one column, from which
// Estimate extrapolates the column's distinct count. The sample is read as
// segments: runs of consecutive rows (a row group's first rows, say), the
// segments themselves far apart. For every distinct hash it keeps how often
// it occurs, whether all its occurrences lie in one segment, and whether it
// is the first or last value of a segment: 16 bytes per slot, at most
// half of them in use, so the caller bounds the sample (one of n values
// takes at most 32·n bytes, 4 MiB for 128K values). A Sample is not safe
// for concurrent use.
type Sample struct {
	t      table[freq]
	segs   []int64 // non-NULL values added per segment
	last   uint64  // hash of the current segment's last value
	inSeg  bool    // a value was added to the current segment
	values int64
}

// freq is what a Sample knows about one distinct hash.
type freq struct {
	n     uint32 // occurrences (saturating)
	seg   int16  // the only segment holding it, or -1 when several do
	first bool   // the first value of a segment
	last  bool   // the last value of a segment
}

// maxSegments is the number of segments a Sample tells apart; later
// segments continue the last one.
const maxSegments = math.MaxInt16

// NewSample returns an empty sample.
func NewSample() *Sample { return &Sample{t: newTable[freq]()} }

// Segment starts a new segment: values added next are not adjacent to the
// ones added before. Values added before the first call form a segment
// too. Past maxSegments segments, Segment does nothing.
func (s *Sample) Segment() {
	if len(s.segs) >= maxSegments {
		return
	}
	s.endSegment()
	s.segs = append(s.segs, 0)
}

// endSegment marks the current segment's last value as an edge.
func (s *Sample) endSegment() {
	if s.inSeg {
		i, _ := s.t.find(s.last)
		s.t.vals[i].last = true
		s.inSeg = false
	}
}

// Add records the hashes of the next non-NULL values of the current
// segment, in row order.
func (s *Sample) Add(hs []uint64) {
	if len(hs) == 0 {
		return
	}
	if len(s.segs) == 0 {
		s.segs = append(s.segs, 0)
	}
	seg := int16(len(s.segs) - 1)
	for j, h := range hs {
		i, added := s.t.find(h)
		v := &s.t.vals[i]
		switch {
		case added:
			v.seg = seg
		case v.seg != seg:
			v.seg = -1
		}
		if v.n < math.MaxUint32 {
			v.n++
		}
		if j == 0 && !s.inSeg {
			v.first = true
		}
	}
	s.inSeg = true
	s.last = hs[len(hs)-1]
	s.segs[seg] += int64(len(hs))
	s.values += int64(len(hs))
}

// Values returns the number of values added.
func (s *Sample) Values() int64 { return s.values }

// Distinct returns the number of distinct hashes added, exactly (up to
// 64-bit hash collisions).
func (s *Sample) Distinct() int64 { return int64(s.t.n) }

// Estimate returns the estimated number of distinct values among the
// population non-NULL values the sample was drawn from. Call it after the
// last Add.
//
// It is the hybrid estimator of Haas, Naughton, Seshadri and Stokes
// ("Sampling-based estimation of the number of distinct values of an
// attribute", VLDB 1995), extended for block samples. With n sampled values,
// d distinct, f_k of them seen k times and q = n/N:
//
//   - When the frequencies look uniform (a chi-square test at 97.5%), the
//     "Duj1" estimator, also PostgreSQL's: D = n·d / (n − f1 + f1·q). A
//     sample without repeats (f1 = d = n) estimates N — every value unique,
//     as PostgreSQL concludes — and one without singletons estimates d: a
//     low-cardinality column saturates its sample.
//   - When they are skewed, Shlosser's estimator, which Duj1 underestimates
//     badly on Zipf-like data: D = d + f1·Σ(1−q)^k·f_k / Σ k·q·(1−q)^(k−1)·f_k.
//
// Both assume rows sampled at random, but a segment is a block of
// consecutive rows, and in sorted or clustered data (a date column of a
// time-ordered table) repeated values stay inside one segment and the
// unsampled rows hold values the sample never saw. So, for each frequency
// k ≥ 2, the share of values whose k occurrences all fall in one segment is
// compared with the share random placement would give, π_k = Σ p_s^k over
// the segments' shares p_s of the sample: the excess c_k = (observed −
// π_k)/(1 − π_k) is the fraction of those values that are clustered. They
// are extrapolated to the unsampled rows at the density the sample shows
// them: a value inside a segment counts 1, one touching a segment's edge
// 1/2 (it probably continues beyond it and is counted there too), one
// filling its segment 0, so that for sorted data the count is the number
// of value changes seen. With l_k of the f_k values inside one segment and
// weights summing to w_k:
//
//	D += Σ_k c_k·(f_k / l_k)·w_k · (N/n − 1)
//
// The result is at least d and at most N. A sample that is the whole
// population (n ≥ N) returns d.
func (s *Sample) Estimate(population int64) int64 {
	s.endSegment()
	d := int64(s.t.n)
	if s.values == 0 || population <= s.values {
		return d
	}
	n, bigN := float64(s.values), float64(population)
	classes := s.classes()
	est := base(classes, n, float64(d), n/bigN)
	est += s.clustered(classes) * (bigN/n - 1)
	return int64(math.Round(math.Max(float64(d), math.Min(bigN, est))))
}

// class gathers the distinct values seen k times.
type class struct {
	f float64 // values seen k times
	l float64 // those whose occurrences all lie in one segment
	w float64 // the edge weights of those
}

// classes groups the distinct values by frequency. A sample of n values
// has at most sqrt(2n) different frequencies.
func (s *Sample) classes() map[uint32]*class {
	out := map[uint32]*class{}
	for i, h := range s.t.keys {
		if h == 0 {
			continue
		}
		v := s.t.vals[i]
		c := out[v.n]
		if c == nil {
			c = &class{}
			out[v.n] = c
		}
		c.f++
		if v.seg >= 0 {
			c.l++
			c.w += edgeWeight(v)
		}
	}
	return out
}

// base is Duj1 for uniform-looking frequencies, Shlosser's estimator for
// skewed ones (see Estimate).
func base(classes map[uint32]*class, n, d, q float64) float64 {
	var f1 float64
	if c := classes[1]; c != nil {
		f1 = c.f
	}
	// Pearson's statistic for "every value equally frequent".
	mean, chi := n/d, 0.0
	for k, c := range classes {
		dev := float64(k) - mean
		chi += c.f * dev * dev / mean
	}
	if chi <= chiSquare975(d-1) {
		return n * d / (n - f1 + f1*q)
	}
	var num, den float64
	for k, c := range classes {
		num += math.Pow(1-q, float64(k)) * c.f
		den += float64(k) * q * math.Pow(1-q, float64(k)-1) * c.f
	}
	if den == 0 {
		return d
	}
	return d + f1*num/den
}

// chiSquare975 approximates the 97.5% quantile of the chi-square
// distribution with df degrees of freedom (Wilson–Hilferty).
func chiSquare975(df float64) float64 {
	if df < 1 {
		return math.Inf(1)
	}
	const z = 1.959964
	a := 2 / (9 * df)
	return df * math.Pow(1-a+z*math.Sqrt(a), 3)
}

// clustered returns the weighted count of sampled values that are local to
// their segment beyond what random placement explains (see Estimate).
func (s *Sample) clustered(classes map[uint32]*class) float64 {
	total := 0.0
	for k, c := range classes {
		if k < 2 || c.l == 0 {
			continue
		}
		pi := 0.0
		for _, m := range s.segs {
			pi += math.Pow(float64(m)/float64(s.values), float64(k))
		}
		if pi > 1-1e-9 {
			continue // one segment: locality says nothing
		}
		share := math.Max(0, (c.l/c.f-pi)/(1-pi))
		total += share * c.f / c.l * c.w
	}
	return total
}

// edgeWeight is what a value local to one segment adds to the density of
// values the unsampled rows are expected to hold (see Estimate).
func edgeWeight(v freq) float64 {
	switch {
	case v.first && v.last:
		return 0
	case v.first || v.last:
		return 0.5
	}
	return 1
}
