// Package exec runs Grain queries: batches, operators, kernels and the
// memory and metrics plumbing they share.
//
// A query runs as a tree of pull-based operators. Each call to Next moves one
// Batch (Arrow columns plus an optional selection vector) up the tree:
//
//	result ◄─ Project ◄─ HashAggregate ◄─ Filter ◄─ Scan ◄─ source.Split
//	            │             │ (breaker)     │
//	            │             └ reserves ─► mempool.Pool
//	            └ zero-copy         narrows Sel, no copy
//
// Stateless operators (filter, project, limit, union) never copy column data:
// filters narrow Batch.Sel and projections reuse columns. Pipeline breakers
// (hash build, sort, spill, result) compact live rows with Compact/Take.
//
// Package layout, following CockroachDB's split of contracts, operators and
// wiring:
//
//	exec            Batch, Operator, Selector, Env, Metrics, Take/Compact,
//	                scan and union operators
//	exec/mempool    memory pool and reservations (ErrMemoryLimit)
//	exec/hashtable  open-addressing key table shared by aggregation and joins
//	exec/eval       compiled vectorized expressions, Filter and Project
//	exec/agg        hash aggregation (single, partial, final) and DISTINCT
//	exec/join       hash join for every join type
//	exec/order      sort, top-k and limit
//
// Operators live in subpackages so that each can grow (spilling, parallel
// variants) without one package holding every algorithm; plan/physical wires
// them together. exec never imports plan.
//
// Ownership: Next hands the caller one reference to the batch's record; the
// caller releases it or passes it on. Every Arrow buffer is allocated from
// Env.Mem. Growing state reserves from Env.Pool before it grows and returns
// an error wrapping mempool.ErrMemoryLimit when refused.
package exec
