package frame_test

import (
	"context"
	"fmt"
	"os"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/frame"
)

func ExampleSession_FromColumns() {
	s := frame.NewSession()
	defer s.Close()

	temps := s.FromColumns(
		frame.Strings("city", []string{"Oslo", "Lima", "Pune"}),
		frame.NullableCol("temp", []*float64{frame.Ptr(3.5), nil, frame.Ptr(31.0)}),
	)
	if err := temps.Show(context.Background(), os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// +------+---------+
	// | city |    temp |
	// | utf8 | float64 |
	// +------+---------+
	// | Oslo |     3.5 |
	// | Lima |    null |
	// | Pune |    31.0 |
	// +------+---------+
	// (3 rows)
}

func ExampleFromStructs() {
	type reading struct {
		City string   `grain:"city"`
		Temp *float64 `grain:"temp"`
	}
	s := frame.NewSession()
	defer s.Close()

	df := frame.FromStructs(s, []reading{{"Oslo", frame.Ptr(3.5)}, {"Lima", nil}})
	schema, err := df.Schema()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(schema)
	// Output:
	// schema:
	//   fields: 2
	//     - city: type=utf8
	//     - temp: type=float64, nullable
}

func ExampleDataFrame_GroupBy() {
	ctx := context.Background()
	s := frame.NewSession()
	defer s.Close()

	sales := s.FromColumns(
		frame.Strings("city", []string{"Oslo", "Lima", "Oslo", "Pune", "Lima", "Oslo"}),
		frame.Int64s("amount", []int64{10, 25, 30, 5, 40, 2}),
	)
	top := sales.
		Filter(expr.Col("amount").GtEq(expr.Lit(5))).
		GroupBy(expr.Col("city")).
		Agg(expr.Sum(expr.Col("amount")).As("total"), expr.CountStar().As("orders")).
		Sort(frame.Desc(expr.Col("total")))
	if err := top.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// +------+-------+--------+
	// | city | total | orders |
	// | utf8 | int64 |  int64 |
	// +------+-------+--------+
	// | Lima |    65 |      2 |
	// | Oslo |    40 |      2 |
	// | Pune |     5 |      1 |
	// +------+-------+--------+
	// (3 rows)
}

func ExampleDataFrame_Join() {
	ctx := context.Background()
	s := frame.NewSession()
	defer s.Close()

	orders := s.FromColumns(
		frame.Int64s("customer", []int64{1, 2, 1, 3}),
		frame.Int64s("amount", []int64{10, 20, 30, 40}),
	).Alias("o")
	customers := s.FromColumns(
		frame.Int64s("customer", []int64{1, 2}),
		frame.Strings("name", []string{"ann", "bob"}),
	).Alias("c")

	// Using: the key appears once; unmatched orders keep a NULL name.
	joined := orders.Join(customers, frame.Using("customer"), frame.Left).
		Sort(frame.Asc(expr.Col("amount")))
	if err := joined.Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}

	// An expression condition, with qualified names.
	big := orders.Join(customers, frame.On(
		expr.Col("o.customer").Eq(expr.Col("c.customer")).And(expr.Col("o.amount").Gt(expr.Lit(15)))), frame.Inner).
		Select(expr.Col("c.name"), expr.Col("o.amount"))
	if err := big.Sort(frame.Asc(expr.Col("amount"))).Show(ctx, os.Stdout, 10); err != nil {
		fmt.Println(err)
	}
	// Output:
	// +----------+--------+------+
	// | customer | amount | name |
	// |    int64 |  int64 | utf8 |
	// +----------+--------+------+
	// |        1 |     10 | ann  |
	// |        2 |     20 | bob  |
	// |        1 |     30 | ann  |
	// |        3 |     40 | null |
	// +----------+--------+------+
	// (4 rows)
	// +------+--------+
	// | name | amount |
	// | utf8 |  int64 |
	// +------+--------+
	// | bob  |     20 |
	// | ann  |     30 |
	// +------+--------+
	// (2 rows)
}

func ExampleDataFrame_Explain() {
	// Two workers, so the plan's task counts do not depend on the machine.
	s := frame.NewSession(frame.WithParallelism(2))
	defer s.Close()

	facts := s.FromColumns(
		frame.Strings("grp", []string{"a", "b"}),
		frame.Float64s("metric", []float64{1, 2}),
	).Alias("f")
	dims := s.FromColumns(
		frame.Strings("grp", []string{"a", "b"}),
		frame.Strings("label", []string{"A", "B"}),
	).Alias("d")
	q := facts.Join(dims, frame.On(expr.Col("f.grp").Eq(expr.Col("d.grp"))), frame.Inner).
		GroupBy(expr.Col("label")).
		Agg(expr.Sum(expr.Col("metric")).As("total")).
		Sort(frame.Desc(expr.Col("total"))).
		Limit(10)
	text, err := q.Explain()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(text)
	// Output:
	// == Logical plan ==
	// Limit: 10  (rows≈2)
	//   Sort: total DESC NULLS LAST  (rows≈2)
	//     Aggregate: group=[label] aggs=[sum(metric) AS total]  (rows≈2)
	//       Join: inner on [f.grp = d.grp]  (rows≈2)
	//         Scan: df1 AS f  (rows≈2)
	//         Scan: df2 AS d  (rows≈2)
	//
	// == Optimized plan ==
	// Limit: 10  (rows≈2)
	//   Sort: total DESC NULLS LAST  (rows≈2)
	//     Aggregate: group=[label] aggs=[sum(metric) AS total]  (rows≈2)
	//       Join: inner on [f.grp = d.grp]  (rows≈2)
	//         Scan: df1 AS f  (rows≈2)
	//         Scan: df2 AS d  (rows≈2)
	//
	// == Physical plan ==
	// Stage 1: result (1 task)
	//   Limit: 10
	//     TopK 10 Sort: total DESC NULLS LAST
	//       Select d.label, total
	//         HashAggregate(single): group=[label] aggs=[sum(metric) AS total]
	//           Project label, metric
	//             Select f.grp, f.metric, d.grp, d.label
	//               BroadcastHashJoin inner on [f.grp = d.grp] (right est. 30 B ≤ threshold 10.0 MiB)
	//                 Project +[f.grp]
	//                   Scan df1 AS f (1 splits, 1 tasks)
	//                 Exchange gather: 1 → 1 partitions ◄ stage 0
	// Stage 0: 1 tasks → gather into 1 partition
	//   Project +[d.grp]
	//     Scan df2 AS d (1 splits, 1 tasks)
}

func ExampleDataFrame_Err() {
	s := frame.NewSession()
	defer s.Close()

	df := s.FromColumns(frame.Int64s("metric", []int64{1, 20}))
	_, err := df.Filter(expr.Col("metrc").Gt(expr.Lit(10))).Count(context.Background())
	fmt.Println(err)
	// Output:
	// frame: Filter(metrc > 10): unknown column "metrc"; did you mean "metric"?
}
