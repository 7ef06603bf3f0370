// Package deps holds the test that keeps Grain's import graph pointing down:
//
//	frame ─► plan/physical ─► plan/optimize ─► plan ─► io/... ─► expr
//	               └────────► exec/... ─────────────────┘
//
// The allowed edges are written out in deps_test.go; a new package must be
// added there before it can import anything from the project.
package deps
