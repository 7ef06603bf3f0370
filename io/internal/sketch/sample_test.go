package sketch

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// population returns n hashes of generated values and their true number of
// distinct values.
func population(n int, gen func(i int) uint64) ([]uint64, int64) {
	vals := make([]uint64, n)
	for i := range vals {
		vals[i] = fmix64(gen(i))
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	return vals, int64(len(slices.Compact(sorted)))
}

// sampleBlocks samples the first take values of segs blocks spread evenly
// over vals cut into groups blocks, as parquetio samples row groups; with
// one block, the block is cut into 8 segments.
func sampleBlocks(vals []uint64, groups, segs, take int) *Sample {
	s := NewSample()
	size := len(vals) / groups
	for b := range segs {
		start := (2*b + 1) * groups / (2 * segs) * size
		if segs == 1 {
			for k := range 8 {
				s.Segment()
				s.Add(vals[start+k*take/8 : start+(k+1)*take/8])
			}
			continue
		}
		s.Segment()
		s.Add(vals[start : start+take])
	}
	return s
}

// TestSampleEstimate checks the estimator on columns of 512K values sampled
// as 8 blocks of 8K (12.5% of the rows), or as the first 32K values of a
// single block. The tolerances are the documented accuracy: exact for
// keys and low-cardinality columns, a few percent for clustered ones,
// Duj1's known underestimate for uniform high-cardinality columns and
// Shlosser's overestimate for Zipf-like ones.
func TestSampleEstimate(t *testing.T) {
	const n = 1 << 19
	rng := rand.New(rand.NewSource(1))
	perm := rng.Perm(n)
	zipf := rand.NewZipf(rng, 1.1, 1, n)
	cases := []struct {
		name   string
		gen    func(i int) uint64
		lo, hi float64 // accepted estimate / truth
	}{
		{"key sorted", func(i int) uint64 { return uint64(i) }, 1, 1},
		{"key shuffled", func(i int) uint64 { return uint64(perm[i]) }, 1, 1},
		{"runs of 2", func(i int) uint64 { return uint64(i / 2) }, 0.98, 1.02},
		{"runs of 10", func(i int) uint64 { return uint64(i / 10) }, 0.98, 1.02},
		// A single block cut into segments loses the runs that straddle them.
		{"runs of 1000", func(i int) uint64 { return uint64(i / 1000) }, 0.75, 1.05},
		{"clustered runs of 100 from n/10", func(i int) uint64 { return uint64(perm[i/100] % (n / 10)) }, 0.95, 1.1},
		{"uniform 10", func(int) uint64 { return uint64(rng.Intn(10)) }, 1, 1},
		{"uniform 1000", func(int) uint64 { return uint64(rng.Intn(1000)) }, 1, 1},
		{"round robin 1000", func(i int) uint64 { return uint64(i % 1000) }, 1, 1},
		{"uniform n/10", func(int) uint64 { return uint64(rng.Intn(n / 10)) }, 0.9, 1.02},
		{"uniform n/5", func(int) uint64 { return uint64(rng.Intn(n / 5)) }, 0.8, 1.02},
		{"uniform n", func(int) uint64 { return uint64(rng.Intn(n)) }, 0.75, 1.02},
		{"zipf 1.1", func(int) uint64 { return zipf.Uint64() }, 0.9, 1.4},
	}
	for _, tc := range cases {
		vals, truth := population(n, tc.gen)
		for _, cfg := range []struct {
			name               string
			groups, segs, take int
		}{{"8 of 64 blocks", 64, 8, 1 << 13}, {"one block", 1, 1, 1 << 15}} {
			t.Run(tc.name+"/"+cfg.name, func(t *testing.T) {
				s := sampleBlocks(vals, cfg.groups, cfg.segs, cfg.take)
				got := s.Estimate(n)
				ratio := float64(got) / float64(truth)
				t.Logf("truth %d, sample distinct %d, estimate %d (%+.1f%%)", truth, s.Distinct(), got, 100*(ratio-1))
				require.GreaterOrEqual(t, ratio, tc.lo)
				require.LessOrEqual(t, ratio, tc.hi)
			})
		}
	}
}

func TestSampleWholePopulationIsExact(t *testing.T) {
	s := NewSample()
	for seg := range 3 {
		s.Segment()
		// The hash 0 is a value like any other.
		s.Add([]uint64{0, 11, 20 + uint64(seg), 11})
	}
	require.Equal(t, int64(12), s.Values())
	require.Equal(t, int64(5), s.Distinct()) // 0, 11, 20, 21, 22
	require.Equal(t, int64(5), s.Estimate(12))
	require.Equal(t, int64(5), s.Estimate(3), "a population smaller than the sample is the sample")
}

func TestSampleEmpty(t *testing.T) {
	s := NewSample()
	s.Segment()
	s.Add(nil)
	require.Equal(t, int64(0), s.Estimate(1000))
}

func TestSampleBounds(t *testing.T) {
	// A sample without repeats estimates every value distinct; one
	// without singletons saturates: the estimate stays between the
	// sample's distinct count and the population.
	s := NewSample()
	for seg := range 4 {
		s.Segment()
		hs := make([]uint64, 100)
		for i := range hs {
			hs[i] = fmix64(uint64(seg*100 + i))
		}
		s.Add(hs)
	}
	require.Equal(t, int64(1_000_000), s.Estimate(1_000_000))

	s = NewSample()
	for range 4 {
		s.Segment()
		hs := make([]uint64, 100)
		for i := range hs {
			hs[i] = fmix64(uint64(i % 7))
		}
		s.Add(hs)
	}
	require.Equal(t, int64(7), s.Estimate(1_000_000))
}

func TestChiSquare975(t *testing.T) {
	// Reference quantiles of the chi-square distribution.
	for df, want := range map[float64]float64{1: 5.024, 10: 20.483, 100: 129.561, 1000: 1089.531} {
		require.InEpsilon(t, want, chiSquare975(df), 0.02, "df %v", df)
	}
}
