package eval

import (
	"fmt"
	"math"

	"github.com/grainql/grain/expr"
)

// strBuilder writes a string vec row by row into reusable buffers. Rows
// must be written in increasing order; rows skipped (dead or NULL) become
// empty strings so the offsets stay monotonic.
type strBuilder struct {
	offs scratch
	o    []int32
	data []byte
	next int // first row whose end offset is not written yet
}

// reset prepares for n rows.
func (s *strBuilder) reset(n int) {
	s.o = s.offs.int32s(n + 1)
	s.o[0] = 0
	s.data = s.data[:0]
	s.next = 0
}

// start pads the rows before i; the caller then appends row i to s.data
// and calls commit(i).
func (s *strBuilder) start(i int) {
	end := int32(len(s.data))
	for ; s.next < i; s.next++ {
		s.o[s.next+1] = end
	}
}

// commit ends row i.
func (s *strBuilder) commit(i int) {
	s.o[i+1] = int32(len(s.data))
	s.next = i + 1
}

// add writes row i.
func (s *strBuilder) add(i int, b []byte) {
	s.start(i)
	s.data = append(s.data, b...)
	s.commit(i)
}

// finish pads up to n rows and stores the result in v (keeping v's
// validity). It fails when the batch's strings exceed 2 GiB.
func (s *strBuilder) finish(v *vec, n int) error {
	if len(s.data) > math.MaxInt32 {
		return fmt.Errorf("%w: string result of %d bytes exceeds 2 GiB", expr.ErrOverflow, len(s.data))
	}
	s.start(n)
	v.offs, v.data = s.o[:n+1], s.data
	return nil
}
