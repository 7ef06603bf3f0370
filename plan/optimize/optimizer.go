package optimize

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

var (
	// ErrSchemaChanged reports a rule that changed the plan's output
	// schema (column names, types or qualifiers), which is always a bug in
	// the rule. The error names the rule; disabling it works around the bug.
	ErrSchemaChanged = errors.New("rule changed the output schema")
	// ErrUnknownRule reports a Config.Disabled name that matches no rule.
	ErrUnknownRule = errors.New("unknown rule")
)

// Optimize rewrites n with the configured rules (DefaultRules unless
// cfg.Rules is set), pass after pass, until a pass changes nothing or
// cfg.MaxPasses passes have run. Within a pass the rules run in order, each
// over the whole plan. After every rule that changed the plan the root's
// output schema is compared with the original's (names, types and
// qualifiers; nullability may only widen), and a difference is an error
// wrapping ErrSchemaChanged that names the rule.
//
// The returned trace lists every rule application that changed the plan,
// with the plan text before and after and the rule's notes. cfg may be nil.
// Optimize never modifies n (plans are immutable) or cfg.
func Optimize(n plan.Node, cfg *Config) (plan.Node, *Trace, error) {
	rules, err := cfg.rules()
	if err != nil {
		return nil, nil, err
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.run = &runState{}
	want := n.Schema()
	tr := &Trace{}
	for pass := 1; pass <= c.maxPasses(); pass++ {
		tr.Passes = pass
		changedPass := false
		for _, r := range rules {
			c.run.notes = nil
			out, changed, err := apply(r, n, &c)
			if err != nil {
				return nil, tr, fmt.Errorf("optimize: rule %s: %w", r.Name(), err)
			}
			if !changed {
				continue
			}
			if err := sameSchema(want, out.Schema()); err != nil {
				return nil, tr, fmt.Errorf("optimize: rule %s: %w: %v", r.Name(), ErrSchemaChanged, err)
			}
			tr.Steps = append(tr.Steps, Step{
				Pass: pass, Rule: r.Name(), Before: plan.Format(n), After: plan.Format(out),
				Notes: c.run.notes,
			})
			n, changedPass = out, true
		}
		if !changedPass {
			break
		}
	}
	return n, tr, nil
}

// apply runs one rule over the plan in the rule's order and reports
// whether any invocation changed something.
func apply(r Rule, n plan.Node, c *Config) (plan.Node, bool, error) {
	if r.Order() == Self {
		return r.Rewrite(n, c)
	}
	fired := false
	f := func(x plan.Node) (plan.Node, error) {
		out, changed, err := r.Rewrite(x, c)
		if err != nil || !changed {
			return x, err
		}
		fired = true
		return out, nil
	}
	var out plan.Node
	var err error
	if r.Order() == TopDown {
		out, err = plan.TransformDown(n, f)
	} else {
		out, err = plan.Transform(n, f)
	}
	if err != nil || !fired {
		return n, false, err
	}
	return out, true, nil
}

// sameSchema checks that got has want's column names, types and
// qualifiers, in order.
func sameSchema(want, got *arrow.Schema) error {
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("%d columns instead of %d", got.NumFields(), want.NumFields())
	}
	for i := range want.Fields() {
		w, g := want.Field(i), got.Field(i)
		switch {
		case w.Name != g.Name:
			return fmt.Errorf("column %d is named %q instead of %q", i+1, g.Name, w.Name)
		case !arrow.TypeEqual(w.Type, g.Type):
			return fmt.Errorf("column %q is %s instead of %s", w.Name, g.Type, w.Type)
		case expr.FieldQualifier(w) != expr.FieldQualifier(g):
			return fmt.Errorf("column %q has qualifier %q instead of %q", w.Name, expr.FieldQualifier(g), expr.FieldQualifier(w))
		case w.Nullable && !g.Nullable:
			return fmt.Errorf("column %q became non-nullable", w.Name)
		}
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
