package plan

import (
	"strconv"
	"strings"
)

// JoinType is the kind of a Join.
type JoinType uint8

// Join types. Outer joins pad the missing side with NULLs; Semi keeps each
// left row that has at least one match, Anti each left row that has none
// (both output the left columns only, each left row at most once); Cross
// pairs every left row with every right row and takes no keys.
const (
	JoinInner JoinType = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinSemi
	JoinAnti
	JoinCross
)

var joinTypeNames = [...]string{"inner", "left", "right", "full", "semi", "anti", "cross"}

// String returns the lower-case name ("inner", "left", …).
func (t JoinType) String() string {
	if int(t) < len(joinTypeNames) {
		return joinTypeNames[t]
	}
	return "join_type(" + strconv.Itoa(int(t)) + ")"
}

// valid reports whether t is one of the declared join types.
func (t JoinType) valid() bool { return int(t) < len(joinTypeNames) }

// LeftOnly reports whether the output has the left columns only (Semi, Anti).
func (t JoinType) LeftOnly() bool { return t == JoinSemi || t == JoinAnti }

// PadsLeft reports whether unmatched right rows appear with NULL left
// columns (Right and Full joins).
func (t JoinType) PadsLeft() bool { return t == JoinRight || t == JoinFull }

// PadsRight reports whether unmatched left rows appear with NULL right
// columns (Left and Full joins).
func (t JoinType) PadsRight() bool { return t == JoinLeft || t == JoinFull }

// BroadcastSide names the join input a hint asks to broadcast.
type BroadcastSide uint8

// Broadcast sides.
const (
	BroadcastNone BroadcastSide = iota
	BroadcastLeft
	BroadcastRight
)

var broadcastNames = [...]string{"none", "left", "right"}

// String returns "none", "left" or "right".
func (b BroadcastSide) String() string {
	if int(b) < len(broadcastNames) {
		return broadcastNames[b]
	}
	return "broadcast_side(" + strconv.Itoa(int(b)) + ")"
}

// JoinStrategy is the physical join algorithm a hint asks for.
type JoinStrategy uint8

// Join strategies, named as Spark's join hints.
const (
	StrategyAuto        JoinStrategy = iota // the planner decides from sizes
	StrategyBroadcast                       // broadcast hash join
	StrategyShuffleHash                     // both sides hash-exchanged, per-partition hash join
	StrategySortMerge                       // both sides hash-exchanged and sorted, merge join
)

var strategyNames = [...]string{"auto", "broadcast", "shuffle_hash", "sort_merge"}

// String returns the snake_case name ("auto", "shuffle_hash", …).
func (s JoinStrategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return "strategy(" + strconv.Itoa(int(s)) + ")"
}

// JoinHint is what the user asked of the physical planner. The zero value
// asks nothing. Broadcast names a side to broadcast (it implies the
// broadcast strategy); Strategy asks for an algorithm. Hints are requests:
// the physical planner may ignore one the join cannot honour, such as
// broadcasting the preserved side of an outer join, and says so in EXPLAIN.
type JoinHint struct {
	Broadcast BroadcastSide
	Strategy  JoinStrategy
}

// IsZero reports whether the hint asks nothing.
func (h JoinHint) IsZero() bool { return h == JoinHint{} }

// String renders the non-default parts, e.g. "broadcast=right strategy=broadcast".
func (h JoinHint) String() string {
	var parts []string
	if h.Broadcast != BroadcastNone {
		parts = append(parts, "broadcast="+h.Broadcast.String())
	}
	if h.Strategy != StrategyAuto {
		parts = append(parts, "strategy="+h.Strategy.String())
	}
	return strings.Join(parts, " ")
}

// check validates the hint for a join of type t with nkeys equality keys.
func (h JoinHint) check(t JoinType, nkeys int) error {
	if int(h.Broadcast) >= len(broadcastNames) {
		return invalidf("join", "unknown broadcast side %d", h.Broadcast)
	}
	if int(h.Strategy) >= len(strategyNames) {
		return invalidf("join", "unknown join strategy %d", h.Strategy)
	}
	if h.Broadcast != BroadcastNone && h.Strategy != StrategyAuto && h.Strategy != StrategyBroadcast {
		return invalidf("join", "hint broadcasts the %s side but asks for strategy %s", h.Broadcast, h.Strategy)
	}
	if nkeys == 0 && (h.Strategy == StrategyShuffleHash || h.Strategy == StrategySortMerge) {
		return invalidf("join", "strategy %s needs equality keys; this %s join has none", h.Strategy, t)
	}
	return nil
}
