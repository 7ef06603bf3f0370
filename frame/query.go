package frame

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

// query is one running action: the operator tree of a plan, its
// environment, and the schema results are labelled with.
//
// Lifecycle: start registers the query with the session, builds and opens
// the operators; next returns compacted records until io.EOF; close (always
// called, on every path) closes the operators, checks that every memory
// reservation was returned, and unregisters the query. Each step after
// start reports errors wrapped with the action's name.
type query struct {
	s      *Session
	action string
	env    *exec.Env
	plan   *physical.Plan
	run    *physical.Run
	out    *arrow.Schema
	closed bool
}

// start runs the planner and opens the operator tree of df for action.
func (df *DataFrame) start(ctx context.Context, action string) (*query, error) {
	if df.err != nil {
		return nil, df.err
	}
	if err := ctx.Err(); err != nil {
		return nil, actionErr(action, err)
	}
	env, err := df.s.begin()
	if err != nil {
		return nil, actionErr(action, err)
	}
	q := &query{s: df.s, action: action, env: env, out: userSchema(df.node.Schema())}
	opt, _, err := df.optimized()
	if err != nil {
		q.close()
		return nil, actionErr(action, err)
	}
	p, err := physical.Compile(opt, df.s.plannerConfig(), env.BatchSize)
	if err != nil {
		q.close()
		return nil, actionErr(action, fmt.Errorf("plan: %w", err))
	}
	q.plan = p
	run, err := p.Start(ctx, env)
	if err != nil {
		return nil, q.fail(err)
	}
	q.run = run
	return q, nil
}

// next returns the next batch compacted into a record labelled with the
// result schema, or io.EOF. The caller releases the record.
func (q *query) next(ctx context.Context) (arrow.Record, error) {
	b, err := q.nextBatch(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	rec, err := exec.Compact(q.env.Mem, b)
	if err != nil {
		return nil, q.fail(fmt.Errorf("compact: %w", err))
	}
	defer rec.Release()
	return array.NewRecord(q.out, rec.Columns(), rec.NumRows()), nil
}

// nextBatch returns the next non-empty batch or io.EOF, checking for
// cancellation once per batch.
func (q *query) nextBatch(ctx context.Context) (exec.Batch, error) {
	if err := ctx.Err(); err != nil {
		return exec.Batch{}, q.fail(err)
	}
	for {
		b, err := q.run.Next(ctx)
		if errors.Is(err, io.EOF) {
			return exec.Batch{}, io.EOF
		}
		if err != nil {
			return exec.Batch{}, q.fail(err)
		}
		if b.Len() > 0 {
			return b, nil
		}
		b.Release()
	}
}

// fail closes the query and wraps err with the action's name.
func (q *query) fail(err error) error {
	if cerr := q.close(); cerr != nil && !errors.Is(err, cerr) {
		err = errors.Join(err, cerr)
	}
	return actionErr(q.action, err)
}

// close closes the operators, verifies that the query's memory
// reservations were all returned, and unregisters the query. It is
// idempotent; only the first call reports errors.
func (q *query) close() error {
	if q.closed {
		return nil
	}
	q.closed = true
	var err error
	if q.run != nil {
		err = q.run.Close()
	}
	if left := q.env.Pool.Reserved(); left != 0 && err == nil {
		err = fmt.Errorf("internal error: %d bytes still reserved after the query closed", left)
	}
	q.s.end(q.env)
	return err
}

// finish closes the query after a successful drain and wraps a close error.
func (q *query) finish() error {
	if err := q.close(); err != nil {
		return actionErr(q.action, err)
	}
	return nil
}

// actionErr wraps err with the name of the action that failed, unless it
// already carries a DataFrame step.
func actionErr(action string, err error) error {
	var se *StepError
	if errors.As(err, &se) {
		return err
	}
	return &StepError{Step: action, Err: err}
}

// userSchema is s without Grain's internal qualifier metadata: the schema
// of the records actions return.
func userSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = stripQualifier(f)
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

// LogicalPlan returns the logical plan of df, or the error of the step that
// failed. The plan is immutable and stays valid until the session closes.
func (df *DataFrame) LogicalPlan() (plan.Node, error) {
	if df.err != nil {
		return nil, df.err
	}
	return df.node, nil
}
