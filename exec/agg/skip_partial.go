package agg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/grainql/grain/exec"
)

// DefaultProbeRows is the default probe window of adaptive partial
// aggregation: the input rows a partition aggregates before it decides
// whether aggregating pays (DataFusion's
// skip_partial_aggregation_probe_rows_threshold).
const DefaultProbeRows = 100_000

// DefaultRatioThreshold is the default reduction threshold of adaptive
// partial aggregation: a partition that holds at least this many groups per
// input row at the end of its probe window passes the rest of its input
// through (DataFusion's skip_partial_aggregation_probe_ratio_threshold).
const DefaultRatioThreshold = 0.8

// SkipPartial configures adaptive partial aggregation, Spark's and
// DataFusion's "skip partial aggregation". A Partial-mode aggregation with
// group keys watches its reduction over its first ProbeRows input rows.
// When it ends the window with groups ÷ input rows ≥ RatioThreshold
// (nearly every row a new group), aggregating before the exchange only
// costs hashing and memory, so the operator switches to pass-through: it
// outputs the groups it holds, frees its state, and turns every further
// input batch directly into partial-state rows, one per input row, with no
// hashing. The Final aggregation merges those rows like any other partial
// states, so the result does not change.
//
// The decision is taken once per partition, when the window is full; a
// partition that sees fewer rows never switches. Global aggregates (no
// group keys) never switch: they hold one group.
type SkipPartial struct {
	// ProbeRows is the probe window, in input rows. 0 means
	// DefaultProbeRows; negative is invalid.
	ProbeRows int64
	// RatioThreshold is the groups per input row at or above which the
	// aggregation switches to pass-through. 0 means DefaultRatioThreshold;
	// a negative value disables switching (so does a value above 1, which
	// no ratio reaches). A tiny positive value, below 1/ProbeRows, makes
	// every partition that fills its window switch.
	RatioThreshold float64
}

// check reports a negative probe window or a NaN threshold.
func (s SkipPartial) check() error {
	if s.ProbeRows < 0 {
		return fmt.Errorf("agg: skip partial: probe rows %d: %w", s.ProbeRows, ErrInvalidSpec)
	}
	if math.IsNaN(s.RatioThreshold) {
		return fmt.Errorf("agg: skip partial: ratio threshold is NaN: %w", ErrInvalidSpec)
	}
	return nil
}

// window returns the probe window, the default for 0.
func (s SkipPartial) window() int64 {
	if s.ProbeRows == 0 {
		return DefaultProbeRows
	}
	return s.ProbeRows
}

// threshold returns the ratio threshold, the default for 0.
func (s SkipPartial) threshold() float64 {
	if s.RatioThreshold == 0 {
		return DefaultRatioThreshold
	}
	return s.RatioThreshold
}

// skipProbe is the running decision of one partition.
//
//	aggregate ──(input rows ≥ window)──► groups/rows ≥ threshold? ──no──► keep aggregating
//	                                                 │yes
//	                                                 ▼
//	              output the groups held, free the table ──► pass-through:
//	              every input batch ──state kernels──► partial-state rows
type skipProbe struct {
	armed     bool // still watching: Partial mode, grouped, enabled, undecided
	window    int64
	threshold float64
}

// newSkipProbe returns the probe of an aggregation with spec.
func newSkipProbe(spec Spec) skipProbe {
	s := spec.SkipPartial
	return skipProbe{
		armed:     spec.Mode == Partial && len(spec.GroupBy) > 0 && s.RatioThreshold >= 0,
		window:    s.window(),
		threshold: s.threshold(),
	}
}

// decide reports whether an aggregation that has read rows input rows into
// groups groups should switch to pass-through now. It decides at most once:
// after the window is full it disarms, whatever the answer.
func (p *skipProbe) decide(groups int, rows int64) bool {
	if !p.armed || rows < p.window {
		return false
	}
	p.armed = false
	return float64(groups) >= p.threshold*float64(rows)
}

// startPassing switches the operator to pass-through after the batch that
// filled the probe window. The groups held so far are output first; the
// state is freed once they are out (see Next).
func (o *hashAggOp) startPassing() {
	o.passing = true
	if o.m != nil {
		o.m.NewCounter("skipped partial").Value.Add(1)
		o.passRows = o.m.NewCounter("passthrough rows")
	}
}

// passNext returns the next input batch as partial-state rows, skipping
// empty batches.
func (o *hashAggOp) passNext(ctx context.Context) (exec.Batch, error) {
	for !o.inputDone {
		if err := ctx.Err(); err != nil {
			return exec.Batch{}, err
		}
		b, err := o.input.Next(ctx)
		if errors.Is(err, io.EOF) {
			o.inputDone = true
			break
		}
		if err != nil {
			return exec.Batch{}, err
		}
		n := b.Len()
		if n == 0 {
			b.Release()
			continue
		}
		out := o.pass.convert(b)
		b.Release()
		if o.m != nil {
			o.passRows.Value.Add(int64(n))
			o.rowsCtr.Value.Add(int64(n))
		}
		return out, nil
	}
	o.pass.release()
	return exec.Batch{}, io.EOF
}
