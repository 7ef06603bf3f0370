package agg

import (
	"fmt"
	"math/bits"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec/hashtable"
	"github.com/grainql/grain/exec/mempool"
)

// consumer is the name of the aggregation's memory reservations.
const consumer = "hash aggregate"

// Memory accounting. Before a batch grows any state, the operator reserves
// an upper bound of what the state will hold afterwards; after the batch it
// resizes the reservation to what the state really holds. So the pool is
// asked before every allocation that grows with the input, and between
// batches the reservation tracks the state exactly.
//
// The bound for a hash table assumes its documented layout: 16-byte slots
// kept at most half full, doubling when full, plus the stored keys.

// slotBytes is the size of one hash table slot.
const slotBytes = 16

// slotsFor is the smallest slot count a table holding g groups can have.
func slotsFor(g int) int64 {
	if g <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(2*g-1))
}

// tableBound bounds the bytes t holds after inserting k more rows of the key
// columns cols: a doubled slot array if the new groups may need one, plus
// twice the key bytes of the rows (the stores grow by appending).
func tableBound(t *hashtable.Table, cols []arrow.Array, k int) int64 {
	g := t.Len()
	n := t.Bytes()
	if s := slotsFor(g + k); s > slotsFor(g) {
		n += s * slotBytes
	}
	var keys int64
	for _, c := range cols {
		keys += keyBytes(c, k)
	}
	return n + 2*keys
}

// keyBytes bounds the bytes a key store needs for k more rows of arr.
func keyBytes(arr arrow.Array, k int) int64 {
	switch arr.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		return int64(k)*8 + valueBytes[int32](arr)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return int64(k)*8 + valueBytes[int64](arr)
	}
	if fw, ok := arr.DataType().(arrow.FixedWidthDataType); ok {
		return int64(k) * int64(max(fw.BitWidth()/8, 1))
	}
	return int64(k) * 8
}

// budget is the aggregation's reservation, with the error wrapping of an
// unspillable consumer.
type budget struct {
	name string // consumer name, also the prefix of error messages
	res  *mempool.Reservation
}

// open registers the reservation with pool.
func (b *budget) open(pool mempool.Pool, name string) {
	b.name = name
	b.res = mempool.NewReservation(pool, name, false)
}

// peak is the reservation's high-water mark (0 before open).
func (b *budget) peak() int64 {
	if b.res == nil {
		return 0
	}
	return b.res.Peak()
}

// ensure raises the reservation to at least n bytes.
func (b *budget) ensure(n int64, what string) error {
	if grow := n - b.res.Size(); grow > 0 {
		if err := b.res.TryGrow(grow); err != nil {
			return fmt.Errorf("%s: %s: %w", b.name, what, err)
		}
	}
	return nil
}

// settle sets the reservation to the n bytes the state really holds. It
// only ever shrinks in practice (ensure reserved an upper bound), and a
// refused growth is reported like any other.
func (b *budget) settle(n int64) error {
	if err := b.res.Resize(n); err != nil {
		return fmt.Errorf("%s: %w", b.name, err)
	}
	return nil
}

// capFor returns the capacity the accumulators grow to when they must hold
// n groups and hold c now: at least double, so that growth is amortised.
func capFor(n, c int) int {
	if n <= c {
		return c
	}
	return max(n, 2*c)
}
