package frame

import (
	"fmt"
	"strings"

	"github.com/grainql/grain/plan"
	"github.com/grainql/grain/plan/optimize"
	"github.com/grainql/grain/plan/physical"
)

// DisableRules returns df with the named optimizer rules turned off for
// its actions (in addition to the session's WithDisabledRules), e.g. to
// measure a query with and without push_aggregate_below_join.
func (df *DataFrame) DisableRules(names ...string) *DataFrame {
	if df.err != nil {
		return df
	}
	out := *df
	out.disabled = append(append([]string(nil), df.disabled...), names...)
	return &out
}

// optimized returns the plan the actions run: df's logical plan rewritten
// by the optimizer (unless the session turned it off), and the trace of
// what each rule did.
func (df *DataFrame) optimized() (plan.Node, *optimize.Trace, error) {
	if df.s.cfg.OptimizerOff {
		return df.node, &optimize.Trace{}, nil
	}
	cfg := &optimize.Config{
		Disabled:           append(append([]string(nil), df.s.cfg.DisabledRules...), df.disabled...),
		PreAggMinReduction: df.s.cfg.PreAggMinReduction,
	}
	n, trace, err := optimize.Optimize(df.node, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("optimize: %w", err)
	}
	return n, trace, nil
}

// ExplainMode selects what Explain prints.
type ExplainMode uint8

const (
	// ExplainDefault prints the logical plan with estimates, the
	// optimized plan with the rewrites that fired, and the physical plan.
	ExplainDefault ExplainMode = iota
	// ExplainVerbose adds every rule's before and after plans.
	ExplainVerbose
)

// Explain describes how df would run, without running it: the logical
// plan as written, with estimated rows per node and a "fan-out ×N" flag on
// joins expected to multiply rows; the optimized plan with the note of
// each rewrite that fired (such as eager pre-aggregation below a fan-out
// join, with the estimate that made it fire); and the physical plan by
// stage, with exchanges, partition counts and each join's strategy and
// reason. ExplainVerbose adds the optimizer's full trace.
func (df *DataFrame) Explain(mode ...ExplainMode) (string, error) {
	if df.err != nil {
		return "", df.err
	}
	opt, trace, err := df.optimized()
	if err != nil {
		return "", actionErr("Explain", err)
	}
	p, err := physical.Compile(opt, df.s.plannerConfig(), df.s.cfg.BatchSize)
	if err != nil {
		return "", actionErr("Explain", err)
	}
	var sb strings.Builder
	sb.WriteString("== Logical plan ==\n")
	sb.WriteString(optimize.FormatWithEstimates(df.node))
	sb.WriteString("\n== Optimized plan ==\n")
	sb.WriteString(optimize.FormatWithEstimates(opt))
	for _, rule := range trace.Rules() {
		for _, note := range trace.Notes(rule) {
			fmt.Fprintf(&sb, "note: %s: %s\n", rule, note)
		}
	}
	if len(mode) > 0 && mode[0] == ExplainVerbose {
		sb.WriteString("\n== Optimizer trace ==\n")
		sb.WriteString(trace.String())
	}
	sb.WriteString("\n== Physical plan ==\n")
	sb.WriteString(p.Explain())
	return sb.String(), nil
}
