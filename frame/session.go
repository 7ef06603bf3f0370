package frame

import (
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/mempool"
	"github.com/grainql/grain/io/memtable"
	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/physical"
)

// Session is the entry point of frame: it holds the configuration and owns
// the in-memory tables behind the DataFrames built from Go and Arrow data.
//
// Ownership: every source method (FromRecords, FromTable, FromColumns,
// FromStructs) turns its input into a table owned by the session. Records
// the caller passes in are retained, so the caller may release its own
// references at once; data built from Go values is allocated from the
// session's allocator. Close releases every table. DataFrames keep working
// until then, however many are derived from a source.
//
// A Session is safe for concurrent use: several goroutines may build
// DataFrames and run actions at the same time.
type Session struct {
	cfg Config
	err error // first invalid option, reported by every DataFrame

	mu      sync.Mutex
	tables  []*memtable.Table
	nextID  int
	active  int  // running actions and open streams
	closed  bool // Close was called
	release bool // tables were released

	// queryDone, when set (by tests), sees each query's pool after the
	// query closed.
	queryDone func(mempool.Pool)
}

// NewSession returns a session configured by opts, applied in order.
//
// An invalid option value does not make NewSession fail: the error is kept,
// returned by Err, and returned by every action of every DataFrame of the
// session (wrapping ErrInvalidOption). This keeps the common call a single
// expression, s := frame.NewSession(...), while never running a query with
// a configuration the caller did not ask for. Check s.Err() to fail early.
func NewSession(opts ...Option) *Session {
	s := &Session{cfg: defaultConfig()}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s.cfg); err != nil && s.err == nil {
			s.err = &StepError{Step: "NewSession", Err: err}
		}
	}
	s.cfg.finish()
	return s
}

// Err returns the first invalid option given to NewSession, or nil.
func (s *Session) Err() error { return s.err }

// Config returns the session's configuration, defaults filled in.
func (s *Session) Config() Config { return s.cfg }

// Close releases the tables of every DataFrame built from the session. If
// actions are still running or RecordStreams are still open, the release
// waits for the last of them to finish; it never pulls data from under a
// running query. After Close, new sources and actions return an error
// wrapping ErrSessionClosed. Close is idempotent and returns nil.
func (s *Session) Close() error {
	s.mu.Lock()
	s.closed = true
	tables := s.takeTablesLocked()
	s.mu.Unlock()
	for _, t := range tables {
		t.Release()
	}
	return nil
}

// takeTablesLocked hands over the tables to release when the session is
// closed and idle, and nothing otherwise.
func (s *Session) takeTablesLocked() []*memtable.Table {
	if !s.closed || s.active > 0 || s.release {
		return nil
	}
	s.release = true
	t := s.tables
	s.tables = nil
	return t
}

// addTable registers a table built from recs and returns a scan of it,
// qualified by the table's generated name ("df1", "df2"…).
func (s *Session) addTable(schema *arrow.Schema, recs []arrow.Record) (plan.Node, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrSessionClosed
	}
	s.nextID++
	name := fmt.Sprintf("df%d", s.nextID)
	t, err := memtable.New(name, schema, recs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	scan, err := plan.NewScan(t, name)
	if err != nil {
		t.Release()
		return nil, err
	}
	s.tables = append(s.tables, t)
	return scan, nil
}

// begin registers a running query and returns its environment: the
// session's allocator, a fresh pool per query and the batch size.
func (s *Session) begin() (*exec.Env, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrSessionClosed
	}
	s.active++
	pool := mempool.NewUnbounded()
	if s.cfg.MemoryLimit > 0 {
		pool = mempool.NewGreedy(s.cfg.MemoryLimit)
	}
	return exec.NewEnv(s.cfg.Allocator, pool, s.cfg.BatchSize), nil
}

// end unregisters a query begun with begin, releasing the tables when it
// was the last one of a closed session.
func (s *Session) end(env *exec.Env) {
	if s.queryDone != nil {
		s.queryDone(env.Pool)
	}
	s.mu.Lock()
	s.active--
	tables := s.takeTablesLocked()
	s.mu.Unlock()
	for _, t := range tables {
		t.Release()
	}
}

// plannerConfig is the part of the configuration the physical planner uses.
func (s *Session) plannerConfig() physical.Config {
	bt := s.cfg.BroadcastThreshold
	if bt == 0 {
		bt = -1 // the planner reads 0 as "default"; a 0-byte threshold broadcasts nothing
	}
	return physical.Config{
		Parallelism:        s.cfg.Parallelism,
		ShufflePartitions:  s.cfg.ShufflePartitions,
		BroadcastThreshold: bt,
	}
}
