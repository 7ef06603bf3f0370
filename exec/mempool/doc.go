// Package mempool is Grain's query-wide memory budget, modelled on
// DataFusion's MemoryPool and MemoryReservation.
//
// A query owns one Pool. Every piece of state that grows with its input
// (hash tables, sort buffers, join build sides, exchange queues and shuffle
// blocks, cached batches) owns a named Reservation in that pool and reserves
// bytes before it grows. When the pool refuses, a spillable operator spills
// and retries; anything else returns the error, which names the consumer and
// the largest consumers at that moment. Nothing panics at the limit.
//
// # Ownership
//
// The pool belongs to the query; each reservation belongs to the operator
// (or exchange, or cache entry) that created it, which frees it in Close.
//
//	query (frame) ── creates ──► Pool (Unbounded | Greedy | FairSpill), limit L
//	   │                           ▲ TryGrow / Shrink / Free
//	   │                           │
//	   ├─ stage 1, task p ──► "hash aggregate[p]"   spillable    (group table)
//	   ├─ stage 1, task p ──► "shuffle write[p]"    spillable    (buffered blocks)
//	   ├─ stage 2         ──► "hash join build"     unspillable  (broadcast table)
//	   ├─ stage 2, task p ──► "sort[p]"             spillable    (run buffer)
//	   └─ cache/persist   ──► "cache <name>"        spillable    (materialized batches)
//
// Streaming operators (scan, filter, project, probe) hold one batch at a time
// and reserve nothing. The Arrow bytes themselves come from the query's
// memory.Allocator; a CountingAllocator around it measures live and peak
// bytes for metrics and for the leak check at the end of a query.
//
// # Pools
//
//   - NewUnbounded grants everything and only keeps the books.
//   - NewGreedy grants first come, first served up to the limit.
//   - NewFairSpill lets unspillable reservations take what they need and
//     splits the rest equally among spillable ones, so two sorts running at
//     once each get half instead of the first one starving the second.
//
// All three keep Reserved, Peak and a Consumers snapshot, and never let
// Reserved exceed the limit.
//
// # Headroom
//
// The limit covers only what operators reserve, and reservations are
// estimates: Go's heap keeps garbage until the next collection (GOGC), slices
// grow by doubling, and small state is never reserved. Give the pool about
// 90% of the memory you mean the query to use and keep ~10% headroom, the
// trade-off DataFusion recommends. Set GOMEMLIMIT above the pool's limit so
// the collector works harder before the process runs out.
//
// # How operators use it
//
//	res := mempool.NewReservation(env.Pool, "sort[p3]", true)
//	defer res.Free() // in Close
//
//	for {
//		err := res.TryGrow(need)
//		if err == nil {
//			break // grow the buffer now
//		}
//		if !errors.Is(err, mempool.ErrMemoryLimit) || res.Size() == 0 {
//			return fmt.Errorf("sort: grow buffer: %w", err) // nothing to spill
//		}
//		if err := op.spill(); err != nil { // writes a run, then res.Resize(0)
//			return err
//		}
//	}
//
// An unspillable operator returns the error at once, wrapped with its
// context. The wrapped *LimitError keeps the details for errors.As; its
// message reads, for example:
//
//	memory limit exceeded: "hash aggregate" asked for 1.0 MiB with 7.5 MiB of 8.0 MiB reserved; top consumers: "hash join build" 4.0 MiB, "sort" 3.5 MiB
//
// Reserve in large steps (a doubling table, a 64K-row block), not per row:
// each call takes the pool's lock briefly, and a refusal scans the live
// reservations to name the top consumers.
package mempool
