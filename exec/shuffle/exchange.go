package shuffle

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/spill"
)

// maxPartitions bounds Config.Partitions (partition ids are stored as
// uint32, and every map writer keeps per-partition state).
const maxPartitions = 1 << 20

// maxMapTasks bounds map task ids, so a bad id cannot allocate a huge slot
// table.
const maxMapTasks = 1 << 24

// Config describes one exchange.
type Config struct {
	// Partitions is the number of reducer partitions R (at least 1). With 1
	// the exchange is a gather: every row goes to partition 0, in map task
	// order and, within a map task, in write order.
	Partitions int
	// Keys are the hash key columns. A row goes to partition
	// Partition(hashtable.HashRows(keys), R), the hash every hash exchange
	// and hash table of the engine uses, so co-partitioned inputs line up.
	// Empty means round-robin: map task m sends its i-th row to partition
	// (m + i) mod R.
	Keys []int
	// Schema is the schema of every batch written and read.
	Schema *arrow.Schema
	// Name names the exchange in reservations, errors, file names and
	// metrics, e.g. "exchange 3".
	Name string
	// MapTasks is the number of map tasks, when known. FinishMap then
	// requires exactly tasks 0..MapTasks-1 to have closed their writers.
	// With 0, whichever tasks asked for a writer must have closed it, and
	// tasks that never asked count as empty.
	MapTasks int
}

// Partition returns the reducer partition of a row whose key hashes to
// hash, out of n partitions: hash mod n. Planners and tests use it to
// predict where an exchange sends a row.
func Partition(hash uint64, n int) int { return int(hash % uint64(n)) }

// Exchange is a hash-partitioned (or round-robin) exchange between a map
// stage of M tasks and a reduce stage of R partitions, held in memory and
// spilled to disk under memory pressure.
//
// Call order: New; each map task m gets Writer(m), writes batches and
// closes it (concurrently with other tasks); FinishMap (or the first
// reader's Open) checks that every map task is done; readers (Reader,
// ReaderRange, ReaderMapRange) stream the partitions, each (partition, map
// task) cell at most once; Release frees whatever is left. Release is
// idempotent and is called on success, error and cancellation alike.
//
// Concurrency: Writer, FinishMap, Stats, Spill and Release are safe for
// concurrent use. Each Writer serves one goroutine; each reader is an
// exec.Operator used by one goroutine, and readers over different cells
// run concurrently.
type Exchange struct {
	cfg    Config
	env    *exec.Env
	prefix string // spill file name prefix

	mu       sync.Mutex
	writers  []*Writer // current attempt of each map task, or nil
	files    map[*spillFile]struct{}
	sealed   bool
	mapTasks int // map tasks read, fixed by FinishMap

	released atomic.Bool

	// Exchange-wide counters (per-partition ones live in the writers).
	spills        atomic.Int64
	spilledBytes  atomic.Int64
	spilledBlocks atomic.Int64
	spilledRows   atomic.Int64
}

// New validates cfg against env and returns an empty exchange. env.SpillDir
// must be set: spill files are created there and removed by Release (or as
// soon as every reader of them is done).
func New(cfg Config, env *exec.Env) (*Exchange, error) {
	if cfg.Name == "" {
		cfg.Name = "exchange"
	}
	if env == nil || env.Mem == nil || env.Pool == nil {
		return nil, fmt.Errorf("internal error: shuffle %s: env without allocator or pool", cfg.Name)
	}
	if env.SpillDir == "" {
		return nil, fmt.Errorf("shuffle %s: %w", cfg.Name, ErrNoSpillDir)
	}
	if err := checkConfig(cfg, env); err != nil {
		return nil, fmt.Errorf("shuffle %s: %w", cfg.Name, err)
	}
	cfg.Keys = append([]int(nil), cfg.Keys...)
	if env.BatchSize <= 0 {
		e := *env
		e.BatchSize = exec.DefaultBatchSize
		env = &e
	}
	return &Exchange{cfg: cfg, env: env, prefix: filePrefix(cfg.Name), files: make(map[*spillFile]struct{})}, nil
}

// checkConfig checks the partition count, the column types (Take and the
// spill format must support them) and the keys (in range, hashable).
func checkConfig(cfg Config, env *exec.Env) error {
	if cfg.Partitions < 1 || cfg.Partitions > maxPartitions {
		return fmt.Errorf("%d partitions: %w", cfg.Partitions, ErrInvalidConfig)
	}
	if cfg.MapTasks < 0 || cfg.MapTasks > maxMapTasks {
		return fmt.Errorf("%d map tasks: %w", cfg.MapTasks, ErrInvalidConfig)
	}
	if cfg.Schema == nil {
		return fmt.Errorf("no schema: %w", ErrInvalidConfig)
	}
	empty := make([]arrow.Array, cfg.Schema.NumFields())
	defer func() {
		for _, a := range empty {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, f := range cfg.Schema.Fields() {
		if err := spill.CheckType(f.Type); err != nil {
			return fmt.Errorf("column %q: %v: %w", f.Name, err, ErrInvalidConfig)
		}
		empty[i] = array.MakeArrayOfNull(env.Mem, f.Type, 0)
		taken, err := exec.Take(env.Mem, empty[i], nil)
		if err != nil {
			return fmt.Errorf("column %q: %v: %w", f.Name, err, ErrInvalidConfig)
		}
		taken.Release()
	}
	keys := make([]arrow.Array, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if k < 0 || k >= len(empty) {
			return fmt.Errorf("key column %d of %d: %w", k, len(empty), ErrInvalidConfig)
		}
		keys[i] = empty[k]
	}
	if len(keys) > 0 {
		if _, err := hashtable.HashRows(keys, nil, 0, nil); err != nil {
			return fmt.Errorf("keys: %v: %w", err, ErrInvalidConfig)
		}
	}
	return nil
}

// filePrefix turns an exchange name into a safe file name prefix.
func filePrefix(name string) string {
	b := []byte("shuffle-")
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b = append(b, c)
		default:
			b = append(b, '_')
		}
	}
	return string(b)
}

// Schema returns the exchange's schema.
func (x *Exchange) Schema() *arrow.Schema { return x.cfg.Schema }

// Partitions returns the number of reducer partitions.
func (x *Exchange) Partitions() int { return x.cfg.Partitions }

// Writer returns the map-side writer of map task mapTask (0-based). Each
// call starts a new attempt: if the task already had a writer, that
// attempt's output is discarded (its memory freed, its spill files
// removed) and its writer answers ErrWriterDone, so a scheduler retries a
// failed task by calling Writer again. A bad task id, or a call after
// FinishMap or Release, returns a writer whose Write and Close fail with
// the reason.
func (x *Exchange) Writer(mapTask int) *Writer {
	x.mu.Lock()
	var err error
	switch {
	case x.released.Load():
		err = ErrReleased
	case x.sealed:
		err = fmt.Errorf("map side already finished: %w", ErrWriterDone)
	case mapTask < 0 || mapTask >= maxMapTasks || (x.cfg.MapTasks > 0 && mapTask >= x.cfg.MapTasks):
		err = fmt.Errorf("map task %d: %w", mapTask, ErrInvalidConfig)
	}
	if err != nil {
		x.mu.Unlock()
		return &Writer{x: x, task: mapTask, err: fmt.Errorf("shuffle %s: map task %d: %w", x.cfg.Name, mapTask, err)}
	}
	for len(x.writers) <= mapTask {
		x.writers = append(x.writers, nil)
	}
	old := x.writers[mapTask]
	w := newWriter(x, mapTask)
	x.writers[mapTask] = w
	x.mu.Unlock()
	if old != nil {
		old.Abort()
	}
	return w
}

// FinishMap checks that the map side is complete and freezes it: every map
// task that asked for a writer (or, with Config.MapTasks, each of tasks
// 0..MapTasks-1) must have closed it; otherwise it returns an error
// wrapping ErrMapNotDone and changes nothing. After it succeeds, Writer
// returns only failing writers. Readers call it on Open; the scheduler may
// call it first to fail fast. It is idempotent.
func (x *Exchange) FinishMap() error {
	x.mu.Lock()
	if x.released.Load() {
		x.mu.Unlock()
		return fmt.Errorf("shuffle %s: %w", x.cfg.Name, ErrReleased)
	}
	if x.sealed {
		x.mu.Unlock()
		return nil
	}
	m := len(x.writers)
	if x.cfg.MapTasks > 0 {
		m = x.cfg.MapTasks
	}
	for i := range m {
		var w *Writer
		if i < len(x.writers) {
			w = x.writers[i]
		}
		switch {
		case w == nil && x.cfg.MapTasks == 0:
			continue
		case w == nil:
			x.mu.Unlock()
			return fmt.Errorf("shuffle %s: map task %d never wrote: %w", x.cfg.Name, i, ErrMapNotDone)
		case w.state.Load() != stateClosed:
			x.mu.Unlock()
			return fmt.Errorf("shuffle %s: map task %d is %s: %w", x.cfg.Name, i, stateName(w.state.Load()), ErrMapNotDone)
		}
	}
	x.sealed = true
	x.mapTasks = m
	writers := x.liveWriters()
	x.mu.Unlock()
	// Writers that hold nothing leave the pool now, so they no longer
	// shrink other consumers' fair shares during the reduce stage.
	for _, w := range writers {
		w.freeIfEmpty()
	}
	return nil
}

// liveWriters returns the current writers (no nil slots). Called with x.mu
// held.
func (x *Exchange) liveWriters() []*Writer {
	out := make([]*Writer, 0, len(x.writers))
	for _, w := range x.writers {
		if w != nil {
			out = append(out, w)
		}
	}
	return out
}

// snapshot returns the current writers under the lock.
func (x *Exchange) snapshot() []*Writer {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.liveWriters()
}

// Release frees everything the exchange still holds: buffered and unread
// blocks, reservations and spill files. It is idempotent and safe to call
// concurrently with anything else; afterwards writes and reads fail with
// ErrReleased (a reader's Close still works, and must still be called).
func (x *Exchange) Release() {
	x.mu.Lock()
	if x.released.Swap(true) {
		x.mu.Unlock()
		return
	}
	writers := x.liveWriters()
	files := x.files
	x.files = nil
	x.mu.Unlock()
	for _, w := range writers {
		w.discard(stateReleased)
	}
	for sf := range files {
		_ = sf.file.Remove()
	}
}

// Spill writes every in-memory block of the closed map tasks to disk and
// frees their reservations, returning the bytes freed. The scheduler can
// call it when a later stage needs the memory the exchange holds (the pool
// cannot ask consumers to spill). Open map writers spill only themselves,
// when their own reservation is refused.
func (x *Exchange) Spill() (int64, error) {
	freed := int64(0)
	for _, w := range x.snapshot() {
		n, err := w.spillIfClosed()
		freed += n
		if err != nil {
			return freed, err
		}
	}
	return freed, nil
}
