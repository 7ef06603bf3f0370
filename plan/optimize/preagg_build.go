package optimize

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// namer hands out column names used nowhere in the plan around the split.
type namer struct{ used map[string]bool }

func newNamer(schemas ...*arrow.Schema) *namer {
	nm := &namer{used: map[string]bool{}}
	for _, s := range schemas {
		for _, f := range s.Fields() {
			nm.used[f.Name] = true
		}
	}
	return nm
}

func (nm *namer) fresh(base string) string {
	name := base
	for i := 2; nm.used[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	nm.used[name] = true
	return name
}

func aggAs(f expr.AggFunc, arg expr.Expr, name string) expr.Expr {
	return &expr.Alias{Expr: &expr.Agg{Func: f, Arg: arg}, Name: name}
}

func col(name string) expr.Expr { return &expr.Column{Name: name} }

// lower builds the partial aggregate over R: grouped by the key columns,
// one partial column per state.
func (sp *split) lower(nm *namer) (*plan.Aggregate, error) {
	rs := sp.r.Schema()
	group := make([]expr.Expr, len(sp.keys))
	for i, k := range sp.keys {
		ref, ok := columnRef(rs, k)
		if !ok {
			return nil, fmt.Errorf("key column %s is ambiguous", rs.Field(k).Name)
		}
		group[i] = ref
	}
	var aggs []expr.Expr
	byText := map[string]string{} // identical partials are computed once
	for i := range sp.parts {
		p := &sp.parts[i]
		base := "_p" + strconv.Itoa(i+1)
		add := func(f expr.AggFunc, arg expr.Expr) {
			text := (&expr.Agg{Func: f, Arg: arg}).String()
			if name, ok := byText[text]; ok {
				p.partial = append(p.partial, name)
				return
			}
			suffix := ""
			if len(p.partial) > 0 {
				suffix = "n" // AVG's count
			}
			name := nm.fresh(base + suffix)
			byText[text] = name
			p.partial = append(p.partial, name)
			aggs = append(aggs, aggAs(f, arg, name))
		}
		switch p.kind {
		case partSum, partProduct:
			add(expr.AggSum, p.rArg)
		case partCount:
			add(expr.AggCount, p.rArg)
		case partMinMax:
			add(p.agg.Func, p.rArg)
		case partAvg:
			// AVG accumulates a float64 sum, so the partial does too: the
			// same rounding, and no integer overflow AVG would not have.
			arg := p.rArg
			if t := typeOf(arg, sp.j.Schema()); t == nil || !expr.IsFloat(t) {
				arg = &expr.Cast{Expr: arg, To: arrow.PrimitiveTypes.Float64}
			}
			add(expr.AggSum, arg)
			add(expr.AggCount, p.rArg)
		}
	}
	return plan.NewAggregate(sp.r, group, aggs)
}

// upper builds the final aggregate over the new join. Merges that give an
// item's value directly take the item's name; the others (COUNT's and
// AVG's sums) get fresh names, and identical ones are computed once.
func (sp *split) upper(in plan.Node, nm *namer) (*plan.Aggregate, error) {
	var aggs []expr.Expr
	byText := map[string]string{}
	// merge adds f(arg) named name (or a fresh name from base when name is
	// empty, reusing an identical merge) and returns its name.
	merge := func(f expr.AggFunc, arg expr.Expr, name, base string) string {
		text := (&expr.Agg{Func: f, Arg: arg}).String()
		if prev, ok := byText[text]; ok && name == "" {
			return prev
		}
		if name == "" {
			name = nm.fresh(base)
		}
		if _, ok := byText[text]; !ok {
			byText[text] = name
		}
		aggs = append(aggs, aggAs(f, arg, name))
		return name
	}
	for i := range sp.parts {
		p := &sp.parts[i]
		base := "_m" + strconv.Itoa(i+1)
		var names []string
		switch p.kind {
		case partSum:
			names = append(names, merge(expr.AggSum, col(p.partial[0]), p.name, ""))
		case partMinMax:
			names = append(names, merge(p.agg.Func, col(p.partial[0]), p.name, ""))
		case partCount:
			names = append(names, merge(expr.AggSum, col(p.partial[0]), "", base))
		case partAvg:
			names = append(names, merge(expr.AggSum, col(p.partial[0]), "", base),
				merge(expr.AggSum, col(p.partial[1]), "", base+"n"))
		case partProduct:
			var arg expr.Expr = &expr.Binary{Op: expr.OpMul, Left: col(p.partial[0]), Right: p.sArg}
			if !p.rFirst {
				arg = &expr.Binary{Op: expr.OpMul, Left: p.sArg, Right: col(p.partial[0])}
			}
			names = append(names, merge(expr.AggSum, arg, p.name, ""))
		case partOtherSide:
			names = append(names, p.name)
			aggs = append(aggs, &expr.Alias{Expr: p.agg, Name: p.name})
		}
		p.upper = names
	}
	return plan.NewAggregate(in, sp.groupBy, aggs)
}

// final restores the original output: the grouping columns, then each
// aggregate from its merged columns (COUNT as coalesce(sum, 0), AVG as
// sum / count). It returns up itself when that is already the output.
func (sp *split) final(up *plan.Aggregate) (plan.Node, error) {
	us := up.Schema()
	exprs := make([]expr.Expr, 0, len(sp.groupBy)+len(sp.parts))
	identity := true
	ref := func(name string) (expr.Expr, error) {
		for i, f := range us.Fields() {
			if f.Name == name {
				if r, ok := columnRef(us, i); ok {
					return r, nil
				}
			}
		}
		return nil, fmt.Errorf("merged column %q is missing or ambiguous", name)
	}
	for i := range sp.groupBy {
		r, ok := columnRef(us, i)
		if !ok {
			return nil, fmt.Errorf("grouping column %s is ambiguous", us.Field(i).Name)
		}
		exprs = append(exprs, r)
	}
	for _, p := range sp.parts {
		m, err := ref(p.upper[0])
		if err != nil {
			return nil, err
		}
		switch p.kind {
		case partCount:
			m = &expr.Alias{Expr: &expr.Call{Func: expr.FnCoalesce, Args: []expr.Expr{m, lit(int64(0), arrow.PrimitiveTypes.Int64)}}, Name: p.name}
			identity = false
		case partAvg:
			c, err := ref(p.upper[1])
			if err != nil {
				return nil, err
			}
			m = &expr.Alias{Expr: &expr.Binary{Op: expr.OpDiv, Left: m,
				Right: &expr.Cast{Expr: c, To: arrow.PrimitiveTypes.Float64}}, Name: p.name}
			identity = false
		}
		exprs = append(exprs, m)
	}
	if identity && len(exprs) == us.NumFields() {
		return up, nil
	}
	return plan.NewProject(up, exprs)
}

// build returns the rewritten plan for the original aggregate a.
func (sp *split) build(a *plan.Aggregate) (plan.Node, error) {
	nm := newNamer(sp.j.Schema(), a.Schema())
	low, err := sp.lower(nm)
	if err != nil {
		return nil, err
	}
	l, r := plan.Node(low), sp.s
	if sp.side == 1 {
		l, r = sp.s, low
	}
	j, err := rebuildJoin(sp.j, l, r, sp.j.Type, sp.j.On, sp.j.Filter)
	if err != nil {
		return nil, err
	}
	up, err := sp.upper(j, nm)
	if err != nil {
		return nil, err
	}
	out, err := sp.final(up)
	if err != nil {
		return nil, err
	}
	if err := sameSchema(a.Schema(), out.Schema()); err != nil {
		return nil, fmt.Errorf("%w: pre-aggregation changed the schema: %v", errInternal, err)
	}
	return out, nil
}
