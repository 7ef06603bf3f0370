package mempool

// fairSpillPool shares the room left by unspillable reservations equally
// among the spillable ones.
type fairSpillPool struct {
	core
	limit int64
}

var _ Pool = (*fairSpillPool)(nil)

// NewFairSpill returns a pool modelled on DataFusion's FairSpillPool:
//
//   - An unspillable reservation (a hash table that must stay whole, a
//     broadcast build side) takes what it needs while the pool has room.
//   - A spillable reservation (sort buffer, spilling aggregation, shuffle
//     block) may hold at most its fair share,
//     (limit - unspillable bytes) / number of live spillable reservations.
//
// The share shrinks as spillable reservations register and as unspillable
// ones grow, so a spillable operator that finds itself above its share is
// refused on its next TryGrow and spills; the share grows back as others
// Free. Every spillable reservation counts from NewReservation until Free,
// whether or not it holds bytes, as in DataFusion.
//
// Unlike DataFusion, a spillable request must also fit under the limit: a
// reservation that registers late is refused, though still under its
// share, while earlier ones hold more than theirs; they spill on their next
// request. So Reserved never exceeds the limit. A spillable operator whose
// reservation holds nothing when refused has nothing to spill and returns
// the error.
//
// A negative limit counts as 0: such a pool refuses every non-zero request.
func NewFairSpill(limit int64) Pool { return &fairSpillPool{limit: max(limit, 0)} }

// TryGrow implements Pool.
func (p *fairSpillPool) TryGrow(r *Reservation, n int64) error { return p.grow(p, r, n, false) }

// Limit implements Pool.
func (p *fairSpillPool) Limit() int64 { return p.limit }

// admit implements Pool.
func (p *fairSpillPool) admit(r *Reservation, n int64) (int64, bool) {
	free := p.limit - p.reserved.Load()
	if !r.spillable {
		return 0, n <= free
	}
	// r is live and spillable, so numSpillable >= 1.
	share := (p.limit - p.unspillable) / int64(p.numSpillable)
	return share, n <= free && n <= share-r.size.Load()
}
