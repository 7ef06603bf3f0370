package plan

// Inspect walks n depth-first in pre-order, calling f on each node. When f
// returns false the node's children are skipped.
func Inspect(n Node, f func(Node) bool) {
	if !f(n) {
		return
	}
	for _, c := range n.Children() {
		Inspect(c, f)
	}
}

// Transform rebuilds n bottom-up: children first, then f on the node with
// its new children. f returns the replacement or its argument unchanged.
// Nodes whose children did not change are not copied, so Transform returns
// n itself when f changed nothing. Errors from f or from WithChildren stop
// the walk.
func Transform(n Node, f func(Node) (Node, error)) (Node, error) {
	n, err := rebuild(n, func(c Node) (Node, error) { return Transform(c, f) })
	if err != nil {
		return nil, err
	}
	return f(n)
}

// TransformDown rebuilds n top-down: f runs on a node first, then the walk
// continues into the children of the node f returned. Like Transform it
// returns n itself when f changed nothing.
func TransformDown(n Node, f func(Node) (Node, error)) (Node, error) {
	n, err := f(n)
	if err != nil {
		return nil, err
	}
	return rebuild(n, func(c Node) (Node, error) { return TransformDown(c, f) })
}

// rebuild applies g to each child of n and, when some child changed,
// returns n.WithChildren of the results.
func rebuild(n Node, g func(Node) (Node, error)) (Node, error) {
	ch := n.Children()
	var out []Node
	for i, c := range ch {
		nc, err := g(c)
		if err != nil {
			return nil, err
		}
		if nc != c && out == nil {
			out = make([]Node, len(ch))
			copy(out, ch[:i])
		}
		if out != nil {
			out[i] = nc
		}
	}
	if out == nil {
		return n, nil
	}
	return n.WithChildren(out)
}
