package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/internal/datagen"
)

// TestSmallRun runs the example on a small data set and checks the
// deterministic part of its output: both plans agree, and the join of the
// natural plan emits fan-out times more rows.
func TestSmallRun(t *testing.T) {
	cfg := datagen.RowExplosion{Entities: 20, Groups: 10, Fine: 5, Fanout: 4, DimKeys: 7, Seed: 1}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, cfg, true))
	text := out.String()
	require.Contains(t, text, "fact: 1000 rows (20 entities × 10 groups × 5 fine rows); dim: 40 rows (fan-out 4 per group)")
	require.Contains(t, text, "same result: true; aggregating the fact table first made the join emit 5.0× fewer rows")
	require.Regexp(t, `as written, rule off\s+4000\s`, text)
	require.Regexp(t, `as written, optimized\s+800\s`, text)
	require.Regexp(t, `aggregate first\s+800\s`, text)
	require.Contains(t, text, "fan-out ×4.0")
}
