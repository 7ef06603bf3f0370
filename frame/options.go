package frame

import (
	"fmt"
	"runtime"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/exec"
)

// DefaultBroadcastThreshold is the default size under which a join input is
// broadcast: 10 MiB, Spark's spark.sql.autoBroadcastJoinThreshold.
const DefaultBroadcastThreshold = 10 << 20

// Option configures a Session; see NewSession.
type Option func(*Config) error

// Config is a Session's configuration, as Session.Config reports it.
type Config struct {
	// BatchSize is the target number of rows per batch (default 4096).
	BatchSize int
	// MemoryLimit caps the bytes each query's operators may reserve; 0
	// means unbounded.
	MemoryLimit int64
	// Parallelism is the number of worker goroutines that run a query's
	// tasks (default runtime.GOMAXPROCS(0)).
	Parallelism int
	// ShufflePartitions is the number of partitions of a shuffle (default 4
	// × Parallelism), spark.sql.shuffle.partitions.
	ShufflePartitions int
	// BroadcastThreshold is the largest estimated size in bytes of a join
	// input that is broadcast (default 10 MiB); negative disables automatic
	// broadcasts, as Spark's -1.
	BroadcastThreshold int64
	// Allocator allocates every Arrow buffer of the session's sources and
	// queries (default memory.NewGoAllocator()).
	Allocator memory.Allocator
	// DisabledRules names optimizer rules that never run (see
	// optimize.DefaultRules for the names).
	DisabledRules []string
	// OptimizerOff runs plans exactly as written.
	OptimizerOff bool
	// PreAggMinReduction is the estimated input-rows-per-group ratio at
	// which the optimizer pre-aggregates a join input (default 2).
	PreAggMinReduction float64

	shuffleSet bool
}

// defaultConfig returns the configuration before options apply.
func defaultConfig() Config {
	return Config{
		BatchSize:          exec.DefaultBatchSize,
		Parallelism:        runtime.GOMAXPROCS(0),
		BroadcastThreshold: DefaultBroadcastThreshold,
	}
}

// finish fills the defaults that depend on other options.
func (c *Config) finish() {
	if !c.shuffleSet {
		c.ShufflePartitions = 4 * c.Parallelism
	}
	if c.Allocator == nil {
		c.Allocator = memory.NewGoAllocator()
	}
}

func invalidOption(name string, v any, want string) error {
	return fmt.Errorf("%s(%v): %w: %s", name, v, ErrInvalidOption, want)
}

// WithBatchSize sets the target number of rows per batch. n must be
// positive.
func WithBatchSize(n int) Option {
	return func(c *Config) error {
		if n <= 0 {
			return invalidOption("WithBatchSize", n, "must be positive")
		}
		c.BatchSize = n
		return nil
	}
}

// WithMemoryLimit caps the bytes the operators of each query may reserve
// (hash tables, sort buffers, join build sides). 0 means unbounded; a
// positive limit gives every query its own first-come-first-served pool of
// that size (mempool.NewGreedy). A query that needs more fails with an error
// wrapping mempool.ErrMemoryLimit that names the consumer. Negative values
// are invalid.
func WithMemoryLimit(bytes int64) Option {
	return func(c *Config) error {
		if bytes < 0 {
			return invalidOption("WithMemoryLimit", bytes, "must be 0 (unbounded) or positive")
		}
		c.MemoryLimit = bytes
		return nil
	}
}

// WithParallelism sets the number of worker goroutines that run the tasks
// of a query (Spark's executor cores; default runtime.GOMAXPROCS(0)). n must
// be positive. It is passed to the physical planner as
// physical.Config.Parallelism.
func WithParallelism(n int) Option {
	return func(c *Config) error {
		if n <= 0 {
			return invalidOption("WithParallelism", n, "must be positive")
		}
		c.Parallelism = n
		return nil
	}
}

// WithShufflePartitions sets the number of partitions of a hash exchange
// (Spark's spark.sql.shuffle.partitions; default 4 × parallelism). n must be
// positive. It is passed to the physical planner as
// physical.Config.ShufflePartitions.
func WithShufflePartitions(n int) Option {
	return func(c *Config) error {
		if n <= 0 {
			return invalidOption("WithShufflePartitions", n, "must be positive")
		}
		c.ShufflePartitions = n
		c.shuffleSet = true
		return nil
	}
}

// WithBroadcastThreshold sets the largest estimated size in bytes of a join
// input that is broadcast to every task instead of shuffled (Spark's
// autoBroadcastJoinThreshold, default 10 MiB). A negative value disables
// automatic broadcasts. It is passed to the physical planner as
// physical.Config.BroadcastThreshold.
func WithBroadcastThreshold(bytes int64) Option {
	return func(c *Config) error {
		c.BroadcastThreshold = bytes
		return nil
	}
}

// WithAllocator sets the Arrow allocator of the session: source data built
// by frame (FromColumns, FromStructs) and every buffer a query allocates come
// from it. Tests pass memory.NewCheckedAllocator to detect leaks.
func WithAllocator(mem memory.Allocator) Option {
	return func(c *Config) error {
		if mem == nil {
			return fmt.Errorf("WithAllocator(nil): %w: allocator must not be nil", ErrInvalidOption)
		}
		c.Allocator = mem
		return nil
	}
}

// WithDisabledRules turns off optimizer rules by name, for every query of
// the session (DataFrame.DisableRules does it for one query). An unknown
// name is reported at the first action.
func WithDisabledRules(names ...string) Option {
	return func(c *Config) error {
		c.DisabledRules = append(c.DisabledRules, names...)
		return nil
	}
}

// WithoutOptimizer runs every query's plan exactly as written, as a
// baseline for measuring what the optimizer does.
func WithoutOptimizer() Option {
	return func(c *Config) error {
		c.OptimizerOff = true
		return nil
	}
}

// WithPreAggThreshold sets the estimated input-rows-per-group ratio at
// which the optimizer pre-aggregates the input of a join (default 2).
func WithPreAggThreshold(ratio float64) Option {
	return func(c *Config) error {
		if ratio < 1 {
			return invalidOption("WithPreAggThreshold", ratio, "a ratio of at least 1")
		}
		c.PreAggMinReduction = ratio
		return nil
	}
}
