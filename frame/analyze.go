package frame

import (
	"context"

	"errors"
	"fmt"
	"github.com/apache/arrow/go/v17/arrow"
	"io"
	"strings"
	"time"

	"github.com/grainql/grain/plan/physical"
)

// OperatorStats is what one physical operator did in a run; see
// DataFrame.Analyze.
type OperatorStats = physical.OperatorStats

// Analysis is the outcome of running a query for its numbers: the result
// row count, the wall time, per-operator statistics and their EXPLAIN
// ANALYZE rendering.
type Analysis struct {
	Rows      int64
	Elapsed   time.Duration
	Operators []OperatorStats
	Text      string
}

// JoinRows is the number of rows that came out of the query's joins: where
// a fan-out join multiplies rows, this is the number that explodes.
func (a *Analysis) JoinRows() int64 {
	var n int64
	for _, op := range a.Operators {
		if op.Join {
			n += op.Counters["output rows"]
		}
	}
	return n
}

// ShuffleBytes is the number of bytes the query's exchanges moved.
func (a *Analysis) ShuffleBytes() int64 {
	var n int64
	for _, op := range a.Operators {
		n += op.ShuffleBytes
	}
	return n
}

// SpilledBytes is the number of bytes the query's exchanges spilled.
func (a *Analysis) SpilledBytes() int64 {
	var n int64
	for _, op := range a.Operators {
		n += op.SpilledBytes
	}
	return n
}

// Analyze runs the query, discards its rows and returns what every
// operator did.
func (df *DataFrame) Analyze(ctx context.Context) (*Analysis, error) {
	_, a, err := df.run(ctx, "Analyze", false)
	return a, err
}

// CollectAnalyzed is Collect plus the Analysis of the same run. The caller
// releases the records.
func (df *DataFrame) CollectAnalyzed(ctx context.Context) ([]arrow.Record, *Analysis, error) {
	return df.run(ctx, "CollectAnalyzed", true)
}

// run drains the query, keeping the result records when keep is set.
func (df *DataFrame) run(ctx context.Context, action string, keep bool) (recs []arrow.Record, a *Analysis, err error) {
	start := time.Now()
	q, err := df.start(ctx, action)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			for _, r := range recs {
				r.Release()
			}
			recs = nil
		}
	}()
	var rows int64
	for {
		if keep {
			rec, err := q.next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return recs, nil, err
			}
			rows += rec.NumRows()
			recs = append(recs, rec)
			continue
		}
		b, err := q.nextBatch(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		rows += int64(b.Len())
		b.Release()
	}
	a = &Analysis{Rows: rows, Elapsed: time.Since(start), Operators: q.run.Operators(), Text: q.run.Analyze()}
	if err := q.finish(); err != nil {
		return recs, nil, err
	}
	return recs, a, nil
}

// ExplainAnalyze runs the query and returns its physical plan annotated
// with what happened: per operator the rows, batches, own time and peak
// memory; per exchange the rows and bytes written and spilled; per stage
// the task count and min/median/max task time; per join the fan-out
// (output rows ÷ probe rows), flagged where rows multiply.
func (df *DataFrame) ExplainAnalyze(ctx context.Context) (string, error) {
	a, err := df.Analyze(ctx)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString(a.Text)
	fmt.Fprintf(&sb, "%d rows in %s\n", a.Rows, a.Elapsed.Round(time.Microsecond))
	return sb.String(), nil
}
