package optimize

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/datagen"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/io/memtable"
	"github.com/grainql/grain/plan"
)

// tables are the sources the named plans read. fact and dim are the
// row-explosion data set (fact ⋈ dim on grp fans out by dim's rows per
// grp); dimU has one row per grp; t, t2 and u are small random tables with
// NULLs.
type tables struct {
	fact, dim, dimU, t, t2, u *memtable.Table
}

var (
	tSchema = arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "c", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	t2Schema = arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "z", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "w", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	uSchema = arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "e", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
)

// bigExplosion is the data behind the golden files: 100,000 fact rows, each
// meeting 20 dimension rows.
var bigExplosion = datagen.RowExplosion{Entities: 100, Groups: 50, Fine: 20, Fanout: 20, DimKeys: 40, Seed: 1}

// smallExplosion keeps the oracle (nested-loop joins) fast.
var smallExplosion = datagen.RowExplosion{Entities: 3, Groups: 4, Fine: 3, Fanout: 3, DimKeys: 4, Seed: 2}

// newTables builds the tables over mem; release them with release.
func newTables(t testing.TB, mem memory.Allocator, cfg datagen.RowExplosion, smallRows int) *tables {
	fact, dim, err := cfg.Generate(mem)
	require.NoError(t, err)
	defer releaseAll(fact)
	defer releaseAll(dim)
	out := &tables{}
	out.fact, err = memtable.New("fact", datagen.FactSchema, fact)
	require.NoError(t, err)
	out.dim, err = memtable.New("dim", datagen.DimSchema, dim)
	require.NoError(t, err)
	// dimU: one row per grp.
	rows := make([]reference.Row, cfg.Groups)
	for g := range rows {
		rows[g] = reference.Row{int64(g), int64(g % cfg.DimKeys), float64(1 + g%7)}
	}
	out.dimU = tableOf(t, mem, "dim_unique", datagen.DimSchema, rows)
	rng := rand.New(rand.NewPCG(11, 12))
	out.t = tableOf(t, mem, "t", tSchema, randomRows(rng, tSchema, smallRows))
	out.t2 = tableOf(t, mem, "t2", t2Schema, randomRows(rng, t2Schema, smallRows/2))
	out.u = tableOf(t, mem, "u", uSchema, randomRows(rng, uSchema, smallRows))
	return out
}

func (ts *tables) release() {
	for _, t := range []*memtable.Table{ts.fact, ts.dim, ts.dimU, ts.t, ts.t2, ts.u} {
		t.Release()
	}
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func tableOf(t testing.TB, mem memory.Allocator, name string, s *arrow.Schema, rows []reference.Row) *memtable.Table {
	rec, err := reference.RecordFromRows(mem, s, rows)
	require.NoError(t, err)
	defer rec.Release()
	tab, err := memtable.New(name, s, []arrow.Record{rec})
	require.NoError(t, err)
	return tab
}

// randomRows makes n rows of small values with NULLs (1 in 6).
func randomRows(rng *rand.Rand, s *arrow.Schema, n int) []reference.Row {
	words := []string{"a", "b", "c", "dd"}
	rows := make([]reference.Row, n)
	for i := range rows {
		rows[i] = make(reference.Row, s.NumFields())
		for c, f := range s.Fields() {
			if rng.IntN(6) == 0 {
				continue
			}
			switch f.Type.ID() {
			case arrow.INT64:
				rows[i][c] = int64(rng.IntN(10))
			case arrow.INT32:
				rows[i][c] = int32(rng.IntN(10))
			case arrow.FLOAT64:
				rows[i][c] = float64(rng.IntN(40)) / 4
			case arrow.FLOAT32:
				rows[i][c] = float32(rng.IntN(40)) / 4
			case arrow.STRING:
				rows[i][c] = words[rng.IntN(len(words))]
			}
		}
	}
	return rows
}

// pb chains plan constructors, carrying the first error along.
type pb struct {
	n   plan.Node
	err error
}

func scan(t *memtable.Table, alias string) pb {
	s, err := plan.NewScan(t, alias)
	return pb{s, err}
}

func (b pb) then(f func(plan.Node) (plan.Node, error)) pb {
	if b.err != nil {
		return b
	}
	n, err := f(b.n)
	return pb{n, err}
}

func (b pb) project(es ...expr.Expr) pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewProject(n, es) })
}

func (b pb) filter(p expr.Expr) pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewFilter(n, p) })
}

func (b pb) agg(group []expr.Expr, aggs ...expr.Expr) pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewAggregate(n, group, aggs) })
}

func (b pb) join(r pb, typ plan.JoinType, filter expr.Expr, keys ...plan.JoinKey) pb {
	if r.err != nil {
		return r
	}
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewJoin(n, r.n, typ, keys, filter) })
}

func (b pb) sort(keys ...plan.SortKey) pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewSort(n, keys) })
}

func (b pb) limit(offset, count int64) pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewLimit(n, offset, count) })
}

func (b pb) distinct() pb {
	return b.then(func(n plan.Node) (plan.Node, error) { return plan.NewDistinct(n) })
}

func union(bs ...pb) pb {
	ins := make([]plan.Node, len(bs))
	for i, b := range bs {
		if b.err != nil {
			return b
		}
		ins[i] = b.n
	}
	u, err := plan.NewUnion(ins...)
	return pb{u, err}
}

func key(l, r expr.Expr) plan.JoinKey { return plan.JoinKey{Left: l, Right: r} }

func es(e ...expr.Expr) []expr.Expr { return e }

// C, Q and L keep the plan tables short.
var (
	C = expr.Col
	Q = expr.QualifiedCol
	L = expr.Lit
)
