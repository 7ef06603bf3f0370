package shuffle

// Stats is a snapshot of what an exchange has moved, for EXPLAIN ANALYZE,
// the progress report and adaptive re-planning (partition sizes). Every
// counter is read atomically, so Stats may be called while tasks run.
//
// Rows count when a map task routes them (Write); Bytes and Blocks when a
// block is sealed, so while a task runs they lag its rows by at most one
// partial block per partition. A retried map task's earlier attempt no
// longer counts; the spill counters include every attempt (they measure
// I/O done).
type Stats struct {
	Name       string
	Partitions []PartitionStats // indexed by reducer partition
	Rows       int64            // rows over all partitions
	Bytes      int64            // in-memory Arrow bytes of sealed blocks
	Blocks     int64            // sealed blocks
	MapTasks   int              // map tasks that have closed their writers

	MemoryBytes   int64 // bytes of blocks held in memory now
	Spills        int64 // spill events (one file each)
	SpilledBytes  int64 // bytes written to spill files
	SpilledBlocks int64 // blocks written to spill files
	SpilledRows   int64 // rows written to spill files
}

// PartitionStats is what every map task sent to one reducer partition.
type PartitionStats struct {
	Rows   int64
	Bytes  int64
	Blocks int64
}

// Stats returns a snapshot of the exchange's counters.
func (x *Exchange) Stats() Stats {
	s := Stats{
		Name:          x.cfg.Name,
		Partitions:    make([]PartitionStats, x.cfg.Partitions),
		Spills:        x.spills.Load(),
		SpilledBytes:  x.spilledBytes.Load(),
		SpilledBlocks: x.spilledBlocks.Load(),
		SpilledRows:   x.spilledRows.Load(),
	}
	for _, w := range x.snapshot() {
		if w.state.Load() == stateClosed {
			s.MapTasks++
		}
		s.MemoryBytes += w.memBytes.Load()
		for p := range w.stats {
			st := &w.stats[p]
			ps := &s.Partitions[p]
			ps.Rows += st.rows.Load()
			ps.Bytes += st.bytes.Load()
			ps.Blocks += st.blocks.Load()
		}
	}
	for _, ps := range s.Partitions {
		s.Rows += ps.Rows
		s.Bytes += ps.Bytes
		s.Blocks += ps.Blocks
	}
	return s
}
