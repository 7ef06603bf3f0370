package exec

import (
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec/mempool"
)

// DefaultBatchSize is the number of rows per batch. A 4096-row int64 column
// is 32 KiB, so a dozen columns stay in L2 while per-batch fixed costs stay
// small (see MACHINE-FACTS.md §1).
const DefaultBatchSize = 4096

// Env is what a running query gives its operators: the Arrow allocator,
// the memory pool, the batch size and the spill directory. One Env serves
// every task of a query and is safe for concurrent use; operators never use
// memory.DefaultAllocator directly.
type Env struct {
	// Mem allocates every Arrow buffer the query creates.
	Mem memory.Allocator
	// Pool is the query's memory budget. Growing state reserves here first.
	Pool mempool.Pool
	// BatchSize is the target number of rows per output batch.
	BatchSize int
	// SpillDir is the per-query directory for temporary files ("" until a
	// spilling operator needs one).
	SpillDir string
}

// NewEnv returns an Env with an unbounded pool and the default batch size
// when the corresponding arguments are zero.
func NewEnv(mem memory.Allocator, pool mempool.Pool, batchSize int) *Env {
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	if pool == nil {
		pool = mempool.NewUnbounded()
	}
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	return &Env{Mem: mem, Pool: pool, BatchSize: batchSize}
}
