// Package frame is Grain's user API: lazy, immutable DataFrames in the
// vocabulary of Spark and Polars.
//
//	s := frame.NewSession(frame.WithMemoryLimit(1 << 30))
//	defer s.Close()
//
//	sales := s.FromColumns(
//		frame.Strings("city", []string{"Oslo", "Lima", "Oslo"}),
//		frame.Int64s("amount", []int64{10, 20, 30}),
//	)
//	top := sales.
//		Filter(expr.Col("amount").Gt(expr.Lit(5))).
//		GroupBy(expr.Col("city")).
//		Agg(expr.Sum(expr.Col("amount")).As("total")).
//		Sort(frame.Desc(expr.Col("total")))
//	err := top.Show(ctx, os.Stdout, 20)
//
// # Laziness
//
// Transformations (Select, Filter, WithColumn, Drop, Rename, GroupBy/Agg,
// Join, Sort, Limit, Offset, Distinct, Union, Alias) only build a logical
// plan (package plan); each returns a new DataFrame and leaves its receiver
// unchanged. Actions run the plan:
//
//	Collect, CollectTable   every row, as Arrow records or a table
//	Count                   the number of rows
//	Show                    an aligned text table of the first rows and the total
//	Stream                  an iterator over records, for results that do not fit in memory
//	Explain, Schema         the plan and the result schema, without running anything
//
// Each action builds an execution environment (the session's allocator, a
// memory pool of its own sized by WithMemoryLimit, the batch size), turns
// the logical plan into operators with physical.BuildWith, opens them, drains
// them, compacts the batches into records, and closes them on every path:
// when an action returns, the query holds no memory reservation, goroutine
// or Arrow buffer other than the records handed to the caller.
//
// # Errors
//
// A transformation never panics and never returns an error. A step that
// cannot be analyzed stores a *StepError in the DataFrame it returns; later
// steps pass it along and every action returns it:
//
//	frame: Filter(metrc > 10): unknown column "metrc"; did you mean "metric"?
//
// The causes keep their sentinels: expr.ErrUnknownColumn,
// expr.ErrAmbiguousColumn, expr.ErrType, plan.ErrInvalidPlan, ErrInvalidInput
// for bad arguments; at run time mempool.ErrMemoryLimit (naming the
// consumer), expr.ErrOverflow, expr.ErrDivideByZero and the context's error
// (context.Canceled) wrapped with the action's name. Check them with
// errors.Is; DataFrame.Err reports a construction error early.
//
// # Ownership
//
//	Session ─ owns ─► tables (memtable) ◄─ scanned by ─ DataFrames (plans)
//	   │                                                   │ action
//	   └── Close releases the tables                       ▼
//	                                       records returned to the caller,
//	                                       who releases them
//
// Source methods retain the Arrow data they are given (or build it from Go
// values with the session's allocator) in tables the Session owns until
// Close. Records returned by Collect and tables returned by CollectTable
// belong to the caller; records of a RecordStream belong to the stream
// until the next call to Next. With memory.NewCheckedAllocator passed to
// WithAllocator, a program that releases its results and closes the
// session ends with zero bytes allocated.
//
// # Names and qualifiers
//
// Every column carries the name of the relation it comes from: "df1",
// "df2"… for sources, or what Alias sets. After a join, expr.Col("f.metric")
// selects the left's metric when the left side is aliased "f"; a bare name
// shared by both sides is ambiguous. Records returned by actions do not
// carry these qualifiers; LogicalPlan exposes them.
//
// # Execution
//
// Each action hands the logical plan and the session's Parallelism,
// ShufflePartitions and BroadcastThreshold to the physical planner
// (physical.BuildWith), which cuts it into stages at exchanges and runs
// their tasks on worker goroutines; the action pulls the single result
// partition on the calling goroutine. Results do not depend on these
// settings, the batch size or the memory limit, except for row order where
// no Sort is requested. Explain prints the logical plan as built; the
// optimizer milestone adds modes for the optimized and physical plans.
package frame
