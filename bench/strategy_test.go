package bench

import (
	"math"
	"testing"

	"github.com/grainql/grain/frame"
)

// joinStrategy is one physical join algorithm that BenchmarkJoinStrategy
// compares: the session options that make the planner choose it, and the
// operator that EXPLAIN shows when it did (checked before measuring, so a
// planner change cannot silently measure another algorithm).
type joinStrategy struct {
	name     string
	opts     []frame.Option
	operator string
}

// joinStrategies is the table of join algorithms under comparison. frame
// has no per-join hint, so each strategy is forced through the broadcast
// threshold: the largest threshold broadcasts the smaller side whatever
// its size, -1 disables broadcasts and both sides are hash-shuffled.
//
// Sort-merge join plugs in here as a third row,
//
//	{name: "sort_merge", opts: <the option that selects it>, operator: "SortMergeJoin"},
//
// once the physical planner implements it. It is not listed until then:
// today a sort_merge hint (plan.StrategySortMerge) runs as a shuffled hash
// join, and measuring that under another name would mislead.
var joinStrategies = []joinStrategy{
	{name: "broadcast", opts: []frame.Option{frame.WithBroadcastThreshold(math.MaxInt64)}, operator: "BroadcastHashJoin"},
	{name: "shuffle_hash", opts: []frame.Option{frame.WithBroadcastThreshold(-1)}, operator: "ShuffledHashJoin"},
}

// strategyQueries joins the probe rows with a small and a large build side
// under every strategy, with the default parallelism.
func strategyQueries(sz sizes) []query {
	var qs []query
	for _, keys := range []int{sz.smallBuild, sz.bigBuild} {
		for _, st := range joinStrategies {
			q := joinQuery(sz.rows, keys)
			q.name = "probe=" + sci(sz.rows) + "/build=" + sci(keys) + "/strategy=" + st.name
			q.opts = st.opts
			q.explain = st.operator
			qs = append(qs, q)
		}
	}
	return qs
}

// BenchmarkJoinStrategy compares broadcast and shuffled hash joins of 1e7
// probe rows with 1e4 and 1e6 build keys. shuffle-bytes/op is what the
// shuffle costs in data moved; join-rows/op is the same for every
// strategy (1e7).
func BenchmarkJoinStrategy(b *testing.B) { runQueries(b, strategyQueries(full)) }
