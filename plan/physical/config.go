package physical

import (
	"runtime"

	"github.com/grainql/grain/exec/agg"
)

// Config holds the planner's knobs. The zero value of a field means its
// default.
type Config struct {
	// Parallelism is the number of worker goroutines (Spark's executor
	// cores). Default GOMAXPROCS.
	Parallelism int
	// ShufflePartitions is the number of partitions of hash exchanges
	// (spark.sql.shuffle.partitions). Default 4 × Parallelism.
	ShufflePartitions int
	// ScanTasks caps the number of tasks of one scan. Default
	// ShufflePartitions: enough tasks for idle workers to pick up work,
	// few enough that each partial aggregation sees many rows.
	ScanTasks int
	// BroadcastThreshold is the largest estimated build side, in bytes, a
	// join broadcasts (spark.sql.autoBroadcastJoinThreshold). Default
	// 10 MiB; negative disables automatic broadcasts (hints still apply).
	BroadcastThreshold int64
	// PreferSortMerge makes joins that are not broadcast sort-merge joins
	// instead of shuffled hash joins (spark.sql.join.preferSortMergeJoin).
	PreferSortMerge bool
	// PartialAggRatio is the reduction threshold of adaptive partial
	// aggregation: a partial aggregate task that, after its first
	// PartialAggProbeRows input rows, holds at least this many groups per
	// input row stops aggregating and passes its rows through to the
	// exchange as partial states (DataFusion's
	// skip_partial_aggregation_probe_ratio_threshold). Default 0.8
	// (agg.DefaultRatioThreshold); negative disables the switch.
	PartialAggRatio float64
	// PartialAggProbeRows is the probe window of adaptive partial
	// aggregation, in input rows per task (DataFusion's
	// skip_partial_aggregation_probe_rows_threshold). Default 100,000
	// (agg.DefaultProbeRows).
	PartialAggProbeRows int64
}

// DefaultBroadcastThreshold is Spark's autoBroadcastJoinThreshold.
const DefaultBroadcastThreshold = 10 << 20

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Parallelism <= 0 {
		c.Parallelism = runtime.GOMAXPROCS(0)
	}
	if c.ShufflePartitions <= 0 {
		c.ShufflePartitions = 4 * c.Parallelism
	}
	if c.ScanTasks <= 0 {
		c.ScanTasks = c.ShufflePartitions
	}
	if c.BroadcastThreshold == 0 {
		c.BroadcastThreshold = DefaultBroadcastThreshold
	}
	if c.PartialAggRatio == 0 {
		c.PartialAggRatio = agg.DefaultRatioThreshold
	}
	if c.PartialAggProbeRows <= 0 {
		c.PartialAggProbeRows = agg.DefaultProbeRows
	}
	return c
}
