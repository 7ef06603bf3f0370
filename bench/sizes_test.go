package bench

import "github.com/grainql/grain/internal/datagen"

// sizes are the data sizes of every benchmark. Benchmarks run at full;
// TestScenarios runs the same queries at tiny, so `go test ./bench` checks
// that every scenario works and is measured the way doc.go says.
type sizes struct {
	rows       int   // rows of the filter, project, group-by and probe inputs
	intGroups  []int // group counts of the GROUP BY int64 benchmark
	strGroups  []int // group counts of the GROUP BY string benchmark
	joinKeys   int   // build keys of the hash join throughput benchmark
	smallBuild int   // build keys of the broadcast-friendly strategy case
	bigBuild   int   // build keys of the large strategy case and the speedup join
	spGroups   []int // group counts of the speedup GROUP BY
	explosion  datagen.RowExplosion
	fanouts    []int
}

// full is the size the benchmarks run at: on the idle 2-core reference
// machine every benchmark's setup plus one iteration stays within about
// 20 s (the slowest, fan-out 100 join_then_agg, takes about 2 s) and the
// whole suite at -benchtime 1x within about a minute.
var full = sizes{
	rows:       1e7,
	intGroups:  []int{1e2, 1e4, 1e6},
	strGroups:  []int{1e2, 1e4},
	joinKeys:   1e5,
	smallBuild: 1e4,
	bigBuild:   1e6,
	spGroups:   []int{1e4, 1e6},
	// 500 entities × 100 groups × 20 fine rows = 1e6 fact rows, so the
	// fan-out 100 join emits 1e8 rows.
	explosion: datagen.RowExplosion{Entities: 500, Groups: 100, Fine: 20, DimKeys: 100, Seed: 42},
	fanouts:   []int{1, 10, 100},
}

// tiny runs every scenario in milliseconds.
var tiny = sizes{
	rows:       20_000,
	intGroups:  []int{10, 100, 1000},
	strGroups:  []int{10, 100},
	joinKeys:   500,
	smallBuild: 100,
	bigBuild:   2000,
	spGroups:   []int{100, 1000},
	explosion:  datagen.RowExplosion{Entities: 7, Groups: 5, Fine: 3, DimKeys: 4, Seed: 42},
	fanouts:    []int{1, 10, 100},
}

// seed is the seed of every generated table.
const seed = 1
