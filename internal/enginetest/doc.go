// Package enginetest generates random tables and random logical plans for
// differential tests: the vectorized engine must return what the
// row-at-a-time oracle in internal/reference returns, whatever the batch
// size.
//
// Generation is deliberately permissive: the generator proposes a random
// node, and when the plan's own constructor rejects it (an ambiguous column
// after a join, a type that does not fit) it keeps the child instead. So the
// analyzer decides what is valid, and the generator needs no copy of its
// rules.
package enginetest
