package enginetest

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/internal/reference"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

// Run executes n on the vectorized engine in env with the default planner
// settings and returns its rows.
func Run(ctx context.Context, n plan.Node, env *exec.Env) ([]reference.Row, error) {
	return RunWith(ctx, n, env, physical.Config{})
}

// RunWith executes n with the given planner settings. Every batch is
// released and the query closed on every path.
func RunWith(ctx context.Context, n plan.Node, env *exec.Env, cfg physical.Config) ([]reference.Row, error) {
	op, err := physical.BuildWith(n, env, cfg)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	if err := op.Open(ctx); err != nil {
		return nil, err
	}
	var rows []reference.Row
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		more, err := batchRows(env, b)
		b.Release()
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
}

func batchRows(env *exec.Env, b exec.Batch) ([]reference.Row, error) {
	var rec arrow.Record
	rec, err := exec.Compact(env.Mem, b)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return reference.RowsFromRecord(rec)
}
