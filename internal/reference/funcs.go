package reference

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
)

func (ev *evaluator) call(n *expr.Call) (any, error) {
	if n.Func == expr.FnCoalesce {
		out := ev.typeOf(n)
		for _, a := range n.Args {
			v, err := ev.eval(a)
			if err != nil {
				return nil, err
			}
			if v != nil {
				return coerce(v, ev.typeOf(a), out)
			}
		}
		return nil, nil
	}
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	for _, v := range args {
		if v == nil {
			return nil, nil
		}
	}
	switch n.Func {
	case expr.FnLower:
		return strings.ToLower(args[0].(string)), nil
	case expr.FnUpper:
		return strings.ToUpper(args[0].(string)), nil
	case expr.FnLength:
		return int64(len(chars(args[0].(string)))), nil
	case expr.FnSubstring:
		return substring(args[0].(string), clampInt64(args[1]), clampInt64(args[2])), nil
	case expr.FnConcat:
		var sb strings.Builder
		for _, v := range args {
			sb.WriteString(v.(string))
		}
		return sb.String(), nil
	case expr.FnContains:
		return strings.Contains(args[0].(string), args[1].(string)), nil
	case expr.FnStartsWith:
		return strings.HasPrefix(args[0].(string), args[1].(string)), nil
	case expr.FnEndsWith:
		return strings.HasSuffix(args[0].(string), args[1].(string)), nil
	case expr.FnLike:
		return like(args[0].(string), args[1].(string)), nil
	case expr.FnYear, expr.FnMonth, expr.FnDay:
		return datePart(n.Func, args[0], ev.typeOf(n.Args[0]))
	}
	return nil, fmt.Errorf("internal error: unknown function %s", n.Func)
}

// chars splits s into characters: the byte strings of its runes, each
// invalid byte being one character.
func chars(s string) []string {
	var out []string
	start := -1
	for i := range s {
		if start >= 0 {
			out = append(out, s[start:i])
		}
		start = i
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// clampInt64 converts an integer value to int64, saturating uint64 values
// above MaxInt64.
func clampInt64(v any) int64 {
	b, _ := bigOf(v)
	if !b.IsInt64() {
		return math.MaxInt64
	}
	return b.Int64()
}

// substring implements Spark's substringSQL(pos, length) on characters.
func substring(s string, pos, length int64) string {
	cs := chars(s)
	n := big.NewInt(int64(len(cs)))
	start := new(big.Int)
	switch {
	case pos > 0:
		start.SetInt64(pos - 1)
	case pos < 0:
		start.Add(n, big.NewInt(pos))
	}
	end := new(big.Int).Add(start, big.NewInt(length))
	if start.Sign() < 0 {
		start.SetInt64(0)
	}
	if end.Cmp(n) > 0 {
		end.Set(n)
	}
	if start.Cmp(end) >= 0 {
		return ""
	}
	return strings.Join(cs[start.Int64():end.Int64()], "")
}

// like matches s against a LIKE pattern with dynamic programming over
// characters.
func like(s, pattern string) bool {
	type tok struct {
		kind byte // 'c' literal, '_' one character, '%' any run
		lit  string
	}
	var toks []tok
	pc := chars(pattern)
	for i := 0; i < len(pc); i++ {
		switch c := pc[i]; {
		case c == "\\" && i+1 < len(pc):
			i++
			toks = append(toks, tok{kind: 'c', lit: pc[i]})
		case c == "%":
			toks = append(toks, tok{kind: '%'})
		case c == "_":
			toks = append(toks, tok{kind: '_'})
		default:
			toks = append(toks, tok{kind: 'c', lit: c})
		}
	}
	sc := chars(s)
	// m[j] reports whether the first i characters of s match toks[:j].
	m := make([]bool, len(toks)+1)
	m[0] = true
	for j, t := range toks {
		m[j+1] = m[j] && t.kind == '%'
	}
	for _, c := range sc {
		next := make([]bool, len(toks)+1)
		for j, t := range toks {
			switch t.kind {
			case '%':
				next[j+1] = next[j] || m[j+1]
			case '_':
				next[j+1] = m[j]
			default:
				next[j+1] = m[j] && t.lit == c
			}
		}
		m = next
	}
	return m[len(toks)]
}

// datePart extracts the year, month or day of a date32 or timestamp.
func datePart(f expr.Func, v any, t arrow.DataType) (any, error) {
	var days int64
	switch x := v.(type) {
	case arrow.Date32:
		days = int64(x)
	case arrow.Timestamp:
		days, _ = floorDiv(int64(x), ticksPerDay(t))
	}
	y, m, d := civil(days)
	switch f {
	case expr.FnYear:
		if y < math.MinInt32 || y > math.MaxInt32 {
			return nil, fmt.Errorf("%w: year %d does not fit int32", expr.ErrOverflow, y)
		}
		return int32(y), nil
	case expr.FnMonth:
		return int32(m), nil
	}
	return int32(d), nil
}
