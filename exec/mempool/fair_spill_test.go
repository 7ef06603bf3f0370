package mempool_test

import (
	"testing"

	"github.com/grainql/grain/exec/mempool"
	"github.com/stretchr/testify/require"
)

// step is one action on a named reservation of a FairSpill pool.
type step struct {
	res    string
	op     string // "grow", "shrink" or "free"
	n      int64
	wantOK bool // for "grow": whether the pool grants it
}

func TestFairSpill(t *testing.T) {
	const limit = 100
	cases := []struct {
		name      string
		spillable map[string]bool // reservations, created in name order
		steps     []step
		wantSize  map[string]int64
	}{
		{
			name:      "two spillable split equally",
			spillable: map[string]bool{"a": true, "b": true},
			steps: []step{
				{"a", "grow", 50, true},
				{"a", "grow", 1, false}, // over its share though the pool has room
				{"b", "grow", 51, false},
				{"b", "grow", 50, true},
			},
			wantSize: map[string]int64{"a": 50, "b": 50},
		},
		{
			name:      "four spillable get a quarter each",
			spillable: map[string]bool{"a": true, "b": true, "c": true, "d": true},
			steps: []step{
				{"a", "grow", 25, true},
				{"b", "grow", 26, false},
				{"b", "grow", 25, true},
				{"c", "grow", 10, true},
				{"c", "grow", 15, true},
				{"c", "grow", 1, false},
			},
			wantSize: map[string]int64{"a": 25, "b": 25, "c": 25, "d": 0},
		},
		{
			name:      "share grows back when a spillable frees",
			spillable: map[string]bool{"a": true, "b": true},
			steps: []step{
				{"a", "grow", 50, true},
				{"b", "grow", 30, true},
				{"b", "free", 0, false},
				{"a", "grow", 50, true},
			},
			wantSize: map[string]int64{"a": 100, "b": 0},
		},
		{
			name:      "unspillable is not capped by shares",
			spillable: map[string]bool{"a": true, "b": true, "u": false},
			steps: []step{
				{"a", "grow", 60, false}, // spillable share is 50
				{"u", "grow", 60, true},  // unspillable takes what it needs
				{"a", "grow", 21, false}, // share is now (100-60)/2 = 20
				{"a", "grow", 20, true},
				{"b", "grow", 20, true},
				{"u", "grow", 1, false}, // the pool is full
			},
			wantSize: map[string]int64{"a": 20, "b": 20, "u": 60},
		},
		{
			name:      "unspillable growth squeezes spillables over their share",
			spillable: map[string]bool{"a": true, "b": true, "u": false},
			steps: []step{
				{"a", "grow", 40, true},
				{"u", "grow", 40, true}, // a now holds 40 of a 30 share
				{"a", "grow", 1, false}, // so a must spill
				{"b", "grow", 20, true}, // the pool is full at 100
				{"b", "grow", 1, false}, // b is under its share, but no room
				{"a", "shrink", 40, false},
				{"b", "grow", 10, true}, // b reaches its share of 30
				{"b", "grow", 1, false},
				{"u", "grow", 30, true}, // u still takes what is free
			},
			wantSize: map[string]int64{"a": 0, "b": 30, "u": 70},
		},
		{
			name:      "late spillable waits for earlier ones to spill",
			spillable: map[string]bool{"a": true, "b": true},
			steps: []step{
				{"b", "free", 0, false}, // a is alone: share 100
				{"a", "grow", 100, true},
				{"c", "new", 0, false},  // a third, spillable, registers late
				{"c", "grow", 1, false}, // under its share of 50, but no room
				{"a", "grow", 1, false}, // a is over its share of 50
				{"a", "shrink", 60, false},
				{"c", "grow", 50, true},
				{"c", "grow", 1, false},
			},
			wantSize: map[string]int64{"a": 40, "b": 0, "c": 50},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mempool.NewFairSpill(limit)
			rs := map[string]*mempool.Reservation{}
			for _, name := range []string{"a", "b", "c", "d", "u"} {
				if sp, ok := tc.spillable[name]; ok {
					rs[name] = mempool.NewReservation(p, name, sp)
				}
			}
			for i, s := range tc.steps {
				r := rs[s.res]
				switch s.op {
				case "new":
					rs[s.res] = mempool.NewReservation(p, s.res, true)
				case "grow":
					err := r.TryGrow(s.n)
					if s.wantOK {
						require.NoError(t, err, "step %d: %+v", i, s)
					} else {
						require.ErrorIs(t, err, mempool.ErrMemoryLimit, "step %d: %+v", i, s)
					}
				case "shrink":
					r.Shrink(s.n)
				case "free":
					r.Free()
				}
				require.LessOrEqual(t, p.Reserved(), int64(limit), "step %d", i)
			}
			var total int64
			for name, want := range tc.wantSize {
				require.Equal(t, want, rs[name].Size(), "reservation %s", name)
				total += want
			}
			require.Equal(t, total, p.Reserved())
			for _, r := range rs {
				r.Free()
			}
			require.Zero(t, p.Reserved())
		})
	}
}

func TestFairSpillShareInError(t *testing.T) {
	p := mempool.NewFairSpill(100)
	a := mempool.NewReservation(p, "sort[p0]", true)
	b := mempool.NewReservation(p, "sort[p1]", true)
	u := mempool.NewReservation(p, "hash join build", false)
	defer func() { a.Free(); b.Free(); u.Free() }()
	require.NoError(t, u.TryGrow(20))
	require.NoError(t, a.TryGrow(35))

	var le *mempool.LimitError
	require.ErrorAs(t, a.TryGrow(10), &le)
	require.Equal(t, int64(40), le.Share)
	require.Equal(t, int64(35), le.Held)
	require.Equal(t, int64(55), le.Reserved)
	require.Equal(t, `memory limit exceeded: "sort[p0]" asked for 10 B with 55 B of 100 B reserved `+
		`(it holds 35 B of a 40 B fair share); top consumers: "sort[p0]" 35 B, "hash join build" 20 B`, le.Error())

	// Unspillable refusals apply no share.
	require.ErrorAs(t, u.TryGrow(46), &le)
	require.Zero(t, le.Share)
}
