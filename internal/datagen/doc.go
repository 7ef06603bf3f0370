// Package datagen generates the deterministic data sets that Grain's
// examples and benchmarks run on.
package datagen
