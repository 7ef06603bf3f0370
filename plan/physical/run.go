package physical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/plan"
)

// Plan is a compiled physical plan: a single-partition root and the stages
// that must run before the root can be read. It is immutable; each Start
// runs it once.
type Plan struct {
	Root   Node
	Stages []*StageInfo
	cfg    Config
	result *StageInfo
}

// StageInfo describes one stage of a plan: the exchange it writes (nil for
// the result stage) and the stages it reads from.
type StageInfo struct {
	ID       int
	exchange *exchangeNode // nil for the result stage
	Deps     []*StageInfo
	top      Node // the node whose partitions the stage's tasks run
}

// Tasks is the number of tasks of the stage.
func (s *StageInfo) Tasks() int {
	if s.exchange == nil {
		return 1
	}
	return s.top.Partitions()
}

// Compile plans a logical plan for parallel execution.
func Compile(n plan.Node, cfg Config, batchSize int) (*Plan, error) {
	cfg = cfg.withDefaults()
	if batchSize <= 0 {
		batchSize = exec.DefaultBatchSize
	}
	pl := &planner{cfg: cfg, batchSize: batchSize}
	root, err := pl.node(n)
	if err != nil {
		return nil, err
	}
	if root.Partitions() != 1 {
		root = newCoalesce(root, cfg.Parallelism)
	}
	p := &Plan{Root: root, cfg: cfg}
	p.result = p.cutStages(root, nil)
	nameOperators(root)
	return p, nil
}

// nameOperators labels every node's metrics with its EXPLAIN line, so a
// task's error names the operator where it arose.
func nameOperators(n Node) {
	n.Metrics().Operator = n.String()
	for _, c := range n.Children() {
		nameOperators(c)
	}
}

// cutStages assigns a stage to every exchange below n (post-order, so a
// stage's ID is larger than its dependencies') and returns the stage whose
// tasks run n.
func (p *Plan) cutStages(top Node, ex *exchangeNode) *StageInfo {
	st := &StageInfo{exchange: ex, top: top}
	var visit func(n Node)
	visit = func(n Node) {
		if e, ok := n.(*exchangeNode); ok && e != ex {
			st.Deps = append(st.Deps, p.cutStages(e.children[0], e))
			return
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(top)
	st.ID = len(p.Stages)
	p.Stages = append(p.Stages, st)
	if ex != nil {
		ex.name = fmt.Sprintf("exchange of stage %d", st.ID)
	}
	return st
}

// Start runs every stage but the result stage, then returns the result as
// an open operator. The caller pulls it and must Close it: Close releases
// shuffle stores, broadcast tables and the query's temp directory, on
// every path. If env.SpillDir is empty, Start creates a per-query temp
// directory and removes it on Close.
func (p *Plan) Start(ctx context.Context, env *exec.Env) (*Run, error) {
	r := &Run{plan: p, env: env}
	if env.SpillDir == "" {
		dir, err := os.MkdirTemp("", "grain-query-*")
		if err != nil {
			return nil, fmt.Errorf("create query temp dir: %w", err)
		}
		local := *env
		local.SpillDir = dir
		r.env, r.tempDir = &local, dir
	}
	r.x = newExecution(r.env)
	if err := r.runStages(ctx); err != nil {
		r.Close()
		return nil, err
	}
	root, err := p.Root.Open(r.x, 0)
	if err != nil {
		r.Close()
		return nil, err
	}
	r.root = root
	if err := root.Open(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Run is one execution of a Plan; see Plan.Start.
type Run struct {
	plan    *Plan
	env     *exec.Env
	x       *Execution
	root    exec.Operator
	tempDir string
	stages  []*exec.Stage
	closed  bool
}

// runStages runs the map stages on the worker pool.
func (r *Run) runStages(ctx context.Context) error {
	byInfo := map[*StageInfo]*exec.Stage{}
	for _, si := range r.plan.Stages {
		if si.exchange == nil {
			continue
		}
		si := si
		ex := si.exchange
		st := &exec.Stage{ID: si.ID, Name: ex.String(), Tasks: si.Tasks(),
			Run: func(ctx context.Context, task int) error { return ex.runMapTask(ctx, r.x, task) }}
		for _, d := range si.Deps {
			st.Deps = append(st.Deps, byInfo[d])
		}
		byInfo[si] = st
		r.stages = append(r.stages, st)
	}
	return exec.RunStages(ctx, r.stages, r.plan.cfg.Parallelism)
}

// Schema is the schema of the result.
func (r *Run) Schema() *arrow.Schema { return r.plan.Root.Schema() }

// Next returns the next result batch, or io.EOF.
func (r *Run) Next(ctx context.Context) (exec.Batch, error) { return r.root.Next(ctx) }

// Close releases everything the run holds. It is idempotent.
func (r *Run) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.root != nil {
		err = r.root.Close()
	}
	r.x.release()
	if r.tempDir != "" {
		if rerr := os.RemoveAll(r.tempDir); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// TaskTimes returns the task durations of each map stage, by stage ID.
func (r *Run) TaskTimes() map[int][]int64 {
	out := map[int][]int64{}
	for _, st := range r.stages {
		ts := make([]int64, len(st.TaskNanos))
		for i := range st.TaskNanos {
			ts[i] = st.TaskNanos[i].Load()
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		out[st.ID] = ts
	}
	return out
}

// Build compiles n and returns the whole query as one operator: Open runs
// the map stages, Next streams the result, Close releases everything. It
// is the entry point for callers that only want rows.
func Build(n plan.Node, env *exec.Env) (exec.Operator, error) {
	return BuildWith(n, env, Config{})
}

// BuildWith is Build with explicit planner settings.
func BuildWith(n plan.Node, env *exec.Env, cfg Config) (exec.Operator, error) {
	p, err := Compile(n, cfg, env.BatchSize)
	if err != nil {
		return nil, err
	}
	return &queryOp{plan: p, env: env}, nil
}

// queryOp adapts a Plan to the Operator contract.
type queryOp struct {
	plan *Plan
	env  *exec.Env
	run  *Run
}

func (q *queryOp) Schema() *arrow.Schema { return q.plan.Root.Schema() }

func (q *queryOp) Open(ctx context.Context) error {
	if q.run != nil {
		return errors.New("internal error: query opened twice")
	}
	r, err := q.plan.Start(ctx, q.env)
	if err != nil {
		return err
	}
	q.run = r
	return nil
}

func (q *queryOp) Next(ctx context.Context) (exec.Batch, error) {
	if q.run == nil {
		return exec.Batch{}, io.EOF
	}
	return q.run.Next(ctx)
}

func (q *queryOp) Close() error {
	if q.run == nil {
		return nil
	}
	return q.run.Close()
}
