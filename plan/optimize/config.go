package optimize

import (
	"fmt"
)

// Defaults of Config.
const (
	// DefaultMaxPasses is the number of passes over the rules when
	// Config.MaxPasses is 0.
	DefaultMaxPasses = 3
	// DefaultPreAggMinReduction is Config.PreAggMinReduction's default:
	// pre-aggregate when it is expected to at least halve the rows.
	DefaultPreAggMinReduction = 2.0
)

// Config controls an optimization. The zero value (or a nil *Config) runs
// DefaultRules with the defaults below.
type Config struct {
	// Rules replaces DefaultRules when non-nil.
	Rules []Rule
	// Disabled names rules to skip. Optimize rejects names that match no
	// rule (ErrUnknownRule), so a typo cannot silently disable nothing.
	Disabled []string
	// MaxPasses bounds the passes over the rules; 0 means
	// DefaultMaxPasses. The optimizer stops earlier when a pass changes
	// nothing.
	MaxPasses int
	// PreAggMinReduction is the estimated ratio of input rows to groups at
	// which push_aggregate_below_join pre-aggregates a join input; 0 means
	// DefaultPreAggMinReduction.
	PreAggMinReduction float64

	run *runState // per-optimization state, set on the optimizer's copy
}

// runState is what one optimization shares between rules.
type runState struct {
	est   *Estimates
	notes []string
}

// Estimates returns the cardinality estimates for the current optimization.
// They are memoised per node and shared by every rule of the run, which is
// sound because plan nodes are immutable. Outside an optimization (or for a
// nil cfg) each call returns fresh estimates.
func (c *Config) Estimates() *Estimates {
	if c == nil || c.run == nil {
		return NewEstimates()
	}
	if c.run.est == nil {
		c.run.est = NewEstimates()
	}
	return c.run.est
}

// Note records an explanation for the rewrite the current rule is making;
// the trace keeps it with the step (EXPLAIN VERBOSE shows it). Notes of a
// rule invocation that changes nothing are dropped. Outside an optimization
// Note does nothing.
func (c *Config) Note(format string, args ...any) {
	if c == nil || c.run == nil {
		return
	}
	c.run.notes = append(c.run.notes, fmt.Sprintf(format, args...))
}

func (c *Config) maxPasses() int {
	if c == nil || c.MaxPasses <= 0 {
		return DefaultMaxPasses
	}
	return c.MaxPasses
}

func (c *Config) preAggMinReduction() float64 {
	if c == nil || c.PreAggMinReduction <= 0 {
		return DefaultPreAggMinReduction
	}
	return c.PreAggMinReduction
}

// rules returns the enabled rules, or ErrUnknownRule for a Disabled name
// that matches none.
func (c *Config) rules() ([]Rule, error) {
	all := DefaultRules()
	if c != nil && c.Rules != nil {
		all = c.Rules
	}
	if c == nil || len(c.Disabled) == 0 {
		return all, nil
	}
	off := map[string]bool{}
	for _, name := range c.Disabled {
		off[name] = true
	}
	var out []Rule
	for _, r := range all {
		if off[r.Name()] {
			delete(off, r.Name())
			continue
		}
		out = append(out, r)
	}
	for _, name := range c.Disabled {
		if off[name] {
			return nil, fmt.Errorf("optimize: %w %q", ErrUnknownRule, name)
		}
	}
	return out, nil
}
