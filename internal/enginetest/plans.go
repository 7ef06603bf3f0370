package enginetest

import (
	"fmt"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/io/source"
	"github.com/grainql/grain/plan"
)

// Generator builds random logical plans over a fixed set of sources.
type Generator struct {
	rng     *rand.Rand
	sources []source.Source
	aliases int
}

// NewGenerator returns a generator drawing from rng over sources.
func NewGenerator(rng *rand.Rand, sources ...source.Source) *Generator {
	return &Generator{rng: rng, sources: sources}
}

// Plan returns a random plan of at most depth operators above the scans.
// When sorted is true the root is a Sort over every output column (possibly
// under a Limit), so the expected row order is fully determined.
func (g *Generator) Plan(depth int) plan.Node {
	n := g.node(depth)
	if g.rng.IntN(4) == 0 {
		n = g.totalSort(n, true)
	}
	return n
}

func (g *Generator) node(depth int) plan.Node {
	if depth == 0 {
		return g.scan()
	}
	child := g.node(depth - 1)
	var out plan.Node
	var err error
	switch g.rng.IntN(9) {
	case 0, 1:
		out, err = plan.NewFilter(child, g.predicate(child.Schema()))
	case 2:
		out, err = plan.NewProject(child, g.projection(child.Schema()))
	case 3, 4:
		out, err = g.aggregate(child)
	case 5, 6:
		out, err = g.join(child, g.node(g.rng.IntN(depth)))
	case 7:
		out, err = plan.NewDistinct(child)
	default:
		var f plan.Node
		if f, err = plan.NewFilter(child, g.predicate(child.Schema())); err == nil {
			out, err = plan.NewUnion(child, f)
		}
	}
	if err != nil {
		return child // the analyzer rejected it; keep the valid child
	}
	return out
}

func (g *Generator) scan() plan.Node {
	g.aliases++
	src := g.sources[g.rng.IntN(len(g.sources))]
	n, err := plan.NewScan(src, fmt.Sprintf("t%d", g.aliases))
	if err != nil {
		panic(fmt.Sprintf("internal error: scan: %v", err))
	}
	return n
}

// ref references field i of s, qualified when the field has a qualifier.
func ref(s *arrow.Schema, i int) expr.E {
	f := s.Field(i)
	if q := expr.FieldQualifier(f); q != "" {
		return expr.QualifiedCol(q, f.Name)
	}
	return expr.Col(f.Name)
}

// pick returns a random field index of s whose type satisfies ok, or -1.
func (g *Generator) pick(s *arrow.Schema, ok func(arrow.DataType) bool) int {
	var idx []int
	for i, f := range s.Fields() {
		if ok(f.Type) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	return idx[g.rng.IntN(len(idx))]
}

func anyType(arrow.DataType) bool { return true }

// literalFor returns a literal of a type comparable with t.
func (g *Generator) literalFor(t arrow.DataType) expr.Expr {
	if g.rng.IntN(20) == 0 {
		return expr.Lit(nil)
	}
	v := randomValue(g.rng, t)
	for v == nil {
		v = randomValue(g.rng, t)
	}
	if t.ID() == arrow.FLOAT64 || expr.IsInteger(t) {
		return expr.Lit(g.rng.IntN(10) - 3)
	}
	return expr.Lit(v)
}

func (g *Generator) predicate(s *arrow.Schema) expr.Expr {
	p := g.atom(s)
	switch g.rng.IntN(4) {
	case 0:
		return p.And(g.atom(s))
	case 1:
		return p.Or(g.atom(s))
	case 2:
		return p.Not()
	}
	return p
}

func (g *Generator) atom(s *arrow.Schema) expr.E {
	i := g.pick(s, expr.IsOrderable)
	if i < 0 {
		return expr.Lit(true)
	}
	c := ref(s, i)
	t := s.Field(i).Type
	switch g.rng.IntN(6) {
	case 0:
		return c.IsNull()
	case 1:
		return c.In(g.literalFor(t), g.literalFor(t))
	case 2:
		if expr.IsString(t) {
			return expr.Like(c, expr.Lit([]string{"%", "a%", "_", "%b"}[g.rng.IntN(4)]))
		}
	case 3:
		if j := g.pick(s, func(u arrow.DataType) bool { _, ok := expr.CommonType(t, u); return ok }); j >= 0 {
			return c.LtEq(ref(s, j))
		}
	}
	ops := []func(expr.Expr) expr.E{c.Eq, c.NotEq, c.Lt, c.Gt, c.GtEq}
	return ops[g.rng.IntN(len(ops))](g.literalFor(t))
}

func (g *Generator) projection(s *arrow.Schema) []expr.Expr {
	var out []expr.Expr
	for i := range s.Fields() {
		if g.rng.IntN(3) > 0 {
			out = append(out, ref(s, i))
		}
	}
	for n := g.rng.IntN(3); n > 0; n-- {
		out = append(out, g.computed(s).As(fmt.Sprintf("c%d", g.rng.IntN(1000))))
	}
	if len(out) == 0 {
		out = append(out, ref(s, 0))
	}
	return out
}

func (g *Generator) computed(s *arrow.Schema) expr.E {
	if i := g.pick(s, expr.IsNumeric); i >= 0 && g.rng.IntN(2) == 0 {
		c := ref(s, i)
		switch g.rng.IntN(5) {
		case 0:
			return c.Add(expr.Lit(1))
		case 1:
			return c.Mul(expr.Lit(2.5))
		case 2:
			return expr.Coalesce(c.Cast(arrow.PrimitiveTypes.Float64), expr.Lit(-1.0))
		case 3:
			return expr.When(c.Gt(expr.Lit(0))).Then(c.Cast(arrow.PrimitiveTypes.Float64)).Otherwise(expr.Lit(0.5))
		default:
			return c.Cast(arrow.BinaryTypes.String)
		}
	}
	if i := g.pick(s, expr.IsString); i >= 0 {
		c := ref(s, i)
		switch g.rng.IntN(3) {
		case 0:
			return expr.Upper(c)
		case 1:
			return expr.Length(c)
		default:
			return expr.Concat(c, expr.Lit("-x"))
		}
	}
	return g.atom(s)
}

func (g *Generator) aggregate(child plan.Node) (plan.Node, error) {
	s := child.Schema()
	var keys []expr.Expr
	for n := g.rng.IntN(3); n > 0; n-- {
		if i := g.pick(s, anyType); i >= 0 {
			keys = append(keys, ref(s, i))
		}
	}
	aggs := []expr.Expr{expr.CountStar().As("n")}
	for n := 1 + g.rng.IntN(3); n > 0; n-- {
		name := fmt.Sprintf("a%d", g.rng.IntN(1000))
		if i := g.pick(s, expr.IsNumeric); i >= 0 && g.rng.IntN(2) == 0 {
			fns := []func(expr.Expr) expr.E{expr.Sum, expr.Avg, expr.Min, expr.Max, expr.Count}
			aggs = append(aggs, fns[g.rng.IntN(len(fns))](ref(s, i)).As(name))
			continue
		}
		i := g.pick(s, expr.IsOrderable)
		fns := []func(expr.Expr) expr.E{expr.Min, expr.Max, expr.Count, expr.CountDistinct}
		aggs = append(aggs, fns[g.rng.IntN(len(fns))](ref(s, i)).As(name))
	}
	return plan.NewAggregate(child, keys, aggs)
}

func (g *Generator) join(l, r plan.Node) (plan.Node, error) {
	typ := plan.JoinType(g.rng.IntN(int(plan.JoinCross) + 1))
	ls, rs := l.Schema(), r.Schema()
	var on []plan.JoinKey
	if typ != plan.JoinCross {
		for n := 1 + g.rng.IntN(2); n > 0; n-- {
			i := g.pick(ls, anyType)
			t := ls.Field(i).Type
			j := g.pick(rs, func(u arrow.DataType) bool { _, ok := expr.CommonType(t, u); return ok })
			if j < 0 {
				return nil, fmt.Errorf("no key for %s", t)
			}
			on = append(on, plan.JoinKey{Left: ref(ls, i), Right: ref(rs, j)})
		}
	}
	var residual expr.Expr
	if g.rng.IntN(3) == 0 {
		combined := arrow.NewSchema(append(append([]arrow.Field(nil), ls.Fields()...), rs.Fields()...), nil)
		residual = g.predicate(combined)
	}
	return plan.NewJoin(l, r, typ, on, residual)
}

// totalSort sorts by every column with random directions, so the order is
// fully determined, and maybe adds a Limit.
func (g *Generator) totalSort(n plan.Node, limit bool) plan.Node {
	s := n.Schema()
	var keys []plan.SortKey
	for i := range s.Fields() {
		if !expr.IsOrderable(s.Field(i).Type) {
			continue
		}
		keys = append(keys, plan.SortKey{Expr: ref(s, i), Desc: g.rng.IntN(2) == 0, NullsFirst: g.rng.IntN(2) == 0})
	}
	g.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	out, err := plan.NewSort(n, keys)
	if err != nil {
		return n
	}
	if limit && g.rng.IntN(2) == 0 {
		if l, err := plan.NewLimit(out, int64(g.rng.IntN(3)), int64(g.rng.IntN(20))); err == nil {
			return l
		}
	}
	return out
}
