package join

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
)

// buildConsumer names the memory reservation of a build side; it appears in
// memory-limit errors.
const buildConsumer = "hash join build"

// Table is the build side of a hash join: built once, then read-only, so
// any number of probe operators on any goroutines may share it (the build
// side of a broadcast join). It holds
//
//   - a hashtable.Table mapping each distinct key to a dense group id (none
//     for a join without keys, where all rows form group 0);
//   - CSR offsets: the rows of group g sit at positions
//     offsets[g]..offsets[g+1]-1;
//   - the build columns copied into that CSR order (the payload), so a probe
//     gathers a group's rows from one contiguous run of each column.
//
// Rows whose keys contain NULL are stored like any other row: a probe that
// does not treat NULLs as equal never looks them up, and Right and Full
// joins still emit them as unmatched rows.
//
// A Table is reference counted. Build returns it with one reference; each
// probe operator takes one of its own (released in its Close), so the
// builder may Release its reference as soon as the probes exist. The last
// Release frees the payload and the memory reservation.
type Table struct {
	refs     atomic.Int32
	schema   *arrow.Schema
	keys     []int
	keyTypes []arrow.DataType
	ht       *hashtable.Table // nil without keys
	groups   int
	rows     int
	unique   bool          // every group holds exactly one row
	offsets  []int32       // groups+1 entries; nil for a keys-only table
	payload  []arrow.Array // build columns in CSR order; nil for a keys-only table
	res      *mempool.Reservation
}

// Build consumes the whole build (right) input into a Table: it opens
// build, drains it and closes it. keys are the key column indexes of the
// build input. Every byte the table holds is reserved in env.Pool under the
// consumer "hash join build" before it is allocated; when the pool refuses,
// Build releases everything and returns an error wrapping
// mempool.ErrMemoryLimit. An unsupported key type returns an error wrapping
// hashtable.ErrUnsupportedType, and more than 2^31-1 build rows an error
// wrapping ErrBuildTooLarge.
//
// Metrics: the "build rows" counter of m counts the build rows, and m's
// peak memory records the reservation's peak. m may be nil.
func Build(ctx context.Context, build exec.Operator, keys []int, env *exec.Env, m *exec.Metrics) (*Table, error) {
	return buildTable(ctx, build, keys, true, env, m)
}

// Retain adds a reference to t.
func (t *Table) Retain() { t.refs.Add(1) }

// Release drops a reference; the last one frees the payload columns and the
// memory reservation. Releasing a table that is already freed does nothing.
func (t *Table) Release() {
	for {
		n := t.refs.Load()
		if n <= 0 {
			return
		}
		if t.refs.CompareAndSwap(n, n-1) {
			if n == 1 {
				t.free()
			}
			return
		}
	}
}

// free releases everything the table holds.
func (t *Table) free() {
	for _, a := range t.payload {
		a.Release()
	}
	t.payload, t.offsets, t.ht = nil, nil, nil
	t.res.Free()
}

// Schema returns the schema of the build input.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Keys returns the key column indexes of the build input.
func (t *Table) Keys() []int { return t.keys }

// Rows returns the number of build rows.
func (t *Table) Rows() int { return t.rows }

// Groups returns the number of distinct build keys (NULL patterns
// included); a table without keys has one group when it has rows.
func (t *Table) Groups() int { return t.groups }

// Bytes returns the memory the table holds, as reserved in the pool.
func (t *Table) Bytes() int64 { return t.res.Size() }

// hasPayload reports whether the table holds the build columns (a table
// built for a Semi or Anti join without a residual holds only keys).
func (t *Table) hasPayload() bool { return t.payload != nil }
