// Package memtable is a Source over Arrow records held in memory.
//
// The table retains the records it is given and hands out zero-copy slices of
// them, so scanning allocates no column buffers. Splits group consecutive
// records of about splitRows rows, so a large table is scanned by several
// tasks in parallel. Stats are exact row, byte, null and (lazily computed)
// distinct counts, which the optimizer's estimates start from.
package memtable
