package exec

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Stage is one step of a query's stage DAG: Tasks independent tasks (one
// per partition) that may start once every stage in Deps has finished. A
// stage ends at an exchange (shuffle write, broadcast build) or at the
// result.
//
//	stage 0 (scan fact, partial agg) ─┐ shuffle
//	stage 1 (scan dim)  ─ broadcast ──┼─► stage 2 (join, final agg) ─► result
//
// Run executes one task to completion. Finish, when set, runs once after
// every task succeeded (a broadcast stage builds its hash table there).
// Stages are created by the physical planner; RunStages owns their
// goroutines.
type Stage struct {
	ID     int
	Name   string
	Tasks  int
	Deps   []*Stage
	Run    func(ctx context.Context, task int) error
	Finish func(ctx context.Context) error

	// TaskNanos holds the wall time of each finished task, for EXPLAIN
	// ANALYZE (min/median/max) and straggler detection.
	TaskNanos []atomic.Int64
}

// StageError reports the failure of one task. It wraps the task's error.
type StageError struct {
	Stage *Stage
	Task  int
	Err   error
}

func (e *StageError) Error() string {
	if e.Task < 0 {
		return fmt.Sprintf("stage %d (%s) finish: %v", e.Stage.ID, e.Stage.Name, e.Err)
	}
	return fmt.Sprintf("stage %d (%s) task %d: %v", e.Stage.ID, e.Stage.Name, e.Task, e.Err)
}

// Unwrap returns the task's error.
func (e *StageError) Unwrap() error { return e.Err }

// ErrTaskPanic is wrapped by the error of a task that panicked. The process
// survives; the panic value and stack are in the message.
var ErrTaskPanic = errors.New("task panicked")

// RunStages runs stages in dependency order on parallelism worker
// goroutines; stages whose dependencies are met run concurrently. The first
// failing task cancels every other task and its error is returned (as a
// *StageError). RunStages returns only when every goroutine it started has
// exited.
func RunStages(ctx context.Context, stages []*Stage, parallelism int) error {
	if len(stages) == 0 {
		return nil
	}
	if parallelism < 1 {
		parallelism = 1
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s := newScheduler(stages)
	tasks := make(chan taskRef)
	var wg sync.WaitGroup
	for w := 0; w < parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tasks {
				err := runTask(ctx, t)
				s.done(ctx, t, err, cancel)
			}
		}()
	}
	s.dispatch(ctx, tasks)
	close(tasks)
	wg.Wait()
	if err := s.firstErr(); err != nil {
		return err
	}
	return context.Cause(ctx)
}

type taskRef struct {
	stage *Stage
	task  int
}

// runTask runs one task, turning a panic into an error. The pseudo-task -1
// of a stage without tasks does nothing; its Finish runs in done.
func runTask(ctx context.Context, t taskRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.task < 0 {
		return nil
	}
	start := time.Now()
	err := protect(func() error { return t.stage.Run(ctx, t.task) })
	t.stage.TaskNanos[t.task].Store(int64(time.Since(start)))
	return err
}

// protect calls f, turning a panic into an error wrapping ErrTaskPanic.
func protect(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v\n%s", ErrTaskPanic, r, debug.Stack())
		}
	}()
	return f()
}

// scheduler tracks which stages are ready and which tasks remain.
type scheduler struct {
	mu        sync.Mutex
	cond      *sync.Cond
	remaining map[*Stage]int // tasks not yet finished
	waiting   map[*Stage]int // unfinished dependencies
	children  map[*Stage][]*Stage
	ready     []taskRef
	stagesOut int // stages not yet finished
	err       error
}

func newScheduler(stages []*Stage) *scheduler {
	s := &scheduler{
		remaining: map[*Stage]int{},
		waiting:   map[*Stage]int{},
		children:  map[*Stage][]*Stage{},
		stagesOut: len(stages),
	}
	s.cond = sync.NewCond(&s.mu)
	for _, st := range stages {
		st.TaskNanos = make([]atomic.Int64, st.Tasks)
		s.remaining[st] = st.Tasks
		s.waiting[st] = len(st.Deps)
		for _, d := range st.Deps {
			s.children[d] = append(s.children[d], st)
		}
	}
	for _, st := range stages {
		if len(st.Deps) == 0 {
			s.enqueue(st)
		}
	}
	return s
}

// enqueue makes a stage's tasks ready; a stage with no tasks finishes at
// once. Called with mu held (or before workers start).
func (s *scheduler) enqueue(st *Stage) {
	if st.Tasks == 0 && st.Finish == nil {
		s.stageDone(st)
		return
	}
	if st.Tasks == 0 {
		// A pseudo-task lets the Finish hook run on a worker.
		s.remaining[st] = 1
		s.ready = append(s.ready, taskRef{st, -1})
		return
	}
	for i := 0; i < st.Tasks; i++ {
		s.ready = append(s.ready, taskRef{st, i})
	}
}

// dispatch feeds ready tasks to the workers until every stage finished or
// an error stopped the query.
func (s *scheduler) dispatch(ctx context.Context, tasks chan<- taskRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for len(s.ready) == 0 && s.stagesOut > 0 && s.err == nil {
			s.cond.Wait()
		}
		if s.stagesOut == 0 || s.err != nil {
			return
		}
		t := s.ready[0]
		s.ready = s.ready[1:]
		s.mu.Unlock()
		select {
		case tasks <- t:
		case <-ctx.Done():
		}
		s.mu.Lock()
		if ctx.Err() != nil && s.err == nil {
			s.err = ctx.Err()
		}
	}
}

// done records a finished task. The last task of a stage runs the stage's
// Finish (outside the lock, on the worker's goroutine) and then releases
// the stages that waited on it.
func (s *scheduler) done(ctx context.Context, t taskRef, err error, cancel context.CancelCauseFunc) {
	s.mu.Lock()
	if err == nil {
		s.remaining[t.stage]--
		last := s.remaining[t.stage] == 0 && s.err == nil
		s.mu.Unlock()
		if !last {
			return
		}
		err = finish(ctx, t.stage)
		s.mu.Lock()
		if err == nil {
			s.stageDone(t.stage)
		} else {
			t.task = -1
		}
	}
	if err != nil && s.err == nil {
		s.err = &StageError{Stage: t.stage, Task: t.task, Err: err}
		cancel(s.err)
	}
	s.cond.Broadcast()
	s.mu.Unlock()
}

// finish runs a stage's Finish hook, turning a panic into an error.
func finish(ctx context.Context, st *Stage) (err error) {
	if st.Finish == nil {
		return nil
	}
	return protect(func() error { return st.Finish(ctx) })
}

// stageDone marks a stage finished and readies the stages that waited on
// it. Called with mu held.
func (s *scheduler) stageDone(st *Stage) {
	s.stagesOut--
	for _, c := range s.children[st] {
		s.waiting[c]--
		if s.waiting[c] == 0 {
			s.enqueue(c)
		}
	}
}

func (s *scheduler) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
