package optimize

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/plan"
)

// namedPlans are the plans the golden files refer to by name.
var namedPlans = map[string]func(ts *tables) pb{
	// --- simplify_expressions, eliminate_filter, propagate_empty ---
	"fold_constants": func(ts *tables) pb {
		return scan(ts.t, "").project(
			C("a").Add(L(1).Add(L(2))).As("x"),
			L(int32(2)).Mul(L(int32(3))),
			C("c").Gt(L(1.5)).And(L(true)).As("z"),
			L(7).Div(L(0)).As("boom"),
			L(int8(100)).Add(L(int8(100))).As("overflow"),
			L(nil).Add(C("a")).As("null_plus"),
			expr.Coalesce(L(nil), C("b"), L("none")).As("co"),
			C("c").Cast(arrow.PrimitiveTypes.Float64).As("same_cast"),
		)
	},
	"filter_and_false": func(ts *tables) pb {
		return scan(ts.t, "").filter(C("a").Gt(L(1)).And(L(false))).project(C("a"), C("b"))
	},
	"filter_eq_null": func(ts *tables) pb {
		return scan(ts.t, "").filter(C("b").Eq(L(nil)))
	},
	"filter_or_true": func(ts *tables) pb {
		return scan(ts.t, "").filter(C("a").Gt(L(1)).Or(L(true)))
	},
	"keep_failing_operand": func(ts *tables) pb {
		return scan(ts.t, "").filter(C("a").Div(L(0)).Gt(L(1)).And(L(false)))
	},
	"not_not": func(ts *tables) pb {
		return scan(ts.t, "").filter(expr.Not(expr.Not(C("a").Gt(L(1)))).And(expr.Not(C("d").Lt(L(3)))))
	},
	"empty_join": func(ts *tables) pb {
		return scan(ts.t, "").filter(L(1).Gt(L(2))).
			join(scan(ts.u, "u"), plan.JoinInner, nil, key(C("a"), C("a"))).
			agg(es(C("b")), expr.CountStar())
	},
	"empty_global_aggregate": func(ts *tables) pb {
		return scan(ts.t, "").filter(L(nil)).agg(nil, expr.CountStar().As("n"), expr.Sum(C("a")))
	},
	// --- merges ---
	"merge_filters": func(ts *tables) pb {
		return scan(ts.t, "").project(C("a"), C("c")).filter(C("a").Gt(L(1))).filter(C("c").Lt(L(5.0)))
	},
	"merge_filters_failing": func(ts *tables) pb {
		return scan(ts.t, "").distinct().filter(C("b").IsNull()).filter(L(10).Div(C("a")).Gt(L(1)))
	},
	"merge_projections": func(ts *tables) pb {
		return scan(ts.t, "").
			project(C("a"), C("c").Mul(L(2.0)).As("c2"), C("b").As("bb")).
			project(C("c2").Add(L(1.0)).As("c3"), C("bb"), C("a"))
	},
	// --- push_down_filter ---
	"filter_over_project": func(ts *tables) pb {
		return scan(ts.t, "").project(C("c").Mul(L(2.0)).As("x"), C("b")).filter(C("x").Gt(L(3.0)).And(C("b").Eq(L("a"))))
	},
	"filter_failing_stays": func(ts *tables) pb {
		return scan(ts.t, "").filter(L(100).Div(C("a")).Gt(L(5)).And(C("b").Eq(L("a"))))
	},
	"filter_inner_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "entity").Lt(L(10)).And(Q("d", "weight").Gt(L(2.0))).And(Q("f", "metric").Gt(Q("d", "weight"))))
	},
	"filter_left_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinLeft, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "entity").Lt(L(10)).And(Q("d", "weight").Gt(L(2.0))))
	},
	"filter_right_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinRight, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "entity").Lt(L(10)).And(Q("d", "weight").Gt(L(2.0))))
	},
	"filter_full_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinFull, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "entity").Lt(L(10)).And(Q("d", "weight").Gt(L(2.0))))
	},
	"filter_semi_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinSemi, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "entity").Lt(L(10)))
	},
	"residual_left_join": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinLeft,
			Q("d", "weight").Gt(L(2.0)).And(Q("f", "metric").Gt(L(10.0))).And(Q("f", "fine_id").Eq(Q("d", "dim_key"))),
			key(C("grp"), C("grp")))
	},
	"where_equality_to_key": func(ts *tables) pb {
		return scan(ts.t, "t").join(scan(ts.u, "u"), plan.JoinCross, nil).
			filter(Q("t", "a").Eq(Q("u", "a")).And(Q("t", "b").Eq(Q("u", "e")).Or(Q("u", "f").IsNull())))
	},
	"filter_through_aggregate": func(ts *tables) pb {
		return scan(ts.fact, "").agg(es(C("grp"), C("metric")), expr.CountStar().As("n")).
			filter(C("grp").Gt(L(3)).And(C("n").Gt(L(1))).And(C("metric").Gt(L(5.0))))
	},
	"filter_into_union": func(ts *tables) pb {
		return union(scan(ts.t, "").project(C("d"), C("b")), scan(ts.t2, "").project(C("x"), C("y"))).
			filter(C("d").Gt(L(3)))
	},
	// --- push_down_limit ---
	"limit_project_sort": func(ts *tables) pb {
		return scan(ts.t, "").sort(plan.Desc(C("c"))).project(C("a"), C("c")).limit(2, 5)
	},
	"limit_union": func(ts *tables) pb {
		return union(scan(ts.t, "").project(C("a")), scan(ts.u, "").project(C("a"))).limit(1, 3).limit(0, 2)
	},
	"limit_zero": func(ts *tables) pb {
		return scan(ts.t, "").project(C("a")).limit(0, 0)
	},
	// --- prune_columns ---
	"prune_join": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			project(C("entity"), C("weight"))
	},
	"prune_aggregate": func(ts *tables) pb {
		return scan(ts.t, "").agg(es(C("b")), expr.Sum(C("a")).As("s"), expr.Max(C("c")).As("m")).project(C("b"), C("m"))
	},
	"prune_count_star": func(ts *tables) pb {
		return scan(ts.t, "").agg(nil, expr.CountStar().As("n"))
	},
	"prune_union": func(ts *tables) pb {
		return union(scan(ts.t, ""), scan(ts.t2, "")).project(C("b"))
	},
	// --- push_aggregate_below_join ---
	"row_explosion": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			project(C("entity"), C("dim_key"), C("metric"), C("weight")).
			agg(es(C("entity"), C("dim_key")), expr.Sum(C("metric").Mul(C("weight"))).As("total"))
	},
	"preagg_all_kinds": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(es(Q("f", "entity").Mod(L(7)).As("bucket"), C("dim_key")),
				expr.CountStar().As("n"), expr.Count(C("metric")).As("cnt"), expr.Avg(C("metric")).As("mean"),
				expr.Min(C("fine_id")).As("lo"), expr.Max(C("weight")).As("w_hi"),
				expr.Sum(Q("d", "weight").Mul(C("metric"))).As("weighted"), expr.Sum(C("metric")))
	},
	"preagg_left_join": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinLeft, nil, key(C("grp"), C("grp"))).
			agg(es(C("dim_key")), expr.Sum(C("metric")).As("total"), expr.CountStar().As("n"))
	},
	"preagg_global": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(nil, expr.Sum(C("metric")).As("total"), expr.Count(C("entity")).As("n"), expr.Avg(C("fine_id")).As("avg_id"))
	},
	"preagg_count_distinct": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(es(C("dim_key")), expr.CountDistinct(C("entity")).As("entities"))
	},
	"preagg_null_supplying_side": func(ts *tables) pb {
		return scan(ts.dim, "").join(scan(ts.fact, ""), plan.JoinLeft, nil, key(C("grp"), C("grp"))).
			agg(es(C("dim_key")), expr.Sum(C("metric")).As("total"))
	},
	"preagg_unique_key": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dimU, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(es(C("entity")), expr.Sum(C("weight")).As("total"))
	},
	"preagg_float_join_key": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("metric"), C("weight"))).
			agg(es(C("dim_key")), expr.Sum(C("entity")).As("total"))
	},
	"preagg_float_key_expression": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(es(C("metric").Cast(arrow.BinaryTypes.String).As("m")), expr.Sum(C("entity")).As("total"))
	},
	"preagg_mixed_aggregate": func(ts *tables) pb {
		return scan(ts.fact, "").join(scan(ts.dim, ""), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			agg(es(C("dim_key")), expr.Sum(C("metric").Add(C("weight"))).As("total"))
	},
	"preagg_with_filters": func(ts *tables) pb {
		return scan(ts.fact, "f").join(scan(ts.dim, "d"), plan.JoinInner, nil, key(C("grp"), C("grp"))).
			filter(Q("f", "metric").Gt(L(10.0)).And(Q("d", "dim_key").Lt(L(20)))).
			agg(es(C("entity")), expr.Sum(C("metric").Mul(C("weight"))).As("total")).
			sort(plan.Desc(C("total"))).limit(0, 10)
	},
}
