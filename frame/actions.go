package frame

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/expr"
)

// Collect runs the query and returns every result row as Arrow records
// allocated from the session's allocator (or sharing the session's source
// data). The caller releases each record. On error nothing is returned and
// everything the query allocated is released.
func (df *DataFrame) Collect(ctx context.Context) ([]arrow.Record, error) {
	q, err := df.start(ctx, "Collect")
	if err != nil {
		return nil, err
	}
	var recs []arrow.Record
	release := func() {
		for _, r := range recs {
			r.Release()
		}
	}
	for {
		rec, err := q.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			release()
			return nil, err
		}
		recs = append(recs, rec)
	}
	if err := q.finish(); err != nil {
		release()
		return nil, err
	}
	return recs, nil
}

// CollectTable runs the query and returns the result as an Arrow table. The
// caller releases the table.
func (df *DataFrame) CollectTable(ctx context.Context) (arrow.Table, error) {
	recs, err := df.Collect(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	schema := userSchema(df.node.Schema())
	return array.NewTableFromRecords(schema, recs), nil
}

// Count runs the query and returns the number of result rows. It counts
// the rows as they stream past, without compacting or keeping them.
func (df *DataFrame) Count(ctx context.Context) (int64, error) {
	q, err := df.start(ctx, "Count")
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		b, err := q.nextBatch(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		n += int64(b.Len())
		b.Release()
	}
	if err := q.finish(); err != nil {
		return 0, err
	}
	return n, nil
}

// Schema returns the schema of the result, without running the query. Its
// fields carry no Grain metadata; use LogicalPlan for the qualified schema.
func (df *DataFrame) Schema() (*arrow.Schema, error) {
	if df.err != nil {
		return nil, df.err
	}
	return userSchema(df.node.Schema()), nil
}

// Columns returns the result's column names in order, or nil when df
// carries an error.
func (df *DataFrame) Columns() []string {
	if df.err != nil {
		return nil
	}
	fields := df.node.Schema().Fields()
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Name
	}
	return out
}

// stripQualifier removes Grain's qualifier metadata from f.
func stripQualifier(f arrow.Field) arrow.Field { return expr.WithQualifier(f, "") }
