package shuffle_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/exec/shuffle"
	"github.com/grainql/grain/internal/exectest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSchema has every kind of column the exchange moves. Columns 0 (id,
// unique per row, never null), 1 (int64 key) and 2 (string key) are the
// ones tests hash on.
var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "d", Type: arrow.PrimitiveTypes.Date32, Nullable: true},
	{Name: "ts", Type: arrow.FixedWidthTypes.Timestamp_us, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "n", Type: arrow.Null, Nullable: true},
}, nil)

// fixture is one test's allocator, pool, env and spill directory.
type fixture struct {
	mem  *memory.CheckedAllocator
	pool mempool.Pool
	env  *exec.Env
	dir  string
	// exact makes map tasks write batches of exactly maxRows rows, without
	// slices or selections.
	exact bool
}

// newFixture builds a fixture with the given pool (nil: unbounded) and
// batch size.
func newFixture(t *testing.T, pool mempool.Pool, batchSize int) *fixture {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	env := exec.NewEnv(mem, pool, batchSize)
	env.SpillDir = t.TempDir()
	return &fixture{mem: mem, pool: env.Pool, env: env, dir: env.SpillDir}
}

// checkClean asserts that nothing is left: no reservation, no spill file,
// no Arrow memory.
func (f *fixture) checkClean(t *testing.T) {
	t.Helper()
	require.Zero(t, f.pool.Reserved(), "reserved bytes left: %v", f.pool.Consumers())
	entries, err := os.ReadDir(f.dir)
	require.NoError(t, err)
	require.Empty(t, entries, "spill files left")
	f.mem.AssertSize(t, 0)
}

// gen makes random batches with unique ids.
type gen struct {
	rng    *rand.Rand
	nextID int64
	keys   int  // distinct keys
	exact  bool // batches of exactly maxRows rows, no slice, no selection
}

// batch returns a random batch of up to maxRows physical rows: sometimes a
// slice of a larger record, sometimes with a random selection vector.
func (g *gen) batch(t testing.TB, mem memory.Allocator, maxRows int) exec.Batch {
	n := 1 + g.rng.IntN(maxRows)
	if g.exact {
		n = maxRows
	}
	pad := 0
	if !g.exact && g.rng.IntN(3) == 0 {
		pad = 1 + g.rng.IntN(9)
	}
	b := array.NewRecordBuilder(mem, testSchema)
	defer b.Release()
	for range n + 2*pad {
		g.appendRow(b)
	}
	rec := b.NewRecord()
	if pad > 0 {
		sl := rec.NewSlice(int64(pad), int64(pad+n))
		rec.Release()
		rec = sl
	}
	var sel []int32
	if !g.exact && g.rng.IntN(2) == 0 {
		for i := range n {
			if g.rng.IntN(3) > 0 {
				sel = append(sel, int32(i))
			}
		}
		if sel == nil {
			sel = []int32{}
		}
	}
	return exec.Batch{Rec: rec, Sel: sel}
}

// appendRow appends one random row.
func (g *gen) appendRow(b *array.RecordBuilder) {
	null := func() bool { return g.rng.IntN(6) == 0 }
	g.nextID++
	b.Field(0).(*array.Int64Builder).Append(g.nextID)
	k := g.rng.Int64N(int64(g.keys))
	if null() {
		b.Field(1).AppendNull()
	} else {
		b.Field(1).(*array.Int64Builder).Append(k)
	}
	str := strings.Repeat(string(rune('a'+k%26)), int(k%7))
	for c := 2; c < int(b.Schema().NumFields()); c++ {
		fb := b.Field(c)
		if null() || c == 12 {
			fb.AppendNull()
			continue
		}
		switch fb := fb.(type) {
		case *array.StringBuilder:
			fb.Append(str)
		case *array.Float64Builder:
			fb.Append(g.rng.NormFloat64())
		case *array.BooleanBuilder:
			fb.Append(g.rng.IntN(2) == 0)
		case *array.Int8Builder:
			fb.Append(int8(g.rng.Uint32()))
		case *array.Uint16Builder:
			fb.Append(uint16(g.rng.Uint32()))
		case *array.Float32Builder:
			fb.Append(g.rng.Float32())
		case *array.Date32Builder:
			fb.Append(arrow.Date32(g.rng.Int32N(30000)))
		case *array.TimestampBuilder:
			fb.Append(arrow.Timestamp(g.rng.Int64()))
		case *array.BinaryBuilder:
			fb.Append([]byte(str + "!"))
		case *array.LargeStringBuilder:
			fb.Append(strings.ToUpper(str))
		}
	}
}

// partitionsOf returns the partition the exchange must send each live row
// of b to, computed independently of the exchange with the engine's hash.
func partitionsOf(t testing.TB, b exec.Batch, keys []int, parts int) []int {
	cols := make([]arrow.Array, len(keys))
	for i, k := range keys {
		cols[i] = b.Rec.Column(k)
	}
	h, err := hashtable.HashRows(cols, b.Sel, b.NumRows(), nil)
	require.NoError(t, err)
	out := make([]int, len(h))
	for i, v := range h {
		out[i] = shuffle.Partition(v, parts)
	}
	return out
}

// expected collects the rows sent to each partition, by map task, in
// write order.
type expected struct {
	mu   sync.Mutex
	rows [][][]string // [partition][map task] → rows in order
}

func newExpected(parts, tasks int) *expected {
	e := &expected{rows: make([][][]string, parts)}
	for p := range e.rows {
		e.rows[p] = make([][]string, tasks)
	}
	return e
}

// add records the live rows of batch b of map task m going to parts.
func (e *expected) add(m int, b exec.Batch, parts []int) {
	rows := exectest.RowStrings(b)
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range rows {
		e.rows[parts[i]][m] = append(e.rows[parts[i]][m], r)
	}
}

// count returns the rows expected in partition p.
func (e *expected) count(p int) int {
	n := 0
	for _, rs := range e.rows[p] {
		n += len(rs)
	}
	return n
}

// inOrder returns partition p's rows in map task order.
func (e *expected) inOrder(p, mapFrom, mapTo int) []string {
	var out []string
	for _, rs := range e.rows[p][mapFrom:mapTo] {
		out = append(out, rs...)
	}
	return out
}

// runMap runs tasks map tasks concurrently, each writing batches random
// batches, and returns what went where. keys nil means round-robin, whose
// partitions the test predicts per task.
func runMap(t *testing.T, f *fixture, x *shuffle.Exchange, keys []int, tasks, batches, maxRows int, seed uint64) *expected {
	exp := newExpected(x.Partitions(), tasks)
	var wg sync.WaitGroup
	errs := make([]error, tasks)
	for m := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[m] = mapTask(t, f, x, exp, keys, m, batches, maxRows, seed)
		}()
	}
	wg.Wait()
	for m, err := range errs {
		require.NoErrorf(t, err, "map task %d", m)
	}
	return exp
}

// mapTask writes one map task's batches and closes its writer.
func mapTask(t *testing.T, f *fixture, x *shuffle.Exchange, exp *expected, keys []int, m, batches, maxRows int, seed uint64) error {
	ctx := context.Background()
	g := &gen{rng: rand.New(rand.NewPCG(seed, uint64(m))), nextID: int64(m) << 40, keys: 50, exact: f.exact}
	w := x.Writer(m)
	rr := m % x.Partitions()
	for range batches {
		b := g.batch(t, f.mem, maxRows)
		var parts []int
		if keys != nil {
			parts = partitionsOf(t, b, keys, x.Partitions())
		} else {
			parts = make([]int, b.Len())
			for i := range parts {
				parts[i] = rr
				rr = (rr + 1) % x.Partitions()
			}
		}
		exp.add(m, b, parts)
		err := w.Write(ctx, b)
		b.Release()
		if err != nil {
			return err
		}
	}
	return w.Close(ctx)
}
