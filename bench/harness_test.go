package bench

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/internal/datagen"
)

// input is a generated table a query reads. gen may produce several
// tables at once (a fact table and its dimension); part picks one. key
// names the generated data: inputs with equal keys share one cached copy.
type input struct {
	key  string
	part int
	gen  func(memory.Allocator) ([][]arrow.Record, error)
}

// tableInput is a datagen.Table as an input.
func tableInput(t datagen.Table) input {
	return input{key: t.String(), gen: func(mem memory.Allocator) ([][]arrow.Record, error) {
		recs, err := t.Generate(mem)
		return [][]arrow.Record{recs}, err
	}}
}

// explosionInputs are the fact and dimension tables of a row-explosion
// configuration.
func explosionInputs(c datagen.RowExplosion) (fact, dim input) {
	gen := func(mem memory.Allocator) ([][]arrow.Record, error) {
		f, d, err := c.Generate(mem)
		return [][]arrow.Record{f, d}, err
	}
	key := fmt.Sprintf("rowexplosion %+v", c)
	return input{key: key, part: 0, gen: gen}, input{key: key, part: 1, gen: gen}
}

// query is one measured query: the inputs it reads, the session options it
// runs with, how it is built from the inputs' DataFrames, and what its run
// must show. A benchmark that measured the wrong thing would be worse than
// none, so every run is checked against wantRows, wantJoin, maxJoin and
// explain.
type query struct {
	name     string
	inputs   []input
	opts     []frame.Option
	build    func(in []*frame.DataFrame) *frame.DataFrame
	wantRows int64  // result rows (negative: not checked)
	wantJoin int64  // Analysis.JoinRows (negative: not checked; 0 for a query without joins)
	maxJoin  int64  // Analysis.JoinRows at most (0: not checked)
	explain  string // text the physical plan must contain
}

// benchMem allocates the cached benchmark inputs. They live for the whole
// process: they are reused by sub-benchmarks and by -count repetitions.
var benchMem = memory.NewGoAllocator()

// cached holds the generated tables of one input key.
type cached struct {
	once   sync.Once
	tables [][]arrow.Record
	err    error
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*cached{}
)

// cachedTables generates in's data once per process and returns its table.
func cachedTables(in input) ([]arrow.Record, error) {
	cacheMu.Lock()
	c := cache[in.key]
	if c == nil {
		c = &cached{}
		cache[in.key] = c
	}
	cacheMu.Unlock()
	c.once.Do(func() { c.tables, c.err = in.gen(benchMem) })
	if c.err != nil {
		return nil, c.err
	}
	return c.tables[in.part], nil
}

// benchTables returns q's inputs from the cache.
func benchTables(b *testing.B, q query) [][]arrow.Record {
	tables := make([][]arrow.Record, len(q.inputs))
	for i, in := range q.inputs {
		recs, err := cachedTables(in)
		if err != nil {
			b.Fatal(err)
		}
		tables[i] = recs
	}
	return tables
}

// freshTables generates in's data from mem; the caller releases every
// record of every table.
func freshTables(in input, mem memory.Allocator) (own [][]arrow.Record, recs []arrow.Record, err error) {
	own, err = in.gen(mem)
	if err != nil {
		return nil, nil, err
	}
	return own, own[in.part], nil
}

// prepared is a query ready to run: its session (which the caller closes),
// its DataFrame and the size of its input.
type prepared struct {
	s         *frame.Session
	df        *frame.DataFrame
	inputRows int64 // rows of the first input (the fact or probe side)
	inBytes   int64 // buffer bytes of every input
}

// prepare registers tables (one per input of q) in a new session with q's
// options and extra, builds q's DataFrame and checks its physical plan.
// Explain also makes the sources compute their statistics, so the first
// measured run does not pay for them.
func prepare(tb testing.TB, q query, tables [][]arrow.Record, extra ...frame.Option) prepared {
	tb.Helper()
	opts := append(append([]frame.Option(nil), q.opts...), extra...)
	s := frame.NewSession(opts...)
	dfs := make([]*frame.DataFrame, len(tables))
	var p prepared
	for i, recs := range tables {
		dfs[i] = s.FromRecords(recs...)
		for _, r := range recs {
			if i == 0 {
				p.inputRows += r.NumRows()
			}
			p.inBytes += recordBytes(r)
		}
	}
	p.s, p.df = s, q.build(dfs)
	text, err := p.df.Explain()
	if err != nil {
		s.Close()
		tb.Fatalf("%s: %v", q.name, err)
	}
	if !strings.Contains(text, q.explain) {
		s.Close()
		tb.Fatalf("%s: physical plan does not contain %q:\n%s", q.name, q.explain, text)
	}
	return p
}

// recordBytes is the size of r's column buffers.
func recordBytes(r arrow.Record) int64 {
	var n int64
	for _, c := range r.Columns() {
		for _, buf := range c.Data().Buffers() {
			if buf != nil {
				n += int64(buf.Len())
			}
		}
	}
	return n
}

// check fails tb when a run of q did not produce what q wants.
func check(tb testing.TB, q query, a *frame.Analysis) {
	tb.Helper()
	if q.wantRows >= 0 && a.Rows != q.wantRows {
		tb.Fatalf("%s: %d result rows, want %d", q.name, a.Rows, q.wantRows)
	}
	if q.wantJoin >= 0 && a.JoinRows() != q.wantJoin {
		tb.Fatalf("%s: %d join output rows, want %d", q.name, a.JoinRows(), q.wantJoin)
	}
	if q.maxJoin > 0 && a.JoinRows() > q.maxJoin {
		tb.Fatalf("%s: %d join output rows, want at most %d", q.name, a.JoinRows(), q.maxJoin)
	}
}

// runQueries runs each query as a sub-benchmark.
func runQueries(b *testing.B, qs []query) {
	for _, q := range qs {
		b.Run(q.name, func(b *testing.B) { runQuery(b, q) })
	}
}

// runQuery measures q: every iteration runs it to the end with Analyze
// (which discards the result batches, so result compaction is not
// measured), then reports rows/s of the first input, and the join output
// rows and shuffled bytes of one run.
func runQuery(b *testing.B, q query) {
	p := prepare(b, q, benchTables(b, q))
	defer p.s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(p.inBytes)
	var a *frame.Analysis
	for b.Loop() {
		var err error
		if a, err = p.df.Analyze(ctx); err != nil {
			b.Fatal(err)
		}
	}
	check(b, q, a)
	reportRun(b, a, p.inputRows)
}

// reportRun reports the metrics of one run of a query plus its rate.
func reportRun(b *testing.B, a *frame.Analysis, inputRows int64) {
	b.ReportMetric(float64(inputRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(a.JoinRows()), "join-rows/op")
	b.ReportMetric(float64(a.ShuffleBytes()), "shuffle-bytes/op")
}

// workerCounts are the parallelism levels the throughput benchmarks
// compare: one worker and the machine's two cores.
var workerCounts = []int{1, 2}

// sci writes n for a benchmark name: "1e7" for a digit times a power of
// ten, the decimal number otherwise.
func sci(n int) string {
	if n <= 0 {
		return strconv.Itoa(n)
	}
	exp := int(math.Floor(math.Log10(float64(n))))
	p := int(math.Pow10(exp))
	if exp >= 2 && n%p == 0 {
		return fmt.Sprintf("%de%d", n/p, exp)
	}
	return strconv.Itoa(n)
}
