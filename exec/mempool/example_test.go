package mempool_test

import (
	"errors"
	"fmt"

	"github.com/grainql/grain/exec/mempool"
)

// A spillable operator reserves before it grows; when refused it spills what
// it holds and retries. An unspillable one returns the wrapped error.
func Example() {
	pool := mempool.NewFairSpill(1000)
	build := mempool.NewReservation(pool, "hash join build", false)
	defer build.Free()
	sort := mempool.NewReservation(pool, "sort", true)
	defer sort.Free()

	if err := build.TryGrow(600); err != nil {
		fmt.Println(err)
	}

	spills := 0
	for batch := 0; batch < 5; batch++ {
		for {
			err := sort.TryGrow(150)
			if err == nil {
				break
			}
			if !errors.Is(err, mempool.ErrMemoryLimit) || sort.Size() == 0 {
				fmt.Println("sort:", err)
				return
			}
			spills++                 // write the buffered run to disk ...
			sort.Shrink(sort.Size()) // ... and release its memory
		}
	}
	fmt.Println("sort spilled", spills, "times; holds", sort.Size(), "bytes")

	err := build.TryGrow(300)
	fmt.Println(fmt.Errorf("hash join: grow build side: %w", err))
	// Output:
	// sort spilled 2 times; holds 150 bytes
	// hash join: grow build side: memory limit exceeded: "hash join build" asked for 300 B with 750 B of 1000 B reserved; top consumers: "hash join build" 600 B, "sort" 150 B
}
