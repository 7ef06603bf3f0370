package parquetio

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/io/source"
)

// TestInteropFiles reads the files other engines wrote and compares every
// value with the CSV the same engine wrote.
func TestInteropFiles(t *testing.T) {
	cases := []struct{ file, expected string }{
		{"duckdb_types_snappy.parquet", "duckdb_types.expected.csv"},
		{"duckdb_types_zstd.parquet", "duckdb_types.expected.csv"},
		{"polars_types.parquet", "polars_types.expected.csv"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			for _, batch := range []int{1000, 4096} {
				mem := newMem(t)
				d := openDS(t, ReadOptions{}, td(tc.file))
				header, want := readExpected(t, td(tc.expected))
				res := scan(t, mem, d, source.ScanRequest{BatchSize: batch})
				require.Equal(t, len(header), res.schema.NumFields())
				for i, h := range header {
					require.Equal(t, h, res.schema.Field(i).Name)
				}
				require.Len(t, res.rows, len(want))
				for r, row := range res.rows {
					for c, got := range row {
						if err := matchExpected(res.schema.Field(c).Type, got, want[r][c]); err != nil {
							t.Fatalf("row %d column %s: %v", r, header[c], err)
						}
					}
				}
			}
		})
	}
}

func TestInteropTypes(t *testing.T) {
	d := openDS(t, ReadOptions{}, td("duckdb_types_snappy.parquet"))
	var got []string
	for _, f := range d.Schema().Fields() {
		got = append(got, fmt.Sprintf("%s:%s", f.Name, f.Type))
	}
	require.Equal(t, []string{
		"id:int64", "i8:int8", "i16:int16", "i32:int32", "i64:int64", "u8:uint8", "u32:uint32", "u64:uint64",
		"f32:float32", "f64:float64", "b:bool", "s:utf8", "d:date32", "ts:timestamp[us]", "dec:float64", "color:utf8",
	}, got)
}

func TestNestedListUnsupported(t *testing.T) {
	mem := newMem(t)
	d := openDS(t, ReadOptions{}, td("polars_nested_list.parquet"))
	require.Equal(t, "tags", d.Schema().Field(1).Name)
	require.Equal(t, "list<item: utf8, nullable>", d.Schema().Field(1).Type.String())

	_, err := d.Splits(context.Background(), source.ScanRequest{})
	require.ErrorIs(t, err, ErrUnsupportedType)
	require.Contains(t, err.Error(), `"tags"`)

	// Without the list column the file reads fine.
	res := scan(t, mem, d, source.ScanRequest{Columns: []int{0}})
	require.Equal(t, [][]any{{int64(1)}, {int64(2)}, {int64(3)}}, res.rows)
}

func TestHiveDataset(t *testing.T) {
	mem := newMem(t)
	d := openDS(t, ReadOptions{}, td("duckdb_hive_sales"))
	require.Equal(t, []string{"year", "month"}, d.PartitionColumns())
	s := d.Schema()
	require.Equal(t, "year", s.Field(3).Name)
	require.Equal(t, arrow.PrimitiveTypes.Int64, s.Field(3).Type)
	res := scan(t, mem, d, source.ScanRequest{})
	type key struct{ y, m int64 }
	n := map[key]int{}
	sum := map[key]float64{}
	for _, r := range res.rows {
		k := key{r[3].(int64), r[4].(int64)}
		n[k]++
		sum[k] += r[2].(float64)
	}
	_, want := readExpected(t, td("duckdb_hive_sales.expected.csv"))
	require.Len(t, n, len(want))
	for _, w := range want {
		var k key
		var cnt int
		var amount float64
		fmt.Sscan(w[0].text, &k.y)
		fmt.Sscan(w[1].text, &k.m)
		fmt.Sscan(w[2].text, &cnt)
		fmt.Sscan(w[3].text, &amount)
		require.Equal(t, cnt, n[k], "%v", k)
		require.InDelta(t, amount, sum[k], 1e-6*amount, "%v", k)
	}
	st := d.Stats()
	require.Equal(t, int64(6000), st.Rows)
	require.Equal(t, int64(2023), st.Columns[3].Min)
	require.Equal(t, int64(2024), st.Columns[3].Max)
	require.Equal(t, int64(2), st.Columns[3].DistinctCount)
}

func TestSorted100kAggregates(t *testing.T) {
	mem := newMem(t)
	d := openDS(t, ReadOptions{}, td("duckdb_sorted_100k.parquet"))
	res := scan(t, mem, d, source.ScanRequest{})
	var sum float64
	minID, maxID := int64(1<<62), int64(-1)
	for _, r := range res.rows {
		id := r[0].(int64)
		minID, maxID = min(minID, id), max(maxID, id)
		sum += r[2].(float64)
	}
	require.Len(t, res.rows, 100000)
	require.Equal(t, int64(0), minID)
	require.Equal(t, int64(99999), maxID)
	require.InDelta(t, 49832757.0, sum, 1e-3)
	st := d.Stats()
	require.Equal(t, int64(100000), st.Rows)
	require.Equal(t, int64(0), st.Columns[0].Min)
	require.Equal(t, int64(99999), st.Columns[0].Max)
	require.Equal(t, int64(0), st.Columns[0].NullCount)
}
