// Package sketch counts distinct values for the statistics of Grain's
// sources: hashing Arrow columns, counting their distinct hashes in
// bounded memory, and estimating a column's distinct count from a sample.
//
//	Arrow array ──AppendHashes──► []uint64 ──► Distinct  exact to 64K values, then HyperLogLog
//	                                      └──► Sample    frequency profile of a sample → Estimate(N)
//
// AppendHashes hashes the non-NULL values of an array with Grain's
// grouping equality (one NaN, -0 = +0): fmix64 over the bits of integers,
// booleans, temporal values and floats, xxhash over strings and binaries.
//
// Distinct is for data that is read whole (in-memory tables): exact up to
// ExactLimit distinct values, then a HyperLogLog sketch of 16 KiB with a
// standard error of about 0.8%.
//
// Sample is for data that is too large to read whole (Parquet files): the
// caller feeds the hashes of a bounded sample, cut into segments of
// consecutive rows, and Estimate extrapolates to the population with the
// hybrid estimator of Haas et al. (Duj1 for uniform frequencies, Shlosser
// for skewed ones), corrected for clustered data where repeated values stay
// inside one segment. Sample keeps an exact frequency table, so memory is
// proportional to the distinct values of the sample (32 bytes each at most).
//
// Both share one open-addressing table keyed by hash (table.go).
package sketch
