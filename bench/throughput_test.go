package bench

import (
	"strconv"
	"testing"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
	"github.com/grainql/grain/internal/datagen"
)

// intsTable has int64 columns a (every value of 0…999 equally often, so
// a > 499 keeps exactly half the rows) and b (uniform in [0, 1000)).
func intsTable(rows int) input {
	return tableInput(datagen.Table{Rows: rows, Seed: seed, Columns: []datagen.Column{
		{Name: "a", Gen: datagen.Balanced(1000)},
		{Name: "b", Gen: datagen.Uniform(0, 1000)},
	}})
}

// keyedTable has a key column with exactly card distinct values, equally
// often, and a float64 val column of small integers. It is both the input
// of GROUP BY key (card groups) and the probe side of a join against
// buildTable(card) (every row matches once).
func keyedTable(rows, card int, key func(int) datagen.Gen) input {
	return tableInput(datagen.Table{Rows: rows, Seed: seed, Columns: []datagen.Column{
		{Name: "key", Gen: key(card)},
		{Name: "val", Gen: datagen.SmallFloats(100)},
	}})
}

// buildTable is the build side of a join: the keys 0…keys-1 in random
// order, each with a float64 weight w.
func buildTable(keys int) input {
	return tableInput(datagen.Table{Rows: keys, Seed: seed + 1, Columns: []datagen.Column{
		{Name: "key", Gen: datagen.Balanced(keys)},
		{Name: "w", Gen: datagen.SmallFloats(10)},
	}})
}

// withWorkers gives one copy of q per worker count, named "workers=N".
func withWorkers(name string, q query) []query {
	var qs []query
	for _, w := range workerCounts {
		c := q
		c.name = name + "/workers=" + strconv.Itoa(w)
		c.opts = append(append([]frame.Option(nil), q.opts...), frame.WithParallelism(w))
		qs = append(qs, c)
	}
	return qs
}

func filterQueries(sz sizes) []query {
	return withWorkers("rows="+sci(sz.rows), query{
		inputs: []input{intsTable(sz.rows)},
		build: func(in []*frame.DataFrame) *frame.DataFrame {
			return in[0].Filter(expr.Col("a").Gt(expr.Lit(int64(499))))
		},
		wantRows: int64(sz.rows) / 2,
	})
}

func projectQueries(sz sizes) []query {
	return withWorkers("rows="+sci(sz.rows), query{
		inputs: []input{intsTable(sz.rows)},
		build: func(in []*frame.DataFrame) *frame.DataFrame {
			return in[0].Select(expr.Col("a").Mul(expr.Lit(int64(2))).Add(expr.Col("b")).As("c"))
		},
		wantRows: int64(sz.rows),
	})
}

// groupByQuery is SUM(val) GROUP BY key over keyedTable.
func groupByQuery(rows, groups int, key func(int) datagen.Gen) query {
	return query{
		inputs: []input{keyedTable(rows, groups, key)},
		build: func(in []*frame.DataFrame) *frame.DataFrame {
			return in[0].GroupBy(expr.Col("key")).Agg(expr.Sum(expr.Col("val")).As("s"))
		},
		wantRows: int64(min(rows, groups)),
	}
}

func groupByQueries(sz sizes) []query {
	var qs []query
	for _, g := range sz.intGroups {
		qs = append(qs, withWorkers("key=int64/groups="+sci(g), groupByQuery(sz.rows, g, datagen.Balanced))...)
	}
	for _, g := range sz.strGroups {
		qs = append(qs, withWorkers("key=string/groups="+sci(g), groupByQuery(sz.rows, g, datagen.BalancedStrings))...)
	}
	return qs
}

// joinQuery is an inner join of keyedTable(rows, keys) with
// buildTable(keys) on key: every probe row matches exactly one build row.
func joinQuery(rows, keys int) query {
	return query{
		inputs: []input{keyedTable(rows, keys, datagen.Balanced), buildTable(keys)},
		build: func(in []*frame.DataFrame) *frame.DataFrame {
			return in[0].Join(in[1], frame.Using("key"), frame.Inner)
		},
		wantRows: int64(rows),
		wantJoin: int64(rows),
	}
}

func hashJoinQueries(sz sizes) []query {
	return withWorkers("probe="+sci(sz.rows)+"/build="+sci(sz.joinKeys), joinQuery(sz.rows, sz.joinKeys))
}

// BenchmarkFilter measures a > 499 (50% selectivity) over 1e7 int64 rows.
func BenchmarkFilter(b *testing.B) { runQueries(b, filterQueries(full)) }

// BenchmarkProject measures a * 2 + b over 1e7 int64 rows.
func BenchmarkProject(b *testing.B) { runQueries(b, projectQueries(full)) }

// BenchmarkGroupBy measures SUM(float64) GROUP BY an int64 key (1e2, 1e4,
// 1e6 groups) and a string key (1e2, 1e4 groups) over 1e7 rows.
func BenchmarkGroupBy(b *testing.B) { runQueries(b, groupByQueries(full)) }

// BenchmarkHashJoin measures an inner join of 1e7 probe rows with 1e5
// build keys, each probe row matching once.
func BenchmarkHashJoin(b *testing.B) { runQueries(b, hashJoinQueries(full)) }
