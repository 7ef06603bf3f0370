package shuffle

import "errors"

// ErrInvalidConfig reports a Config the exchange cannot run: no partitions,
// a key out of range or of a type rows cannot be hashed by, an unsupported
// column type, a bad map task or partition range.
var ErrInvalidConfig = errors.New("invalid exchange config")

// ErrNoSpillDir reports an Env without a spill directory. The scheduler
// creates one per query and sets Env.SpillDir before building exchanges.
var ErrNoSpillDir = errors.New("exchange needs a spill directory (env.SpillDir is empty)")

// ErrSchemaMismatch reports a batch whose columns do not have the types of
// the exchange's schema.
var ErrSchemaMismatch = errors.New("batch does not match the exchange schema")

// ErrWriterDone reports a Write or Close on a map writer that can take no
// more rows: it was closed, aborted, replaced by a new attempt of its map
// task, or created after the map side was finished.
var ErrWriterDone = errors.New("map writer is done")

// ErrMapNotDone reports a read (or FinishMap) before every map task has
// closed its writer.
var ErrMapNotDone = errors.New("map side not finished")

// ErrConsumed reports a second reader over a (partition, map task) cell
// that another reader has already claimed: each cell is read once, and its
// blocks are freed as they are read.
var ErrConsumed = errors.New("shuffle partition already read")

// ErrReleased reports use of an exchange after Release.
var ErrReleased = errors.New("exchange released")
