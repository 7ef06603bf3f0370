// Package bench holds Grain's end-to-end benchmarks: queries written with
// the public frame API over generated data, measured from the action down
// through the optimizer, the physical planner, the stage scheduler and the
// operators. Kernel and operator micro-benchmarks live beside their code
// (exec/hashtable, exec/agg, exec/join, exec/eval, exec/order, exec/shuffle,
// exec/spill); these answer what a user sees.
//
// The package has no library code: everything is in _test.go files. Its
// data comes from internal/datagen (RowExplosion, and Table with the
// Balanced, Uniform, SmallFloats and BalancedStrings column generators),
// generated once per process and shared by the sub-benchmarks that read
// it, outside the timer. Each measured iteration runs the query to the end
// with DataFrame.Analyze, which discards the result batches: result
// compaction is not measured, every operator is.
//
// # Benchmarks
//
//	BenchmarkRowExplosion/fanout={1,10,100}/plan={join_then_agg,agg_first,optimized}
//	BenchmarkRowExplosion/fanout=10/plan=join_then_agg/workers={1,2}
//
// The seed story of examples/rowexplosion: 1e6 fact rows (500 entities ×
// 100 groups × 20 fine rows) joined on grp to a dimension with fan-out F
// rows per group, then SUM(metric * weight) by (entity, dim_key).
// join_then_agg is the natural query run exactly as written (optimizer
// off): its join emits 1e6 × F rows, 1e8 at fan-out 100. agg_first
// aggregates the fact table to (entity, grp) by hand before the join
// (optimizer off): 5e4 × F rows. optimized is join_then_agg with the
// optimizer on, whose eager pre-aggregation should match agg_first by
// itself. Look at join-rows/op first, then ns/op. The workers variants show
// the 1→2 worker speedup of the exploding plan.
//
//	BenchmarkFilter/rows=1e7/workers={1,2}           a > 499 over int64 (exactly 50% selected)
//	BenchmarkProject/rows=1e7/workers={1,2}          a * 2 + b over int64
//	BenchmarkGroupBy/key=int64/groups={1e2,1e4,1e6}/workers={1,2}
//	BenchmarkGroupBy/key=string/groups={1e2,1e4}/workers={1,2}
//	BenchmarkHashJoin/probe=1e7/build=1e5/workers={1,2}
//
// Throughput of single operators in a query over 1e7 rows: look at rows/s
// (input rows per second) and compare workers=1 with workers=2. The
// optimizer pushes the filter into the scan, which evaluates it batch by
// batch. GroupBy is
// SUM(float64) by a key with exactly that many distinct values; HashJoin is
// an inner join in which every probe row matches one build row.
//
//	BenchmarkParallelSpeedup/groupby/rows=1e7/groups={1e4,1e6}
//	BenchmarkParallelSpeedup/join/probe=1e7/build=1e6
//
// Runs each query with one worker and with two in the same iteration
// (alternating which goes first, each after a GC) and reports speedup =
// t1 / t2, plus w1-rows/s and w2-rows/s (ns/op covers both runs and the
// collections between them). The ratio is steadier than one
// taken across two separate benchmarks on a shared machine, but it still
// moves with the machine's load: read it over -count runs.
//
//	BenchmarkJoinStrategy/probe=1e7/build={1e4,1e6}/strategy={broadcast,shuffle_hash}
//
// The same join (1e7 probe rows, every one matching once) under each
// physical strategy, forced with the broadcast threshold: the largest
// threshold broadcasts the build side, -1 hash-shuffles both sides. Look at
// shuffle-bytes/op next to ns/op; join-rows/op is 1e7 for every strategy.
// Before measuring, each case checks that EXPLAIN shows the operator of its
// strategy. The strategies are the joinStrategies table in strategy_test.go;
// sort-merge join is added there once the physical planner implements it.
//
//	BenchmarkBaselineSumLoop/{int64,float64/acc=1,float64/acc=4}/workers={1,2}
//
// A plain Go loop summing 1e7 values from a slice, on one and two
// goroutines: the machine's ceiling for one pass over one column, to read
// the rows/s of the query benchmarks against. acc=4 keeps four
// floating-point accumulators (as Grain's kernels do); acc=1 is bound by
// the latency of one addition.
//
// # Metrics
//
//	ns/op             wall time of one run of the query
//	MB/s              input column bytes (SetBytes) per second
//	rows/s            rows of the first input (fact or probe side) per second
//	join-rows/op      rows that came out of the joins (Analysis.JoinRows)
//	shuffle-bytes/op  bytes moved by exchanges, including the final gather
//	                  of a parallel stage's output (Analysis.ShuffleBytes)
//	speedup           t(1 worker) / t(2 workers), BenchmarkParallelSpeedup only
//	B/op, allocs/op   Go heap allocation per run (Arrow buffers included)
//
// Every run is checked: result rows, join output rows and (for the
// strategies) the physical plan must be what the benchmark claims to
// measure, or it fails. TestScenarios runs every benchmark query once at a
// tiny size under a checked allocator, so `go test ./bench` keeps them
// working without running any benchmark.
//
// # Running and comparing
//
// The machine has two cores and is shared, so single runs are noisy and
// nothing here asserts a time. The whole suite, one iteration each (about
// a minute on an idle 2-core machine, a few under load):
//
//	go test ./bench -run '^$' -bench . -benchtime 1x
//
// For comparisons take several samples (benchstat wants at least 6) of the
// benchmarks concerned; fast benchmarks deserve more iterations per sample:
//
//	go install golang.org/x/perf/cmd/benchstat@latest
//	go test ./bench -run '^$' -bench 'GroupBy|HashJoin' -benchtime 3x -count 6 | tee old.txt
//	# change the code
//	go test ./bench -run '^$' -bench 'GroupBy|HashJoin' -benchtime 3x -count 6 | tee new.txt
//	benchstat old.txt new.txt
//
// One file can be compared along a name key with -col (and -row):
//
//	benchstat -col /workers -filter '.name:(Filter OR Project OR GroupBy OR HashJoin)' new.txt
//	benchstat -row /fanout -col /plan -filter '.name:RowExplosion /workers:""' new.txt
//	benchstat -col /workers -filter '.name:RowExplosion /fanout:10 /plan:join_then_agg' new.txt
//	benchstat -col /strategy -filter '.name:JoinStrategy' new.txt
//
// benchstat prints one table per metric, including the custom ones above
// (join-rows/op, shuffle-bytes/op, rows/s, speedup).
package bench
