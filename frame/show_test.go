package frame_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/frame"
)

func show(t *testing.T, df *frame.DataFrame, n int) string {
	t.Helper()
	var sb strings.Builder
	require.NoError(t, df.Show(context.Background(), &sb, n))
	return sb.String()
}

func TestShowGolden(t *testing.T) {
	s, _ := newSession(t)
	df := people(s).Sort(frame.Asc(col("name")))
	require.Equal(t, `+------+------+-------+---------+
| name | city |   age |   score |
| utf8 | utf8 | int64 | float64 |
+------+------+-------+---------+
| ann  | Oslo |    34 |     1.5 |
| bob  | Lima |  null |     2.5 |
| cid  | Oslo |    27 |    null |
| dee  | null |    41 |     4.0 |
| eve  | Lima |    27 |     0.5 |
+------+------+-------+---------+
(5 rows)
`, show(t, df, 20))

	require.Equal(t, `+------+------+-------+---------+
| name | city |   age |   score |
| utf8 | utf8 | int64 | float64 |
+------+------+-------+---------+
| ann  | Oslo |    34 |     1.5 |
| bob  | Lima |  null |     2.5 |
+------+------+-------+---------+
showing first 2 of 5 rows
`, show(t, df, 2))

	require.Equal(t, show(t, df, 5), show(t, df, -1), "a negative n shows every row")

	require.Equal(t, `+------+
| name |
| utf8 |
+------+
+------+
showing first 0 of 5 rows
`, show(t, df.Select(col("name")), 0))

	require.Equal(t, `+------+
| name |
| utf8 |
+------+
| ann  |
+------+
(1 row)
`, show(t, df.Select(col("name")).Limit(1), 10))

	require.Equal(t, `+------+
| name |
| utf8 |
+------+
+------+
(0 rows)
`, show(t, df.Select(col("name")).Filter(lit(false)), 10))
}

func TestShowValueFormats(t *testing.T) {
	s, _ := newSession(t)
	ts := time.Date(2024, 5, 6, 7, 8, 9, 120000, time.UTC)
	df := s.FromColumns(
		frame.Col("f", []float64{2, 1e21}),
		frame.Col("t", []time.Time{ts, ts.Truncate(time.Second)}),
		frame.Col("d", []arrow.Date32{arrow.Date32FromTime(ts), 0}),
		frame.Col("bin", [][]byte{{0xca, 0xfe}, {}}),
		frame.Strings("s", []string{"tab\there", strings.Repeat("é", 45)}),
		frame.Bools("b", []bool{true, false}),
	)
	require.Equal(t, `+---------+---------------------------+------------+--------+------------------------------------------+-------+
|       f | t                         | d          | bin    | s                                        | b     |
| float64 | timestamp[us, tz=UTC]     | date32     | binary | utf8                                     | bool  |
+---------+---------------------------+------------+--------+------------------------------------------+-------+
|     2.0 | 2024-05-06 07:08:09.00012 | 2024-05-06 | 0xcafe | tab\there                                | true  |
|   1e+21 | 2024-05-06 07:08:09       | 1970-01-01 | 0x     | ééééééééééééééééééééééééééééééééééééé... | false |
+---------+---------------------------+------------+--------+------------------------------------------+-------+
(2 rows)
`, show(t, df, 10))
}

func TestShowQualifiesRepeatedNames(t *testing.T) {
	s, _ := newSession(t)
	a := s.FromColumns(frame.Int64s("k", []int64{1}), frame.Strings("v", []string{"x"})).Alias("a")
	b := s.FromColumns(frame.Int64s("k", []int64{1}), frame.Strings("v", []string{"y"})).Alias("b")
	df := a.Join(b, frame.On(col("a.k").Eq(col("b.k"))), frame.Inner)
	require.Equal(t, `+-------+------+-------+------+
|   a.k | a.v  |   b.k | b.v  |
| int64 | utf8 | int64 | utf8 |
+-------+------+-------+------+
|     1 | x    |     1 | y    |
+-------+------+-------+------+
(1 row)
`, show(t, df, 5))
	require.Equal(t, []string{"k", "v", "k", "v"}, df.Columns())
}

func TestShowNumbers(t *testing.T) {
	s, _ := newSession(t)
	nan, inf := math.NaN(), math.Inf(1)
	df := s.FromColumns(
		frame.Col("i8", []int8{-8, 0}), frame.Col("i16", []int16{-16, 0}), frame.Col("i32", []int32{-32, 0}),
		frame.Col("u8", []uint8{8, 0}), frame.Col("u16", []uint16{16, 0}), frame.Col("u32", []uint32{32, 0}),
		frame.Col("u64", []uint64{math.MaxUint64, 0}),
		frame.Col("f32", []float32{0.1, 3}), frame.Col("f64", []float64{nan, inf}), frame.Col("neg", []float64{-inf, -0.25}),
	)
	require.Equal(t, `+------+-------+-------+-------+--------+--------+----------------------+---------+----------+-----------+
|   i8 |   i16 |   i32 |    u8 |    u16 |    u32 |                  u64 |     f32 |      f64 |       neg |
| int8 | int16 | int32 | uint8 | uint16 | uint32 |               uint64 | float32 |  float64 |   float64 |
+------+-------+-------+-------+--------+--------+----------------------+---------+----------+-----------+
|   -8 |   -16 |   -32 |     8 |     16 |     32 | 18446744073709551615 |     0.1 |      NaN | -Infinity |
|    0 |     0 |     0 |     0 |      0 |      0 |                    0 |     3.0 | Infinity |     -0.25 |
+------+-------+-------+-------+--------+--------+----------------------+---------+----------+-----------+
(2 rows)
`, show(t, df.Sort(frame.Asc(col("i8"))), 5))
}
