package plan

import (
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/expr"
)

// namedPlans are the plans the golden files refer to by name. Each is built
// with the constructors, so a construction error is part of the golden text.
var namedPlans = map[string]func() pb{
	"scan":       func() pb { return scan(factTable, "") },
	"scan_alias": func() pb { return scan(factTable, "f") },
	"scan_pushdown": func() pb {
		return scan(factTable, "f").pushdown([]int{0, 1, 2},
			qcol("f", "metric").Gt(lit(3.0)), col("day").GtEq(expr.Date(2024, 1, 1)))
	},
	"scan_no_columns": func() pb { return scan(factTable, "").pushdown([]int{}) },
	"project": func() pb {
		return scan(factTable, "f").project(col("entity"), col("metric").Mul(lit(2.0)).As("m2"),
			expr.Upper(col("entity")), col("qty").As("q"))
	},
	"filter": func() pb {
		return scan(factTable, "f").filter(col("metric").Gt(lit(3.0)).And(col("entity").NotEq(lit("x"))))
	},
	"aggregate_over_join": func() pb {
		return scan(factTable, "").pushdown([]int{0, 1, 2}).
			join(scan(dimTable, ""), JoinInner, nil, key(col("grp"), col("grp"))).
			project(col("entity"), col("dim_key"), col("metric"), col("weight")).
			agg(es(col("entity"), col("dim_key")), expr.Sum(col("metric").Mul(col("weight"))).As("total"))
	},
	"aggregate_global": func() pb {
		return scan(factTable, "").agg(nil, expr.CountStar(), expr.Count(col("metric")),
			expr.CountDistinct(col("entity")).As("entities"), expr.Avg(col("qty")), expr.Min(col("day")),
			expr.Max(col("entity")))
	},
	"aggregate_group_computed": func() pb {
		return scan(factTable, "f").agg(es(expr.Year(col("day")).As("year"), qcol("f", "grp")),
			expr.Sum(col("qty")), expr.Sum(col("metric")).As("total"))
	},
	"join_inner_qualified": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(col("grp"), col("grp")))
	},
	"join_left":  func() pb { return joinOf(JoinLeft) },
	"join_right": func() pb { return joinOf(JoinRight) },
	"join_full":  func() pb { return joinOf(JoinFull) },
	"join_semi":  func() pb { return joinOf(JoinSemi) },
	"join_anti":  func() pb { return joinOf(JoinAnti) },
	"join_cross": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinCross, nil)
	},
	"join_residual_nulls_equal_hint": func() pb {
		return joinOf(JoinLeft).then(func(n Node) (Node, error) {
			j := n.(*Join)
			j, err := NewJoin(j.Left, j.Right, j.Type, append(j.On, key(col("entity"), col("dim_key"))),
				qcol("f", "metric").Lt(qcol("d", "weight")))
			if err != nil {
				return nil, err
			}
			return j.WithNullsEqual(true).WithHint(JoinHint{Broadcast: BroadcastRight})
		})
	},
	"join_strategy_hint": func() pb {
		return joinOf(JoinInner).then(func(n Node) (Node, error) {
			return n.(*Join).WithHint(JoinHint{Strategy: StrategySortMerge})
		})
	},
	"filter_over_join_qualified": func() pb {
		return joinOf(JoinInner).filter(qcol("f", "grp").Gt(lit(1)).And(col("d.dim_key").Eq(lit("k"))))
	},
	"sort": func() pb {
		return scan(factTable, "").sort(Asc(col("entity")), Desc(col("metric")),
			SortKey{Expr: col("qty"), Desc: true, NullsFirst: true})
	},
	"limit":        func() pb { return scan(factTable, "").limit(0, 10) },
	"limit_offset": func() pb { return scan(factTable, "").limit(5, 10) },
	"offset_only":  func() pb { return scan(factTable, "").limit(5, NoLimit) },
	"distinct":     func() pb { return scan(factTable, "").project(col("entity"), col("grp")).distinct() },
	"union_same": func() pb {
		return union(scan(factTable, "a"), scan(factTable, "b"), scan(factTable, "c"))
	},
	"union_casts": func() pb {
		return union(scan(factTable, "f").project(col("entity"), col("grp"), col("qty")),
			scan(otherTable, "o").project(col("name"), col("g"), col("q")))
	},
	"union_null_column": func() pb {
		return union(scan(factTable, "").project(col("entity"), lit(nil).As("x")),
			scan(factTable, "").project(col("entity"), col("metric")))
	},
	"everything": func() pb {
		f := scan(factTable, "f").pushdown([]int{0, 1, 2, 3}, col("qty").IsNotNull())
		return f.join(scan(dimTable, "d"), JoinInner, nil, key(col("grp"), col("grp"))).
			filter(col("weight").Gt(lit(0.5))).
			agg(es(col("dim_key")), expr.Sum(col("metric").Mul(col("weight"))).As("total"), expr.CountStar().As("n")).
			sort(Desc(col("total"))).
			limit(0, 3)
	},

	// Plans the analyzer rejects; the golden text is the error message.
	"err_filter_unknown_column": func() pb {
		return scan(factTable, "").filter(col("metrc").Gt(lit(3)))
	},
	"err_filter_not_boolean":   func() pb { return scan(factTable, "").filter(col("metric").Add(lit(1))) },
	"err_filter_aggregate":     func() pb { return scan(factTable, "").filter(expr.Sum(col("metric")).Gt(lit(1))) },
	"err_project_aggregate":    func() pb { return scan(factTable, "").project(col("entity"), expr.Max(col("qty"))) },
	"err_project_type":         func() pb { return scan(factTable, "").project(col("entity").Add(lit(1))) },
	"err_ambiguous_after_join": func() pb { return joinOf(JoinInner).project(col("grp")) },
	"err_ambiguous_in_residual": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, col("grp").Gt(lit(0)),
			key(col("grp"), col("grp")))
	},
	"err_join_key_types": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(col("entity"), col("weight")))
	},
	"err_join_key_wrong_side": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinInner, nil, key(col("dim_key"), col("grp")))
	},
	"err_cross_with_keys": func() pb {
		return scan(factTable, "f").join(scan(dimTable, "d"), JoinCross, nil, key(col("grp"), col("grp")))
	},
	"err_hint_conflict": func() pb {
		return joinOf(JoinInner).then(func(n Node) (Node, error) {
			return n.(*Join).WithHint(JoinHint{Broadcast: BroadcastLeft, Strategy: StrategyShuffleHash})
		})
	},
	"err_aggregate_not_agg": func() pb {
		return scan(factTable, "").agg(es(col("entity")), expr.Sum(col("metric")), col("qty").As("q"))
	},
	"err_aggregate_nested": func() pb {
		return scan(factTable, "").agg(nil, expr.Sum(expr.Max(col("metric"))))
	},
	"err_aggregate_sum_string": func() pb { return scan(factTable, "").agg(nil, expr.Sum(col("entity"))) },
	"err_sort_unorderable":     func() pb { return scan(listTable, "").sort(Asc(col("tags"))) },
	"err_limit_negative":       func() pb { return scan(factTable, "").limit(-1, 10) },
	"err_union_arity": func() pb {
		return union(scan(factTable, ""), scan(dimTable, ""))
	},
	"err_union_types": func() pb {
		return union(scan(factTable, "").project(col("entity")), scan(dimTable, "").project(col("weight")))
	},
	"err_pushdown_range": func() pb { return scan(factTable, "").pushdown([]int{0, 7}) },
}

// joinOf joins fact f with dim d on grp with the given type.
func joinOf(t JoinType) pb {
	return scan(factTable, "f").join(scan(dimTable, "d"), t, nil, key(col("grp"), col("grp")))
}

func TestFormatGolden(t *testing.T) {
	datadriven.Walk(t, "../testdata/plan", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var name string
			d.ScanArgs(t, "plan", &name)
			build, ok := namedPlans[name]
			if !ok {
				d.Fatalf(t, "unknown plan %q", name)
			}
			b := build()
			switch d.Cmd {
			case "explain":
				if b.err != nil {
					return "error: " + b.err.Error() + "\n"
				}
				return Format(b.n)
			case "schema":
				require.NoError(t, b.err)
				return FormatSchema(b.n.Schema())
			default:
				d.Fatalf(t, "unknown command %q", d.Cmd)
				return ""
			}
		})
	})
}

// TestNamedPlansCovered makes sure every named plan appears in a golden file,
// so none silently goes untested.
func TestNamedPlansCovered(t *testing.T) {
	used := map[string]bool{}
	datadriven.Walk(t, "../testdata/plan", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			var name string
			d.ScanArgs(t, "plan", &name)
			used[name] = true
			return d.Expected
		})
	})
	var missing []string
	for name := range namedPlans {
		if !used[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "named plans without a golden case: %s", strings.Join(missing, ", "))
}
