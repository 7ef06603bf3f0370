package exec

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRunStagesRespectsDependencies(t *testing.T) {
	var mu sync.Mutex
	var order []string
	record := func(name string) func(context.Context, int) error {
		return func(context.Context, int) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	a := &Stage{ID: 0, Name: "a", Tasks: 3, Run: record("a")}
	b := &Stage{ID: 1, Name: "b", Tasks: 2, Run: record("b")}
	finished := false
	c := &Stage{ID: 2, Name: "c", Tasks: 1, Deps: []*Stage{a, b}, Run: record("c"),
		Finish: func(context.Context) error { finished = true; return nil }}
	empty := &Stage{ID: 3, Name: "empty", Tasks: 0, Deps: []*Stage{c},
		Finish: func(context.Context) error { order = append(order, "empty-finish"); return nil }}
	for _, p := range []int{1, 2, 4} {
		order = nil
		require.NoError(t, RunStages(context.Background(), []*Stage{a, b, c, empty}, p))
		require.Len(t, order, 7)
		require.Equal(t, "c", order[5], "c runs after all of a and b")
		require.Equal(t, "empty-finish", order[6])
		require.True(t, finished)
		for i := range a.TaskNanos {
			require.Positive(t, a.TaskNanos[i].Load())
		}
	}
}

func TestRunStagesRunsIndependentStagesConcurrently(t *testing.T) {
	// Two independent single-task stages that each wait for the other to
	// start can only finish when they run at the same time.
	var started sync.WaitGroup
	started.Add(2)
	wait := func(ctx context.Context, _ int) error {
		started.Done()
		done := make(chan struct{})
		go func() { started.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("stages did not overlap")
		}
	}
	err := RunStages(context.Background(), []*Stage{
		{ID: 0, Name: "x", Tasks: 1, Run: wait},
		{ID: 1, Name: "y", Tasks: 1, Run: wait},
	}, 2)
	require.NoError(t, err)
}

func TestRunStagesFirstErrorCancelsTheRest(t *testing.T) {
	boom := errors.New("boom")
	var started, cancelled atomic.Int32
	slow := &Stage{ID: 0, Name: "slow", Tasks: 8, Run: func(ctx context.Context, task int) error {
		if task == 0 {
			return boom
		}
		started.Add(1)
		select {
		case <-ctx.Done():
			cancelled.Add(1)
			return ctx.Err()
		case <-time.After(time.Minute):
			return errors.New("not cancelled")
		}
	}}
	next := &Stage{ID: 1, Name: "next", Tasks: 1, Deps: []*Stage{slow}, Run: func(context.Context, int) error {
		t.Error("a stage after a failed one must not run")
		return nil
	}}
	err := RunStages(context.Background(), []*Stage{slow, next}, 2)
	require.ErrorIs(t, err, boom)
	var se *StageError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 0, se.Task)
	require.Contains(t, err.Error(), "stage 0 (slow) task 0: boom")
	require.Equal(t, started.Load(), cancelled.Load(), "every task that started was cancelled")
	require.Less(t, started.Load(), int32(7), "tasks queued after the failure did not start")
}

func TestRunStagesTurnsPanicsIntoErrors(t *testing.T) {
	err := RunStages(context.Background(), []*Stage{{ID: 4, Name: "p", Tasks: 2, Run: func(_ context.Context, task int) error {
		if task == 1 {
			var m map[string]int
			m["x"] = 1 // nil map write panics
		}
		return nil
	}}}, 2)
	require.ErrorIs(t, err, ErrTaskPanic)
	require.Contains(t, err.Error(), "stage 4 (p) task 1")

	err = RunStages(context.Background(), []*Stage{{ID: 5, Name: "f", Tasks: 1,
		Run:    func(context.Context, int) error { return nil },
		Finish: func(context.Context) error { panic("finish") }}}, 1)
	require.ErrorIs(t, err, ErrTaskPanic)
	require.Contains(t, err.Error(), "stage 5 (f) finish")
}

func TestRunStagesStopsOnCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{}, 16)
	st := &Stage{ID: 0, Name: "wait", Tasks: 16, Run: func(ctx context.Context, _ int) error {
		running <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}}
	go func() { <-running; cancel() }()
	err := RunStages(ctx, []*Stage{st}, 2)
	require.ErrorIs(t, err, context.Canceled)
}
