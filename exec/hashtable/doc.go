// Package hashtable maps keys of one or more Arrow columns to dense group
// ids. It is the shared core of hash aggregation, DISTINCT and hash joins,
// and supplies the row hash of the shuffle partitioner (HashRows).
//
// A Table is an open-addressing array of 16-byte slots (linear probing, at
// most 1/8 full while the array is small and cache-resident, at most 1/2
// full beyond 2 MiB), plus the distinct keys stored column by column in
// group-id order:
//
//	slots                        key stores, one per column, by group id
//	+-------------+--------+     +--------------+  +-------------------------+
//	| key or hash | id + 1 | --> | []T + nulls  |  | offsets + bytes + nulls |
//	+-------------+--------+     +--------------+  +-------------------------+
//	|      0      |   0    |     (empty slot)
//	+-------------+--------+
//
// Two layouts share that slot array:
//
//   - fast path, for a single fixed-width key column (integers, floats,
//     bool, dates, timestamps): the slot holds the key bits, so a probe
//     compares one word and never reads the key store;
//   - general path, for several columns or string/binary keys: the slot
//     holds a 64-bit row hash and keys are compared column by column only
//     when hashes match.
//
// Work is done a batch at a time: hash every live row first, then probe, so
// the hashing loops are tight typed loops and the probe loop overlaps its
// cache misses. Integers hash with the fmix64 mixer and bytes with xxhash.
// All per-batch buffers live in the table and are reused, so steady-state
// inserts allocate nothing; the table grows by doubling.
//
// Key semantics: null equals null (one group), all NaNs are equal, -0 equals
// +0, everything else compares exactly. Joins, where null never matches,
// filter rows with NonNullRows first.
//
// Ownership: arrays passed to Insert, Lookup and HashRows are only read
// during the call. Keys allocates new arrays from the caller's allocator;
// the caller releases them. A Table holds no Go pointers per group, so GC
// marking cost does not grow with the number of groups.
package hashtable
