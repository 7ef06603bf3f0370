package parquetio

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/io/source"
)

// filterRows keeps the rows for which every filter is true, evaluated by
// the reference evaluator.
func filterRows(t *testing.T, s *arrow.Schema, rows [][]any, filters []expr.Expr) [][]any {
	t.Helper()
	var out [][]any
	match := matcher(t, s, filters)
	for _, r := range rows {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

// matcher evaluates the conjunction of filters on a row.
func matcher(t *testing.T, s *arrow.Schema, filters []expr.Expr) func(row []any) bool {
	var ps []*reference.Prepared
	for _, f := range filters {
		p, err := reference.Prepare(f, s)
		require.NoError(t, err)
		ps = append(ps, p)
	}
	return func(row []any) bool {
		for _, p := range ps {
			v, err := p.Eval(reference.Row(row))
			if err != nil {
				t.Fatal(err)
			}
			if v != true {
				return false
			}
		}
		return true
	}
}

func TestRowGroupPruningSorted(t *testing.T) {
	c, l := expr.Col, expr.Lit
	cases := []struct {
		name    string
		filters []expr.Expr
		read    int  // row groups expected to be read
		tight   bool // read must equal the row groups holding a match
	}{
		{"between", []expr.Expr{c("id").Between(l(10000), l(12000))}, 2, true},
		{"between as conjuncts", []expr.Expr{c("id").GtEq(l(10000)), c("id").LtEq(l(12000))}, 2, true},
		{"eq", []expr.Expr{c("id").Eq(l(5000))}, 1, true},
		{"eq flipped", []expr.Expr{l(5000).Eq(c("id"))}, 1, true},
		{"lt flipped", []expr.Expr{l(99000).Lt(c("id"))}, 1, true},
		{"lt", []expr.Expr{c("id").Lt(l(100))}, 1, true},
		{"lteq boundary", []expr.Expr{c("id").LtEq(l(2048))}, 2, true},
		{"gt", []expr.Expr{c("id").Gt(l(98303))}, 1, true},
		{"float literal", []expr.Expr{c("id").Gt(l(98303.5))}, 1, true},
		{"int32 literal", []expr.Expr{c("id").Lt(l(int32(10)))}, 1, true},
		{"in", []expr.Expr{c("id").In(l(1), l(50000), l(99999))}, 3, true},
		{"in null", []expr.Expr{c("id").In(expr.Lit(nil))}, 0, true},
		{"or", []expr.Expr{c("id").Lt(l(100)).Or(c("id").Gt(l(99900)))}, 2, true},
		{"is null", []expr.Expr{c("id").IsNull()}, 0, true},
		{"is not null", []expr.Expr{c("id").IsNotNull()}, 49, true},
		{"day", []expr.Expr{c("day").Eq(expr.Lit(arrow.Date32(19730)))}, 1, true},
		{"float lt", []expr.Expr{c("v").Lt(l(0.0))}, 0, true},
		{"not eq", []expr.Expr{c("id").NotEq(l(5))}, 49, true},
		{"float gt never pruned (NaN)", []expr.Expr{c("v").Gt(l(1e12))}, 49, false},
		{"not", []expr.Expr{expr.Not(c("id").Lt(l(100)))}, 49, false},
		{"arithmetic", []expr.Expr{c("id").Add(l(1)).Eq(l(5))}, 49, false},
		{"or with unknown", []expr.Expr{c("id").Lt(l(100)).Or(c("id").Add(l(1)).Eq(l(5)))}, 49, false},
		{"and with unknown", []expr.Expr{c("id").Lt(l(100)).And(c("id").Add(l(1)).Eq(l(5)))}, 1, false},
	}
	ctx := context.Background()
	all := openDS(t, ReadOptions{}, td("duckdb_sorted_100k.parquet"))
	allMem := newMem(t)
	full := scan(t, allMem, all, source.ScanRequest{})
	for i, tc := range cases {
		if raceEnabled && i%4 != 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			d := openDS(t, ReadOptions{Parallelism: 1}, td("duckdb_sorted_100k.parquet"))
			req := source.ScanRequest{Filters: tc.filters}
			plan, err := d.Plan(ctx, req)
			require.NoError(t, err)
			require.Equal(t, 49, plan.RowGroups)
			require.Equal(t, 49-tc.read, plan.RowGroupsSkipped)
			got := scan(t, mem, d, req)
			require.Equal(t, int64(tc.read), d.Counters().RowGroups, "row groups actually opened")

			// Pruning drops whole row groups: what is read must be exactly
			// the rows of the kept row groups, and no dropped row group may
			// hold a match.
			match := matcher(t, all.Schema(), tc.filters)
			kept := map[int]bool{}
			for _, r := range got.rows {
				kept[int(r[0].(int64))/2048] = true
			}
			var keptRows [][]any
			matching := map[int]bool{}
			for i, r := range full.rows {
				if kept[i/2048] {
					keptRows = append(keptRows, r)
				}
				if match(r) {
					matching[i/2048] = true
					require.True(t, kept[i/2048], "row group %d holds a match but was skipped", i/2048)
				}
			}
			require.Equal(t, len(keptRows), len(got.rows))
			for i := range keptRows {
				for c := range keptRows[i] {
					if keptRows[i][c] != got.rows[i][c] {
						t.Fatalf("row %d column %d: got %v, want %v", i, c, got.rows[i][c], keptRows[i][c])
					}
				}
			}
			if tc.tight {
				require.Equal(t, len(matching), tc.read)
			}
		})
	}
}

func TestPartitionPruningHive(t *testing.T) {
	c, l := expr.Col, expr.Lit
	cases := []struct {
		name                  string
		filters               []expr.Expr
		filesSkipped, rgsRead int
	}{
		{"year", []expr.Expr{c("year").Eq(l(2024))}, 3, 3},
		{"year and month", []expr.Expr{c("year").Eq(l(2023)), c("month").In(l(1), l(3))}, 4, 2},
		{"month range", []expr.Expr{c("month").GtEq(l(3))}, 4, 2},
		{"year or month", []expr.Expr{c("year").Lt(l(2024)).Or(c("month").Eq(l(2)))}, 2, 4},
		{"no match", []expr.Expr{c("year").Eq(l(1999))}, 6, 0},
		{"data column skips row groups", []expr.Expr{c("region").Eq(l("west"))}, 3, 3},
		{"data column range", []expr.Expr{c("amount").Lt(l(0.5))}, 4, 2},
		{"partition and data", []expr.Expr{c("order_id").Eq(l(0)), c("year").Eq(l(2023))}, 5, 1},
		{"partition is null", []expr.Expr{c("year").IsNull()}, 6, 0},
	}
	ctx := context.Background()
	all := openDS(t, ReadOptions{}, td("duckdb_hive_sales"))
	fullMem := newMem(t)
	full := scan(t, fullMem, all, source.ScanRequest{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			d := openDS(t, ReadOptions{}, td("duckdb_hive_sales"))
			req := source.ScanRequest{Filters: tc.filters}
			plan, err := d.Plan(ctx, req)
			require.NoError(t, err)
			require.Equal(t, 6, plan.Files)
			require.Equal(t, tc.filesSkipped, plan.FilesSkipped)
			require.Equal(t, 6-tc.rgsRead, plan.RowGroupsSkipped)
			got := scan(t, mem, d, req)
			require.Equal(t, int64(tc.rgsRead), d.Counters().RowGroups)
			want := filterRows(t, all.Schema(), full.rows, tc.filters)
			require.Equal(t, want, filterRows(t, d.Schema(), got.rows, tc.filters))
		})
	}
}

func TestProjectionReadsOnlyProjectedChunks(t *testing.T) {
	mem := newMem(t)
	d := openDS(t, ReadOptions{}, td("duckdb_types_snappy.parquet"))
	res := scan(t, mem, d, source.ScanRequest{Columns: []int{15, 0}})
	require.Len(t, res.rows, 20000)
	require.Equal(t, "color", res.schema.Field(0).Name)
	require.Equal(t, []any{"red", int64(0)}, res.rows[0])
	c := d.Counters()
	require.Equal(t, int64(5), c.RowGroups)
	require.Equal(t, int64(10), c.ColumnChunks) // 2 columns x 5 row groups

	// No column at all (COUNT(*)): row counts from the footer, backed by
	// the page headers of the smallest chunk; nothing is decoded.
	d2 := openDS(t, ReadOptions{}, td("duckdb_types_snappy.parquet"))
	res = scan(t, mem, d2, source.ScanRequest{Columns: []int{}})
	require.Len(t, res.rows, 20000)
	c2 := d2.Counters()
	require.Equal(t, int64(0), c2.ColumnChunks)
	require.Less(t, c2.Bytes, c.Bytes/10, "only the smallest chunk's headers")
}
