package optimize

import (
	"strings"
)

// Trace records what an optimization did, for EXPLAIN VERBOSE and tests.
type Trace struct {
	// Steps are the rule applications that changed the plan, in order.
	Steps []Step
	// Passes is the number of passes run (the last one changed nothing
	// unless the pass limit stopped the optimizer).
	Passes int
}

// Step is one rule application that changed the plan.
type Step struct {
	Pass   int      // 1-based pass number
	Rule   string   // the rule's Name
	Before string   // plan.Format of the whole plan before the rule
	After  string   // plan.Format of the whole plan after it
	Notes  []string // the rule's explanations (Config.Note), if any
}

// Fired reports whether the named rule changed the plan at least once.
func (t *Trace) Fired(rule string) bool {
	for _, s := range t.Steps {
		if s.Rule == rule {
			return true
		}
	}
	return false
}

// Notes returns every note recorded by the named rule, in order.
func (t *Trace) Notes(rule string) []string {
	var out []string
	for _, s := range t.Steps {
		if s.Rule == rule {
			out = append(out, s.Notes...)
		}
	}
	return out
}

// Rules returns the names of the rules that fired, in order of first
// firing, each once.
func (t *Trace) Rules() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range t.Steps {
		if !seen[s.Rule] {
			seen[s.Rule] = true
			out = append(out, s.Rule)
		}
	}
	return out
}

// String renders the trace as EXPLAIN VERBOSE shows it: for each step the
// pass and rule, its notes, then the plan before and after.
//
//	pass 1: push_down_filter
//	  before:
//	    Filter: a > 3
//	      Scan: t
//	  after:
//	    Scan: t filters=[a > 3]
func (t *Trace) String() string {
	var sb strings.Builder
	for _, s := range t.Steps {
		sb.WriteString("pass " + itoa(s.Pass) + ": " + s.Rule + "\n")
		for _, n := range s.Notes {
			sb.WriteString("  note: " + n + "\n")
		}
		sb.WriteString("  before:\n")
		sb.WriteString(indent(s.Before, "    "))
		sb.WriteString("  after:\n")
		sb.WriteString(indent(s.After, "    "))
	}
	if len(t.Steps) == 0 {
		sb.WriteString("no rule changed the plan\n")
	}
	return sb.String()
}

// indent prefixes every line of text.
func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	var sb strings.Builder
	for _, l := range lines {
		if l != "" {
			sb.WriteString(prefix + l)
		}
	}
	return sb.String()
}
