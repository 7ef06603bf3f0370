// Package source defines the contract between Grain's planner and executor
// and the things a query reads from: in-memory tables today, Parquet, CSV and
// Arrow IPC files later.
//
//	planner                          executor (one task per split)
//	───────                          ─────────────────────────────
//	Source.Schema, Source.Stats ──►  plan costs and estimates
//	Source.Splits(ScanRequest)  ──►  []Split ──► Split.Open ──► Reader.Next…
//	  (pushed columns + filters)
//
// A Source describes data; it holds no open resources of its own. Splits are
// independent units of scanning (a group of in-memory records, a Parquet row
// group) so parallel tasks can read them in any order. Pushed filters are
// hints: a source may use them to skip data (row groups whose statistics
// exclude every match) but the executor still applies the filter to the rows
// it returns, unless the source reports the filter as exact.
package source
