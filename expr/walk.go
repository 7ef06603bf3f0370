package expr

// Inspect walks e depth-first in pre-order, calling f on each node. When f
// returns false the node's children are skipped.
func Inspect(e Expr, f func(Expr) bool) {
	e = Unwrap(e)
	if !f(e) {
		return
	}
	for _, c := range e.Children() {
		Inspect(c, f)
	}
}

// Transform rebuilds e bottom-up: children first, then f on the node with
// its new children. f returns the replacement (or its argument unchanged).
// Nodes whose children did not change are not copied.
func Transform(e Expr, f func(Expr) (Expr, error)) (Expr, error) {
	e = Unwrap(e)
	ch := e.Children()
	if len(ch) > 0 {
		var out []Expr
		for i, c := range ch {
			nc, err := Transform(c, f)
			if err != nil {
				return nil, err
			}
			if nc != c && out == nil {
				out = make([]Expr, len(ch))
				copy(out, ch[:i])
			}
			if out != nil {
				out[i] = nc
			}
		}
		if out != nil {
			e = e.WithChildren(out)
		}
	}
	r, err := f(e)
	if err != nil {
		return nil, err
	}
	return Unwrap(r), nil
}

// Columns returns the column references in e, in order of appearance.
func Columns(e Expr) []*Column {
	var out []*Column
	Inspect(e, func(n Expr) bool {
		if c, ok := n.(*Column); ok {
			out = append(out, c)
		}
		return true
	})
	return out
}
