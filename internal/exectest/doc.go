// Package exectest holds the test doubles and checks that the tests of
// exec and its operator packages share.
//
// Source is an exec.Operator that hands out prepared batches and records
// how it was driven (opens, closes, batches pulled), optionally failing
// at a chosen batch. ReadAll and Drain read an operator to the end and
// check every batch against the Operator.Next contract (non-empty, the
// operator's schema, a strictly increasing selection, at most a given
// number of rows). RowString renders a row the way the reference
// evaluator's text output does, so tests can compare rows as strings.
//
// The package is imported only by tests. It depends on exec and
// internal/reference alone, so the internal tests of any exec
// subpackage can use it without an import cycle.
package exectest
