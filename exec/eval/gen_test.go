package eval

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/grainql/grain/expr"
	"github.com/grainql/grain/internal/reference"
)

// decider is the source of random decisions for the generators: math/rand
// in the differential test, the fuzzer's bytes in FuzzEval.
type decider interface {
	Intn(n int) int
}

// byteChooser reads decisions from fuzz input (0 once exhausted).
type byteChooser struct {
	data []byte
	pos  int
}

func (b *byteChooser) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	var x int
	for k := 0; k < 2; k++ {
		x <<= 8
		if b.pos < len(b.data) {
			x |= int(b.data[b.pos])
			b.pos++
		}
	}
	return x % n
}

var tsUs = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// genSchema has a column of every type the evaluator supports.
var genSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "j64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
	{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "g64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "c", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "t", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: tsUs, Nullable: true},
	{Name: "tns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
	{Name: "tsec", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
	{Name: "nul", Type: arrow.Null, Nullable: true},
}, nil)

var genStrings = []string{"", "a", "abc", "ABC", "Ünïcode", "ß", "日本語", "a%b", "a_c", `a\b`, "%", "_",
	"\xff", "a\xe2", "€", " 42 ", "-7", "1e3", "NaN", "true", "YES", "0", "2024-02-29",
	"2023-02-29", "1969-12-31 23:59:59.999", "2024-01-02T03:04:05", "9223372036854775808",
	"İ", "ǅ", "abcabc", "bc", "aü€b", "ü€ü", "%ü_", "_€%", "a%€%b", "%_%", "a\\%", "\\_%", "€\xe2\x82"}

// genValue returns a random non-NULL value of type t with many edge cases.
func genValue(r decider, t arrow.DataType) any {
	small := int64(r.Intn(21) - 10)
	pick := r.Intn(10)
	switch t.ID() {
	case arrow.BOOL:
		return r.Intn(2) == 1
	case arrow.INT8:
		return int8(pickInt(pick, small, math.MinInt8, math.MaxInt8))
	case arrow.INT16:
		return int16(pickInt(pick, small, math.MinInt16, math.MaxInt16))
	case arrow.INT32:
		return int32(pickInt(pick, small, math.MinInt32, math.MaxInt32))
	case arrow.INT64:
		return pickInt(pick, small, math.MinInt64, math.MaxInt64)
	case arrow.UINT8:
		return uint8(pickUint(pick, small, math.MaxUint8))
	case arrow.UINT16:
		return uint16(pickUint(pick, small, math.MaxUint16))
	case arrow.UINT32:
		return uint32(pickUint(pick, small, math.MaxUint32))
	case arrow.UINT64:
		return pickUint(pick, small, math.MaxUint64)
	case arrow.FLOAT32:
		return float32(pickFloat(r, pick, small))
	case arrow.FLOAT64:
		return pickFloat(r, pick, small)
	case arrow.STRING, arrow.LARGE_STRING:
		return genStrings[r.Intn(len(genStrings))]
	case arrow.BINARY:
		return []byte(genStrings[r.Intn(len(genStrings))])
	case arrow.DATE32:
		switch pick {
		case 0:
			return arrow.Date32(math.MinInt32)
		case 1:
			return arrow.Date32(math.MaxInt32)
		}
		return arrow.Date32(small*400 + int64(r.Intn(40000)) - 20000)
	case arrow.TIMESTAMP:
		per := int64(1)
		switch t.(*arrow.TimestampType).Unit {
		case arrow.Millisecond:
			per = 1e3
		case arrow.Microsecond:
			per = 1e6
		case arrow.Nanosecond:
			per = 1e9
		}
		switch pick {
		case 0:
			return arrow.Timestamp(math.MinInt64)
		case 1:
			return arrow.Timestamp(math.MaxInt64)
		}
		return arrow.Timestamp((small*86400*400 + int64(r.Intn(1<<20))) * per / 7)
	}
	return nil
}

func pickInt(pick int, small, lo, hi int64) int64 {
	switch pick {
	case 0:
		return lo
	case 1:
		return hi
	case 2, 3:
		return -1
	}
	return max(lo, min(hi, small))
}

func pickUint(pick int, small int64, hi uint64) uint64 {
	switch pick {
	case 0:
		return hi
	case 1:
		return hi / 2
	}
	return uint64(max(small, 0))
}

func pickFloat(r decider, pick int, small int64) float64 {
	switch pick {
	case 0:
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e300, -1e-300, 3e38, 0.1}[r.Intn(8)]
	case 1:
		return float64(small) / 4
	}
	return float64(small)
}

// genRows builds n random rows of genSchema; about one value in five is NULL.
func genRows(r decider, n int) []reference.Row {
	rows := make([]reference.Row, n)
	for i := range rows {
		row := make(reference.Row, genSchema.NumFields())
		for c, f := range genSchema.Fields() {
			if f.Type.ID() == arrow.NULL || r.Intn(5) == 0 {
				continue
			}
			row[c] = genValue(r, f.Type)
		}
		rows[i] = row
	}
	return rows
}

// Type classes steer the expression generator toward well-typed trees.
type class int

const (
	clsNum class = iota
	clsBool
	clsStr
	clsDate
	clsTs
	clsAny
)

var classCols = map[class][]string{
	clsNum:  {"i8", "i16", "i32", "i64", "j64", "u8", "u16", "u32", "u64", "f32", "f64", "g64"},
	clsBool: {"b", "c"},
	clsStr:  {"s", "t", "ls", "bin"},
	clsDate: {"d"},
	clsTs:   {"ts", "tns", "tsec"},
}

var numTypes = []arrow.DataType{arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32,
	arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32,
	arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64}

var castTargets = append(append([]arrow.DataType{}, numTypes...), arrow.FixedWidthTypes.Boolean,
	arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.FixedWidthTypes.Date32, tsUs,
	&arrow.TimestampType{Unit: arrow.Nanosecond}, &arrow.TimestampType{Unit: arrow.Second},
	&arrow.TimestampType{Unit: arrow.Millisecond})

// exprGen generates random expressions over genSchema.
type exprGen struct {
	r decider
}

// gen returns a random well-typed expression, preferring class want.
func (g *exprGen) gen(want class, depth int) expr.Expr {
	for try := 0; try < 8; try++ {
		e := g.try(want, depth)
		if _, err := e.Type(genSchema); err == nil {
			return e
		}
	}
	return g.leaf(want)
}

func (g *exprGen) leaf(want class) expr.Expr {
	if want == clsAny {
		want = class(g.r.Intn(int(clsAny)))
	}
	if g.r.Intn(3) == 0 {
		return g.literal(want)
	}
	if g.r.Intn(20) == 0 {
		return expr.Col("nul")
	}
	cols := classCols[want]
	return expr.Col(cols[g.r.Intn(len(cols))])
}

func (g *exprGen) literal(want class) expr.Expr {
	var t arrow.DataType
	switch want {
	case clsNum:
		t = numTypes[g.r.Intn(len(numTypes))]
	case clsBool:
		t = arrow.FixedWidthTypes.Boolean
	case clsStr:
		t = arrow.BinaryTypes.String
	case clsDate:
		t = arrow.FixedWidthTypes.Date32
	default:
		t = tsUs
	}
	switch g.r.Intn(12) {
	case 0:
		return expr.Lit(nil)
	case 1:
		return expr.Null(t)
	}
	return &expr.Literal{Value: genValue(g.r, t), DataType: t}
}

func (g *exprGen) try(want class, depth int) expr.Expr {
	if depth <= 0 || g.r.Intn(4) == 0 {
		return g.leaf(want)
	}
	d := depth - 1
	if want == clsAny {
		want = []class{clsNum, clsNum, clsBool, clsBool, clsStr, clsDate, clsTs}[g.r.Intn(7)]
	}
	switch want {
	case clsNum:
		switch g.r.Intn(9) {
		case 0, 1, 2:
			op := expr.BinaryOp(g.r.Intn(int(expr.OpMod) + 1))
			return expr.NewBinary(op, g.gen(clsNum, d), g.gen(clsNum, d))
		case 3:
			return expr.E{Expr: g.gen(clsNum, d)}.Neg()
		case 4:
			return expr.E{Expr: g.gen(clsAny, d)}.Cast(numTypes[g.r.Intn(len(numTypes))])
		case 5:
			return expr.Length(g.gen(clsStr, d))
		case 6:
			fns := []func(expr.Expr) expr.E{expr.Year, expr.Month, expr.Day}
			return fns[g.r.Intn(3)](g.gen(class(clsDate+class(g.r.Intn(2))), d))
		case 7:
			return g.caseOf(clsNum, d)
		default:
			return expr.Coalesce(g.gen(clsNum, d), g.gen(clsNum, d))
		}
	case clsBool:
		switch g.r.Intn(13) {
		case 0, 1, 2, 9, 10, 11, 12:
			c := []class{clsNum, clsNum, clsNum, clsBool, clsStr, clsDate, clsTs}[g.r.Intn(7)]
			op := expr.OpEq + expr.BinaryOp(g.r.Intn(6))
			return expr.NewBinary(op, g.gen(c, d), g.gen(c, d))
		case 3:
			op := expr.OpAnd + expr.BinaryOp(g.r.Intn(2))
			return expr.NewBinary(op, g.gen(clsBool, d), g.gen(clsBool, d))
		case 4:
			return expr.Not(g.gen(clsBool, d))
		case 5:
			x := expr.E{Expr: g.gen(clsAny, d)}
			if g.r.Intn(2) == 0 {
				return x.IsNull()
			}
			return x.IsNotNull()
		case 6:
			c := class(g.r.Intn(int(clsAny)))
			list := make([]expr.Expr, g.r.Intn(4))
			for i := range list {
				list[i] = g.gen(c, d)
			}
			x := expr.E{Expr: g.gen(c, d)}
			if g.r.Intn(2) == 0 {
				return x.In(list...)
			}
			return x.NotIn(list...)
		case 7:
			fns := []func(a, b expr.Expr) expr.E{expr.Contains, expr.StartsWith, expr.EndsWith, expr.Like, expr.Like}
			return fns[g.r.Intn(len(fns))](g.gen(clsStr, d), g.gen(clsStr, d))
		default:
			if g.r.Intn(2) == 0 {
				return g.caseOf(clsBool, d)
			}
			return expr.E{Expr: g.gen(clsAny, d)}.Cast(arrow.FixedWidthTypes.Boolean)
		}
	case clsStr:
		switch g.r.Intn(7) {
		case 0:
			return expr.Lower(g.gen(clsStr, d))
		case 1:
			return expr.Upper(g.gen(clsStr, d))
		case 2:
			return expr.Substring(g.gen(clsStr, d), g.gen(clsNum, d), g.gen(clsNum, d))
		case 3:
			return expr.Concat(g.gen(clsStr, d), g.gen(clsStr, d))
		case 4:
			return expr.E{Expr: g.gen(clsAny, d)}.Cast(arrow.BinaryTypes.String)
		case 5:
			return g.caseOf(clsStr, d)
		default:
			return expr.Coalesce(g.gen(clsStr, d), g.gen(clsStr, d))
		}
	case clsDate:
		switch g.r.Intn(4) {
		case 0:
			return expr.DateAdd(g.gen(clsDate, d), g.gen(clsNum, d))
		case 1:
			return expr.DateSub(g.gen(clsDate, d), g.gen(clsNum, d))
		case 2:
			return expr.NewBinary(expr.OpAdd, g.gen(clsNum, d), g.gen(clsDate, d))
		default:
			from := []class{clsStr, clsTs}[g.r.Intn(2)]
			return expr.E{Expr: g.gen(from, d)}.Cast(arrow.FixedWidthTypes.Date32)
		}
	default:
		t := castTargets[len(castTargets)-4+g.r.Intn(4)]
		from := []class{clsStr, clsDate, clsTs}[g.r.Intn(3)]
		return expr.E{Expr: g.gen(from, d)}.Cast(t)
	}
}

// caseOf builds a CASE whose values are of class c.
func (g *exprGen) caseOf(c class, d int) expr.Expr {
	b := expr.When(g.gen(clsBool, d)).Then(g.gen(c, d))
	for k := g.r.Intn(2); k > 0; k-- {
		b = b.When(g.gen(clsBool, d)).Then(g.gen(c, d))
	}
	if g.r.Intn(2) == 0 {
		return b.End()
	}
	return b.Otherwise(g.gen(c, d))
}
