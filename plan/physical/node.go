package physical

import (
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/join"
	"github.com/grainql/grain/exec/shuffle"
)

// Node is one node of a physical plan: an immutable description that can
// start an operator for each of its output partitions. Exchanges split the
// tree into stages (see stages.go); every other node runs inside the task
// that pulls its output partition.
type Node interface {
	// Schema is the schema of every batch the node's operators return.
	Schema() *arrow.Schema
	// Children are the input nodes.
	Children() []Node
	// Partitions is the number of output partitions.
	Partitions() int
	// Open builds (without opening) the operator chain that produces
	// output partition p. Execution-wide state (shuffle stores, broadcast
	// tables) comes from x.
	Open(x *Execution, p int) (exec.Operator, error)
	// String describes the node on one EXPLAIN line.
	String() string
	// Metrics are shared by every partition's operator.
	Metrics() *exec.Metrics
}

// Execution is the state of one run of a physical plan: its environment,
// the shuffle stores of its exchanges and its broadcast hash tables. It is
// safe for concurrent use by the tasks of the run.
type Execution struct {
	Env *exec.Env

	mu        sync.Mutex
	exchanges map[*exchangeNode]*shuffle.Exchange
	tables    map[*broadcastJoinNode]*broadcastTable
	final     map[*exchangeNode]shuffle.Stats // exchange stats kept at release
}

// exchangeStats returns the stats of e's store in this run (live, or as
// they were when the run was released).
func (x *Execution) exchangeStats(e *exchangeNode) (shuffle.Stats, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if s, ok := x.exchanges[e]; ok {
		return s.Stats(), true
	}
	st, ok := x.final[e]
	return st, ok
}

func newExecution(env *exec.Env) *Execution {
	return &Execution{
		Env:       env,
		exchanges: map[*exchangeNode]*shuffle.Exchange{},
		tables:    map[*broadcastJoinNode]*broadcastTable{},
	}
}

// broadcastTable is a build side built once and shared by every probe task.
type broadcastTable struct {
	once  sync.Once
	table *join.Table
	err   error
}

// release frees every shuffle store and broadcast table of the run.
func (x *Execution) release() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.final = map[*exchangeNode]shuffle.Stats{}
	for e, ex := range x.exchanges {
		x.final[e] = ex.Stats()
		ex.Release()
	}
	for _, t := range x.tables {
		if t.table != nil {
			t.table.Release()
			t.table = nil
		}
	}
	x.exchanges = nil
	x.tables = nil
}

// base carries what every node has.
type base struct {
	schema   *arrow.Schema
	children []Node
	parts    int
	label    string
	metrics  exec.Metrics
}

func (b *base) Schema() *arrow.Schema  { return b.schema }
func (b *base) Children() []Node       { return b.children }
func (b *base) Partitions() int        { return b.parts }
func (b *base) String() string         { return b.label }
func (b *base) Metrics() *exec.Metrics { return &b.metrics }

// opener builds the operator of one partition on top of the child's.
type opener func(x *Execution, in exec.Operator, m *exec.Metrics) (exec.Operator, error)

// unaryNode runs a per-partition operator over its child's partition: the
// stateless steps (filter, project, relabel, limit) and the per-partition
// blocking ones (partial and final aggregation, sort, top-k).
type unaryNode struct {
	base
	open opener
}

func newUnary(child Node, schema *arrow.Schema, label string, open opener) *unaryNode {
	return &unaryNode{base: base{schema: schema, children: []Node{child}, parts: child.Partitions(), label: label}, open: open}
}

func (u *unaryNode) Open(x *Execution, p int) (exec.Operator, error) {
	in, err := u.children[0].Open(x, p)
	if err != nil {
		return nil, err
	}
	op, err := u.open(x, in, &u.metrics)
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("%s: %w", u.label, err)
	}
	return finish(op, u.schema, &u.metrics)
}

// finish relabels op with the node's schema and instruments it.
func finish(op exec.Operator, schema *arrow.Schema, m *exec.Metrics) (exec.Operator, error) {
	out, err := exec.NewColumnSelect(op, nil, schema)
	if err != nil {
		op.Close()
		return nil, err
	}
	return exec.Instrument(out, m), nil
}

// unionNode concatenates its children's partitions: output partition p is
// partition p - offset of the child that owns it.
type unionNode struct{ base }

func newUnion(schema *arrow.Schema, kids []Node) *unionNode {
	n := 0
	for _, k := range kids {
		n += k.Partitions()
	}
	return &unionNode{base{schema: schema, children: kids, parts: n, label: "Union"}}
}

func (u *unionNode) Open(x *Execution, p int) (exec.Operator, error) {
	for _, k := range u.children {
		if p < k.Partitions() {
			in, err := k.Open(x, p)
			if err != nil {
				return nil, err
			}
			return finish(in, u.schema, &u.metrics)
		}
		p -= k.Partitions()
	}
	return nil, fmt.Errorf("internal error: union partition %d out of range", p)
}

// Format renders a physical plan as an indented tree, one node per line.
func Format(n Node) string {
	var sb strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		fmt.Fprintf(&sb, "%s%s\n", strings.Repeat("  ", depth), n)
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return sb.String()
}
