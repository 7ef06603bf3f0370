package order

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
)

// run is a sorted run held in memory: a record and the order of its rows,
// of which perm[pos:end] are still to be emitted. Output batches are
// gathered from it with exec.TakeRecord, batchSize rows at a time.
//
// When external sorting arrives, runs written to disk and read back will
// sit beside this one under a k-way merge.
type run struct {
	rec  arrow.Record
	perm []int32
	pos  int
	end  int
}

// next gathers the next batch of at most batchSize rows. It returns nil at
// the end of the run.
func (r *run) next(env *exec.Env) (arrow.Record, error) {
	if r.pos >= r.end {
		return nil, nil
	}
	hi := min(r.pos+env.BatchSize, r.end)
	out, err := exec.TakeRecord(env.Mem, r.rec, r.perm[r.pos:hi])
	if err != nil {
		return nil, err
	}
	r.pos = hi
	return out, nil
}

// done reports whether every row has been emitted.
func (r *run) done() bool { return r.pos >= r.end }

// release drops the run's record. It is idempotent.
func (r *run) release() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
	r.perm = nil
	r.pos, r.end = 0, 0
}
