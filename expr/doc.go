// Package expr defines Grain's expressions: immutable, typed trees built with
// Spark/Polars-style builders and shared by every layer above.
//
//	expr.Col("metric").Mul(expr.Col("weight"))        *Binary{*Column, *Column}
//	expr.Sum(expr.Col("metric")).As("total")           *Alias{*Agg{*Column}}
//	expr.When(c).Then(a).Otherwise(b)                  *Case
//
// The node set is sealed (*Column, *Literal, *Binary, *Unary, *In, *Case,
// *Cast, *Call, *Agg, *Alias). Builders return E, a thin wrapper that adds
// chaining methods; constructors unwrap it, so node trees only ever hold
// concrete nodes and a type switch over children sees them directly.
//
// Type derivation (Expr.Type) follows one set of promotion rules
// (CommonNumeric, CommonType) that the executor and the reference evaluator
// apply too. Column references resolve against a schema with Resolve, which
// understands relation qualifiers stored in field metadata and explains
// failures: an unknown name comes with "did you mean" suggestions, an
// ambiguous one with the qualified alternatives.
//
// Evaluation does not live here: package exec/eval compiles an Expr against
// an input schema into vectorized kernels, and internal/reference evaluates
// it row at a time as the test oracle.
//
// Semantics: SQL three-valued logic; NULL inputs give NULL except for IS
// [NOT] NULL, AND/OR short cuts, COALESCE and CASE; integer overflow and
// integer division by zero are errors (ErrOverflow, ErrDivideByZero); float
// arithmetic follows IEEE 754.
package expr
