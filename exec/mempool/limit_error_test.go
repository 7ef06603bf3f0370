package mempool_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/grainql/grain/exec/mempool"
	"github.com/stretchr/testify/require"
)

const mib = 1 << 20

func TestLimitErrorMessage(t *testing.T) {
	p := mempool.NewGreedy(8 * mib)
	join := mempool.NewReservation(p, "hash join build", false)
	sort := mempool.NewReservation(p, "sort", true)
	agg := mempool.NewReservation(p, "hash aggregate", false)
	defer func() { join.Free(); sort.Free(); agg.Free() }()
	require.NoError(t, join.TryGrow(4*mib))
	require.NoError(t, sort.TryGrow(3*mib+mib/2))

	err := agg.TryGrow(mib)
	require.Error(t, err)
	require.Equal(t, `memory limit exceeded: "hash aggregate" asked for 1.0 MiB with 7.5 MiB of 8.0 MiB reserved; `+
		`top consumers: "hash join build" 4.0 MiB, "sort" 3.5 MiB`, err.Error())

	// Operators wrap the error with their context; both checks see through it.
	wrapped := fmt.Errorf("hash aggregate: grow table: %w", err)
	require.ErrorIs(t, wrapped, mempool.ErrMemoryLimit)
	var le *mempool.LimitError
	require.ErrorAs(t, wrapped, &le)
	require.Equal(t, &mempool.LimitError{
		Consumer:  "hash aggregate",
		Requested: mib,
		Reserved:  7*mib + mib/2,
		Limit:     8 * mib,
		Top: []mempool.ConsumerUsage{
			{Consumer: "hash join build", Bytes: 4 * mib},
			{Consumer: "sort", Bytes: 3*mib + mib/2, Spillable: true},
		},
	}, le)
	require.Same(t, mempool.ErrMemoryLimit, errors.Unwrap(le))
}

func TestLimitErrorTopConsumers(t *testing.T) {
	cases := []struct {
		name    string
		sizes   []int64 // bytes held by reservations r0, r1, ...
		wantTop []string
	}{
		{"none held", []int64{0, 0}, nil},
		{"skips empty", []int64{0, 5, 0, 7}, []string{"r3", "r1"}},
		{"at most five, descending", []int64{1, 9, 3, 8, 2, 7, 6, 4},
			[]string{"r1", "r3", "r5", "r6", "r7"}},
		{"ties by name", []int64{5, 5, 5, 5, 5, 5, 5}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"largest last", []int64{1, 2, 3, 4, 5, 6}, []string{"r5", "r4", "r3", "r2", "r1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var total int64
			for _, n := range tc.sizes {
				total += n
			}
			p := mempool.NewGreedy(total)
			var rs []*mempool.Reservation
			for i, n := range tc.sizes {
				r := mempool.NewReservation(p, fmt.Sprintf("r%d", i), false)
				rs = append(rs, r)
				require.NoError(t, r.TryGrow(n))
			}
			asker := mempool.NewReservation(p, "asker", false)
			rs = append(rs, asker)

			var le *mempool.LimitError
			require.ErrorAs(t, asker.TryGrow(1), &le)
			var got []string
			for _, u := range le.Top {
				got = append(got, u.Consumer)
			}
			require.Equal(t, tc.wantTop, got)
			for _, r := range rs {
				r.Free()
			}
		})
	}
}

func TestLimitErrorFormats(t *testing.T) {
	cases := []struct {
		name string
		err  *mempool.LimitError
		want string
	}{
		{"bytes, no top", &mempool.LimitError{Consumer: "sort", Requested: 10, Reserved: 95, Limit: 100},
			`memory limit exceeded: "sort" asked for 10 B with 95 B of 100 B reserved`},
		{"kib and gib", &mempool.LimitError{Consumer: "x", Requested: 1536, Reserved: 3 << 30, Limit: 4 << 30},
			`memory limit exceeded: "x" asked for 1.5 KiB with 3.0 GiB of 4.0 GiB reserved`},
		{"unbounded", &mempool.LimitError{Consumer: "x", Requested: 1 << 62, Reserved: 1 << 62},
			`memory limit exceeded: "x" asked for 4.0 EiB with 4.0 EiB reserved (no limit)`},
		{"quotes names", &mempool.LimitError{Consumer: `a "b"`, Requested: 1, Reserved: 0, Limit: 1024,
			Top: []mempool.ConsumerUsage{{Consumer: "c\n", Bytes: 1023}}},
			`memory limit exceeded: "a \"b\"" asked for 1 B with 0 B of 1.0 KiB reserved; top consumers: "c\n" 1023 B`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.err.Error())
			require.ErrorIs(t, tc.err, mempool.ErrMemoryLimit)
		})
	}
}
