package physical

import (
	"fmt"
	"strings"
	"time"
)

// Explain prints the physical plan by stage: each stage with its task
// count, then its nodes as an indented tree; an exchange line names the
// stage that writes it.
func (p *Plan) Explain() string {
	return p.render(nil)
}

// Analyze prints the plan like Explain, annotated with what the run
// measured: per node rows, batches and time (its own, children excluded)
// and peak memory; per exchange rows and bytes written and spilled; per
// stage task count and min/median/max task time; per join the fan-out
// (output rows ÷ probe rows), flagged when above 1. Call it after the
// result was drained.
func (r *Run) Analyze() string {
	return r.plan.render(r)
}

func (p *Plan) render(r *Run) string {
	var sb strings.Builder
	var times map[int][]int64
	if r != nil {
		times = r.TaskTimes()
	}
	for i := len(p.Stages) - 1; i >= 0; i-- {
		st := p.Stages[i]
		if st.exchange == nil {
			if n := resultTasks(st.top); n > 1 {
				fmt.Fprintf(&sb, "Stage %d: result (%d tasks streamed to the caller)\n", st.ID, n)
			} else {
				fmt.Fprintf(&sb, "Stage %d: result (1 task)\n", st.ID)
			}
		} else {
			fmt.Fprintf(&sb, "Stage %d: %d tasks → %s", st.ID, st.Tasks(), exchangeText(st.exchange))
			if ts := times[st.ID]; len(ts) > 0 {
				fmt.Fprintf(&sb, " · task time min %s / median %s / max %s", dur(ts[0]), dur(ts[len(ts)/2]), dur(ts[len(ts)-1]))
			}
			sb.WriteByte('\n')
		}
		p.renderNode(&sb, r, st.top, 1)
	}
	return sb.String()
}

func exchangeText(e *exchangeNode) string {
	if e.keys == nil {
		return "gather into 1 partition"
	}
	return fmt.Sprintf("hash%v into %d partitions", colNames(e.children[0].Schema(), e.keys), e.parts)
}

func (p *Plan) renderNode(sb *strings.Builder, r *Run, n Node, depth int) {
	indent := strings.Repeat("  ", depth)
	if e, ok := n.(*exchangeNode); ok {
		fmt.Fprintf(sb, "%s%s ◄ stage %d", indent, e.label, p.stageOf(e))
		if r != nil {
			fmt.Fprintf(sb, "  [%s]", exchangeStats(r, e))
		}
		sb.WriteByte('\n')
		return
	}
	fmt.Fprintf(sb, "%s%s", indent, n)
	if r != nil {
		fmt.Fprintf(sb, "  [%s]", nodeStats(n))
	}
	sb.WriteByte('\n')
	for _, c := range n.Children() {
		p.renderNode(sb, r, c, depth+1)
	}
}

func (p *Plan) stageOf(e *exchangeNode) int {
	for _, st := range p.Stages {
		if st.exchange == e {
			return st.ID
		}
	}
	return -1
}

// nodeStats formats a node's metrics.
func nodeStats(n Node) string {
	m := n.Metrics()
	parts := []string{
		fmt.Sprintf("rows=%d", m.RowsOut.Load()),
		fmt.Sprintf("batches=%d", m.Batches.Load()),
		fmt.Sprintf("time=%s", dur(selfNanos(n))),
	}
	if peak := m.PeakReserved.Load(); peak > 0 {
		parts = append(parts, "peak mem="+bytesText(peak))
	}
	for _, c := range m.Counters() {
		parts = append(parts, fmt.Sprintf("%s=%d", c.Name, c.Value.Load()))
	}
	if probe, out := m.Counter("probe rows"), m.Counter("output rows"); probe != nil && out != nil && probe.Value.Load() > 0 {
		f := float64(out.Value.Load()) / float64(probe.Value.Load())
		text := fmt.Sprintf("fan-out=%.2f", f)
		if f > 1 {
			text = fmt.Sprintf("fan-out ×%.1f ⚠ rows multiply here", f)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, " ")
}

func exchangeStats(r *Run, e *exchangeNode) string {
	st, ok := r.x.exchangeStats(e)
	if !ok {
		return "not run"
	}
	text := fmt.Sprintf("written rows=%d bytes=%s, read rows=%d", st.Rows, bytesText(st.Bytes), e.metrics.RowsOut.Load())
	if st.Spills > 0 {
		text += fmt.Sprintf(" spilled=%s in %d files", bytesText(st.SpilledBytes), st.Spills)
	}
	return text
}

// dur formats nanoseconds compactly.
func dur(ns int64) string {
	return time.Duration(ns).Round(time.Microsecond).String()
}

// OperatorStats is what one plan node did in a run, for programs that
// want numbers rather than EXPLAIN text (benchmarks, the run report).
type OperatorStats struct {
	Stage    int    // ID of the stage whose tasks ran the node
	Depth    int    // depth below the stage's top node
	Name     string // the node's EXPLAIN line
	Join     bool   // the node is a join
	Exchange bool   // the node is an exchange (its reading side)
	RowsOut  int64
	Batches  int64
	Nanos    int64 // the node's own time, children excluded
	Peak     int64 // peak reserved bytes
	Counters map[string]int64
	// For exchanges: what the map side wrote and spilled.
	ShuffleRows, ShuffleBytes, SpilledBytes, Spills int64
}

// Operators returns the statistics of every node of the run, stage by
// stage (result stage first), each stage's nodes in pre-order.
func (r *Run) Operators() []OperatorStats {
	var out []OperatorStats
	for i := len(r.plan.Stages) - 1; i >= 0; i-- {
		st := r.plan.Stages[i]
		var walk func(n Node, depth int)
		walk = func(n Node, depth int) {
			m := n.Metrics()
			os := OperatorStats{Stage: st.ID, Depth: depth, Name: n.String(),
				RowsOut: m.RowsOut.Load(), Batches: m.Batches.Load(), Peak: m.PeakReserved.Load(),
				Counters: map[string]int64{}}
			for _, c := range m.Counters() {
				os.Counters[c.Name] = c.Value.Load()
			}
			switch n := n.(type) {
			case *exchangeNode:
				os.Exchange = true
				if s, ok := r.x.exchangeStats(n); ok {
					os.ShuffleRows, os.ShuffleBytes = s.Rows, s.Bytes
					os.SpilledBytes, os.Spills = s.SpilledBytes, s.Spills
				}
				out = append(out, os)
				return
			case *broadcastJoinNode, *partitionedJoinNode:
				os.Join = true
			}
			os.Nanos = selfNanos(n)
			out = append(out, os)
			for _, c := range n.Children() {
				walk(c, depth+1)
			}
		}
		walk(st.top, 0)
	}
	return out
}

// selfNanos is a node's time minus its children's, exchanges excluded
// (their reading time belongs to the consumer's stage).
func selfNanos(n Node) int64 {
	self := n.Metrics().Nanos.Load()
	for _, c := range n.Children() {
		if _, ok := c.(*exchangeNode); !ok {
			self -= c.Metrics().Nanos.Load()
		}
	}
	return max(self, 0)
}

// resultTasks is the number of partitions the result stage runs: those of
// a coalesce's child, or 1.
func resultTasks(top Node) int {
	if c, ok := top.(*coalesceNode); ok {
		return c.children[0].Partitions()
	}
	return 1
}
