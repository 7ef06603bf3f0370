package expr

import (
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Func names a scalar function.
type Func uint8

// Scalar functions. Unless noted, a NULL argument gives a NULL result.
const (
	FnCoalesce   Func = iota // first non-NULL argument
	FnLower                  // lower(s)
	FnUpper                  // upper(s)
	FnLength                 // length(s) in characters, int64
	FnSubstring              // substring(s, start, length): 1-based start, as Spark
	FnConcat                 // concat(s1, s2, ...): NULL if any argument is NULL
	FnContains               // contains(s, sub)
	FnStartsWith             // starts_with(s, prefix)
	FnEndsWith               // ends_with(s, suffix)
	FnLike                   // like(s, pattern): SQL LIKE with % and _, escape \
	FnYear                   // year(date or timestamp), int32
	FnMonth                  // month(date or timestamp), int32
	FnDay                    // day(date or timestamp), int32
)

var funcNames = [...]string{"coalesce", "lower", "upper", "length", "substring", "concat",
	"contains", "starts_with", "ends_with", "like", "year", "month", "day"}

func (f Func) String() string { return funcNames[f] }

// Call applies a scalar function to arguments.
type Call struct {
	Func Func
	Args []Expr
}

func call(f Func, args ...Expr) E { return wrap(&Call{Func: f, Args: unwrapAll(args)}) }

// Coalesce returns the first non-NULL argument.
func Coalesce(args ...Expr) E { return call(FnCoalesce, args...) }

// Lower lower-cases a string.
func Lower(s Expr) E { return call(FnLower, s) }

// Upper upper-cases a string.
func Upper(s Expr) E { return call(FnUpper, s) }

// Length counts the characters (runes) of a string.
func Length(s Expr) E { return call(FnLength, s) }

// Substring returns length characters of s starting at 1-based position start.
func Substring(s, start, length Expr) E { return call(FnSubstring, s, start, length) }

// Concat joins strings.
func Concat(args ...Expr) E { return call(FnConcat, args...) }

// Contains reports whether s contains sub.
func Contains(s, sub Expr) E { return call(FnContains, s, sub) }

// StartsWith reports whether s begins with prefix.
func StartsWith(s, prefix Expr) E { return call(FnStartsWith, s, prefix) }

// EndsWith reports whether s ends with suffix.
func EndsWith(s, suffix Expr) E { return call(FnEndsWith, s, suffix) }

// Like matches s against a SQL LIKE pattern (% any run, _ one character).
func Like(s, pattern Expr) E { return call(FnLike, s, pattern) }

// Year extracts the year of a date or timestamp.
func Year(d Expr) E { return call(FnYear, d) }

// Month extracts the month (1–12) of a date or timestamp.
func Month(d Expr) E { return call(FnMonth, d) }

// Day extracts the day of month (1–31) of a date or timestamp.
func Day(d Expr) E { return call(FnDay, d) }

// DateAdd adds days to a date (date + days).
func DateAdd(d, days Expr) E { return NewBinary(OpAdd, d, days) }

// DateSub subtracts days from a date (date - days).
func DateSub(d, days Expr) E { return NewBinary(OpSub, d, days) }

func (c *Call) String() string {
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = a.String()
	}
	return c.Func.String() + "(" + strings.Join(args, ", ") + ")"
}

func (c *Call) Children() []Expr { return c.Args }
func (c *Call) WithChildren(ch []Expr) Expr {
	mustArity(c.Func.String(), ch, len(c.Args))
	return &Call{Func: c.Func, Args: unwrapAll(ch)}
}
func (*Call) isExpr() {}

// Type checks the argument types of the function and returns its result type.
func (c *Call) Type(in *arrow.Schema) (arrow.DataType, error) {
	ts := make([]arrow.DataType, len(c.Args))
	for i, a := range c.Args {
		t, err := a.Type(in)
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	switch c.Func {
	case FnCoalesce:
		if len(ts) == 0 {
			return nil, typeErr(c, "coalesce needs at least one argument")
		}
		var out arrow.DataType = arrow.Null
		for _, a := range c.Args {
			var err error
			if out, err = unify(c, out, a, in); err != nil {
				return nil, err
			}
		}
		return out, nil
	case FnLower, FnUpper:
		return arrow.BinaryTypes.String, c.want(ts, isStringy)
	case FnLength:
		return arrow.PrimitiveTypes.Int64, c.want(ts, isStringy)
	case FnSubstring:
		return arrow.BinaryTypes.String, c.want(ts, isStringy, isIntegral, isIntegral)
	case FnConcat:
		if len(ts) == 0 {
			return nil, typeErr(c, "concat needs at least one argument")
		}
		for i, t := range ts {
			if !isStringy(t) {
				return nil, typeErr(c, "argument %d of concat is %s, not string", i+1, t)
			}
		}
		return arrow.BinaryTypes.String, nil
	case FnContains, FnStartsWith, FnEndsWith, FnLike:
		return arrow.FixedWidthTypes.Boolean, c.want(ts, isStringy, isStringy)
	default: // year, month, day
		return arrow.PrimitiveTypes.Int32, c.want(ts, isTemporalish)
	}
}

func isStringy(t arrow.DataType) bool     { return IsString(t) || IsNullType(t) }
func isIntegral(t arrow.DataType) bool    { return IsInteger(t) || IsNullType(t) }
func isTemporalish(t arrow.DataType) bool { return IsTemporal(t) || IsNullType(t) }

// want checks the argument count and each argument's type class.
func (c *Call) want(ts []arrow.DataType, checks ...func(arrow.DataType) bool) error {
	if len(ts) != len(checks) {
		return typeErr(c, "%s takes %d arguments, got %d", c.Func, len(checks), len(ts))
	}
	for i, ok := range checks {
		if !ok(ts[i]) {
			return typeErr(c, "argument %d of %s has unsupported type %s", i+1, c.Func, ts[i])
		}
	}
	return nil
}
