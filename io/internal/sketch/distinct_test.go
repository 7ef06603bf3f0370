package sketch

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDistinctExactThenSketch(t *testing.T) {
	d := NewDistinct()
	d.Add([]uint64{0, 1, 0, 5, 5}) // 0 and 1 share a slot: a 1-in-2^64 collision by design
	require.True(t, d.Exact())
	require.Equal(t, int64(2), d.Count())

	d = NewDistinct()
	hs := make([]uint64, 0, 1000)
	for i := range ExactLimit {
		hs = append(hs, fmix64(uint64(i)+1))
		if len(hs) == cap(hs) {
			d.Add(hs)
			d.Add(hs) // repeats change nothing
			hs = hs[:0]
		}
	}
	d.Add(hs)
	require.True(t, d.Exact(), "exact up to ExactLimit")
	require.Equal(t, int64(ExactLimit), d.Count())

	const n = 300_000
	for i := ExactLimit; i < n; i++ {
		d.Add([]uint64{fmix64(uint64(i) + 1)})
	}
	require.False(t, d.Exact())
	require.InEpsilon(t, float64(n), float64(d.Count()), 0.03)
}

func TestHLLSmallCounts(t *testing.T) {
	// Linear counting keeps small cardinalities accurate.
	s := newHLL()
	for i := range 1000 {
		s.add(fmix64(uint64(i) + 1))
	}
	require.InEpsilon(t, 1000, float64(s.count()), 0.03)
}
