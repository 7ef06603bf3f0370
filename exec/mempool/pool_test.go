package mempool_test

import (
	"errors"
	"math"
	"testing"

	"github.com/grainql/grain/exec/mempool"
	"github.com/stretchr/testify/require"
)

// pools lists a constructor for each pool kind with the given limit; the
// unbounded one ignores it.
func pools(limit int64) map[string]mempool.Pool {
	return map[string]mempool.Pool{
		"unbounded":  mempool.NewUnbounded(),
		"greedy":     mempool.NewGreedy(limit),
		"fair_spill": mempool.NewFairSpill(limit),
	}
}

func TestLimitBoundary(t *testing.T) {
	const limit = 100
	cases := []struct {
		name      string
		pool      func() mempool.Pool
		spillable bool
		steps     []int64 // successive TryGrow sizes
		wantOK    []bool
		wantSize  int64
	}{
		{"greedy exact limit", func() mempool.Pool { return mempool.NewGreedy(limit) }, false,
			[]int64{100, 1, 0}, []bool{true, false, true}, 100},
		{"greedy one over", func() mempool.Pool { return mempool.NewGreedy(limit) }, false,
			[]int64{101, 100}, []bool{false, true}, 100},
		{"greedy split", func() mempool.Pool { return mempool.NewGreedy(limit) }, false,
			[]int64{60, 41, 40, 1}, []bool{true, false, true, false}, 100},
		{"greedy zero limit", func() mempool.Pool { return mempool.NewGreedy(0) }, false,
			[]int64{1, 0}, []bool{false, true}, 0},
		{"greedy negative limit", func() mempool.Pool { return mempool.NewGreedy(-5) }, false,
			[]int64{1}, []bool{false}, 0},
		{"fair spill unspillable", func() mempool.Pool { return mempool.NewFairSpill(limit) }, false,
			[]int64{99, 2, 1, 1}, []bool{true, false, true, false}, 100},
		{"fair spill lone spillable", func() mempool.Pool { return mempool.NewFairSpill(limit) }, true,
			[]int64{50, 50, 1}, []bool{true, true, false}, 100},
		{"unbounded huge", func() mempool.Pool { return mempool.NewUnbounded() }, false,
			[]int64{1 << 40, 1 << 50}, []bool{true, true}, 1<<40 + 1<<50},
		{"unbounded overflow", func() mempool.Pool { return mempool.NewUnbounded() }, false,
			[]int64{math.MaxInt64, 1}, []bool{true, false}, math.MaxInt64},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pool()
			r := mempool.NewReservation(p, "op", tc.spillable)
			for i, n := range tc.steps {
				err := r.TryGrow(n)
				if tc.wantOK[i] {
					require.NoError(t, err, "step %d", i)
				} else {
					require.ErrorIs(t, err, mempool.ErrMemoryLimit, "step %d", i)
				}
			}
			require.Equal(t, tc.wantSize, r.Size())
			require.Equal(t, tc.wantSize, p.Reserved())
			require.LessOrEqual(t, p.Reserved(), limitOrMax(p))
			require.Equal(t, tc.wantSize, r.Free())
			require.Zero(t, p.Reserved())
		})
	}
}

// limitOrMax is the bound Reserved must respect.
func limitOrMax(p mempool.Pool) int64 {
	if p.Limit() == 0 && p.Reserved() > 0 {
		return math.MaxInt64
	}
	return p.Limit()
}

func TestRefusalChangesNothing(t *testing.T) {
	for name, p := range pools(100) {
		if p.Limit() == 0 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			a := mempool.NewReservation(p, "a", false)
			b := mempool.NewReservation(p, "b", false)
			require.NoError(t, a.TryGrow(70))
			require.Error(t, b.TryGrow(31))
			require.Error(t, b.Resize(31))
			require.Zero(t, b.Size())
			require.Zero(t, b.Peak())
			require.Equal(t, int64(70), p.Reserved())
			require.Equal(t, int64(70), p.Peak())
			require.NoError(t, b.Resize(30))
			require.Equal(t, int64(100), p.Reserved())
			a.Free()
			b.Free()
		})
	}
}

func TestFreeIdempotent(t *testing.T) {
	for name, p := range pools(1000) {
		t.Run(name, func(t *testing.T) {
			a := mempool.NewReservation(p, "a", false)
			b := mempool.NewReservation(p, "b", true)
			require.NoError(t, a.TryGrow(300))
			require.NoError(t, b.TryGrow(200))
			require.Equal(t, int64(500), p.Reserved())

			require.Equal(t, int64(300), a.Free())
			require.Zero(t, a.Free())
			require.Zero(t, a.Size())
			require.Equal(t, int64(300), a.Peak(), "Free keeps the peak")
			require.Equal(t, int64(200), p.Reserved())
			require.Equal(t, []mempool.ConsumerUsage{{Consumer: "b", Bytes: 200, Spillable: true}}, p.Consumers())

			// After Free: Shrink is a no-op, growing is an error.
			a.Shrink(10)
			require.ErrorIs(t, a.TryGrow(1), mempool.ErrInvalidReservation)
			require.ErrorIs(t, a.Resize(1), mempool.ErrInvalidReservation)
			require.ErrorIs(t, p.TryGrow(a, 1), mempool.ErrInvalidReservation)
			require.Equal(t, int64(200), p.Reserved())

			require.Equal(t, int64(200), b.Free())
			require.Zero(t, p.Reserved())
			require.Empty(t, p.Consumers())
			require.Equal(t, int64(500), p.Peak())
		})
	}
}

func TestFreedMemoryIsReusable(t *testing.T) {
	p := mempool.NewGreedy(100)
	a := mempool.NewReservation(p, "a", false)
	require.NoError(t, a.TryGrow(100))
	b := mempool.NewReservation(p, "b", false)
	require.ErrorIs(t, b.TryGrow(1), mempool.ErrMemoryLimit)
	a.Free()
	require.NoError(t, b.TryGrow(100))
	require.Equal(t, int64(100), b.Free())
}

func TestResize(t *testing.T) {
	cases := []struct {
		name     string
		sizes    []int64 // successive Resize targets
		wantErr  []error
		wantSize int64
		wantPeak int64
	}{
		{"grow then shrink", []int64{40, 90, 10}, []error{nil, nil, nil}, 10, 90},
		{"shrink to zero", []int64{50, 0}, []error{nil, nil}, 0, 50},
		{"same size", []int64{50, 50}, []error{nil, nil}, 50, 50},
		{"grow past limit", []int64{60, 101, 100}, []error{nil, mempool.ErrMemoryLimit, nil}, 100, 100},
		{"negative", []int64{30, -1}, []error{nil, mempool.ErrInvalidReservation}, 30, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mempool.NewGreedy(100)
			r := mempool.NewReservation(p, "r", false)
			for i, n := range tc.sizes {
				err := r.Resize(n)
				if tc.wantErr[i] == nil {
					require.NoError(t, err, "step %d", i)
				} else {
					require.ErrorIs(t, err, tc.wantErr[i], "step %d", i)
				}
			}
			require.Equal(t, tc.wantSize, r.Size())
			require.Equal(t, tc.wantSize, p.Reserved())
			require.Equal(t, tc.wantPeak, r.Peak())
			require.Equal(t, tc.wantPeak, p.Peak())
			r.Free()
		})
	}
}

func TestResizeRefusalReportsDelta(t *testing.T) {
	p := mempool.NewGreedy(100)
	r := mempool.NewReservation(p, "r", false)
	require.NoError(t, r.Resize(60))
	var le *mempool.LimitError
	require.ErrorAs(t, r.Resize(150), &le)
	require.Equal(t, int64(90), le.Requested)
	require.Equal(t, int64(60), le.Held)
	r.Free()
}

func TestShrinkClamps(t *testing.T) {
	cases := []struct {
		name   string
		grow   int64
		shrink int64
		want   int64
	}{
		{"partial", 50, 20, 30},
		{"exact", 50, 50, 0},
		{"more than held", 50, 80, 0},
		{"zero", 50, 0, 50},
		{"negative", 50, -10, 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mempool.NewFairSpill(100)
			r := mempool.NewReservation(p, "r", true)
			other := mempool.NewReservation(p, "other", false)
			require.NoError(t, other.TryGrow(10))
			require.NoError(t, r.TryGrow(tc.grow))
			r.Shrink(tc.shrink)
			require.Equal(t, tc.want, r.Size())
			require.Equal(t, tc.want+10, p.Reserved())
			p.Shrink(r, tc.want) // the pool method is the same operation
			require.Zero(t, r.Size())
			require.Equal(t, int64(10), p.Reserved())
			r.Free()
			other.Free()
		})
	}
}

func TestPeak(t *testing.T) {
	p := mempool.NewGreedy(1000)
	a := mempool.NewReservation(p, "a", false)
	b := mempool.NewReservation(p, "b", false)
	require.NoError(t, a.TryGrow(300))
	require.NoError(t, b.TryGrow(400)) // pool 700
	a.Shrink(300)                      // pool 400
	require.NoError(t, a.TryGrow(100)) // pool 500
	b.Shrink(400)                      // pool 100
	require.NoError(t, b.TryGrow(200)) // pool 300
	require.ErrorIs(t, a.TryGrow(901), mempool.ErrMemoryLimit)

	require.Equal(t, int64(700), p.Peak())
	require.Equal(t, int64(300), p.Reserved())
	require.Equal(t, int64(300), a.Peak())
	require.Equal(t, int64(100), a.Size())
	require.Equal(t, int64(400), b.Peak())
	a.Free()
	b.Free()
	require.Equal(t, int64(700), p.Peak())
}

func TestConsumersSnapshot(t *testing.T) {
	p := mempool.NewUnbounded()
	rs := []*mempool.Reservation{
		mempool.NewReservation(p, "sort", true),
		mempool.NewReservation(p, "join", false),
		mempool.NewReservation(p, "agg", true),
		mempool.NewReservation(p, "idle", false),
		mempool.NewReservation(p, "agg", false),
	}
	for i, n := range []int64{30, 50, 30, 0, 30} {
		require.NoError(t, rs[i].TryGrow(n))
	}
	require.Equal(t, []mempool.ConsumerUsage{
		{Consumer: "join", Bytes: 50},
		{Consumer: "agg", Bytes: 30},
		{Consumer: "agg", Bytes: 30, Spillable: true},
		{Consumer: "sort", Bytes: 30, Spillable: true},
		{Consumer: "idle", Bytes: 0},
	}, p.Consumers())
	rs[1].Free()
	got := p.Consumers()
	require.Len(t, got, 4)
	require.Equal(t, "agg", got[0].Consumer)
	for _, r := range rs {
		r.Free()
	}
	require.Empty(t, p.Consumers())
}

func TestInvalidUse(t *testing.T) {
	p := mempool.NewGreedy(100)
	other := mempool.NewGreedy(100)
	r := mempool.NewReservation(p, "r", false)
	defer r.Free()
	foreign := mempool.NewReservation(other, "foreign", false)
	defer foreign.Free()
	var nilRes *mempool.Reservation
	var zero mempool.Reservation

	cases := []struct {
		name string
		do   func() error
	}{
		{"negative try grow", func() error { return r.TryGrow(-1) }},
		{"negative pool try grow", func() error { return p.TryGrow(r, -1) }},
		{"foreign reservation", func() error { return p.TryGrow(foreign, 1) }},
		{"nil reservation", func() error { return nilRes.TryGrow(1) }},
		{"nil reservation resize", func() error { return nilRes.Resize(1) }},
		{"nil reservation to pool", func() error { return p.TryGrow(nil, 1) }},
		{"zero reservation", func() error { return zero.TryGrow(1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			require.ErrorIs(t, err, mempool.ErrInvalidReservation)
			require.False(t, errors.Is(err, mempool.ErrMemoryLimit))
		})
	}
	require.Zero(t, p.Reserved())
	require.Zero(t, other.Reserved())
	// The nil and zero reservations are harmless to shrink and free.
	nilRes.Shrink(1)
	zero.Shrink(1)
	require.Zero(t, nilRes.Free())
	require.Zero(t, zero.Free())
}

func TestProgrammerErrorsPanic(t *testing.T) {
	require.PanicsWithValue(t, "internal error: mempool: new reservation for a nil pool", func() {
		mempool.NewReservation(nil, "x", false)
	})
	p, other := mempool.NewGreedy(10), mempool.NewGreedy(10)
	r := mempool.NewReservation(other, "x", false)
	defer r.Free()
	require.PanicsWithValue(t, `internal error: mempool: shrink of reservation "x" in a pool it does not belong to`, func() {
		p.Shrink(r, 1)
	})
	require.PanicsWithValue(t, "internal error: mempool: counting allocator over a nil allocator", func() {
		mempool.NewCountingAllocator(nil)
	})
}

func TestReservationAccessors(t *testing.T) {
	p := mempool.NewFairSpill(10)
	r := mempool.NewReservation(p, "hash join build", false)
	s := mempool.NewReservation(p, "sort", true)
	require.Equal(t, "hash join build", r.Consumer())
	require.False(t, r.Spillable())
	require.True(t, s.Spillable())
	require.Equal(t, int64(10), p.Limit())
	require.Zero(t, mempool.NewUnbounded().Limit())
	r.Free()
	s.Free()
}
