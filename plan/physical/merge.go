package physical

import (
	"fmt"

	"github.com/grainql/grain/exec"
	"github.com/grainql/grain/exec/order"
)

// mergeNode is the reduce side of a global sort: every map task of its
// gather exchange sorted its own partition, and the exchange keeps each map
// task's rows in order, so merging the map tasks' streams gives the whole
// input in order.
//
//	partition 0: sort ─┐
//	partition 1: sort ─┼─► gather (runs kept apart) ─► k-way merge ─► 1 partition
//	partition 2: sort ─┘
type mergeNode struct {
	base
	keys []order.Key
}

func newMerge(ex *exchangeNode, keys []order.Key, label string) *mergeNode {
	n := &mergeNode{keys: keys}
	n.schema, n.children, n.parts, n.label = ex.Schema(), []Node{ex}, 1, label
	return n
}

func (n *mergeNode) Open(x *Execution, _ int) (exec.Operator, error) {
	ex := n.children[0].(*exchangeNode)
	s, err := x.store(ex)
	if err != nil {
		return nil, err
	}
	maps := ex.children[0].Partitions()
	inputs := make([]exec.Operator, maps)
	for m := range inputs {
		inputs[m] = exec.Instrument(s.ReaderMapRange(0, m, m+1), &ex.metrics)
	}
	op, err := order.NewMerge(inputs, n.keys, x.Env, &n.metrics)
	if err != nil {
		for _, in := range inputs {
			in.Close()
		}
		return nil, fmt.Errorf("%s: %w", n.label, err)
	}
	return exec.Instrument(op, &n.metrics), nil
}
