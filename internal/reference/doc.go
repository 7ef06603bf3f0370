// Package reference is Grain's test oracle: a deliberately simple,
// row-at-a-time evaluator whose results define what the vectorized engine
// must produce. It favours obvious correctness over speed (integer
// arithmetic goes through math/big, strings through the standard library)
// and shares no code with package exec beyond the expression tree in expr.
//
// # Values
//
// A Row holds one Go value per column, with the conventions of
// expr.Literal: nil is NULL; int8…int64, uint8…uint64, float32, float64,
// bool, string (for string and large_string), []byte (binary and
// large_binary), arrow.Date32 (days since the epoch) and arrow.Timestamp
// (in the unit of its column's type; literals use microseconds). RowsFromRecord and
// RecordFromRows convert between rows and Arrow records.
//
// # Semantics (what the engine must match)
//
//   - NULL: AND/OR/NOT are three-valued (false AND NULL = false, true OR
//     NULL = true); every other operator and function (except IS [NOT] NULL,
//     COALESCE and CASE) yields NULL when an input is NULL.
//   - Evaluation order and laziness: operands are evaluated left to right.
//     AND evaluates its right operand only when the left is not false, OR
//     only when the left is not true; CASE evaluates a condition only when
//     no earlier one held and only the chosen value; COALESCE stops at the
//     first non-NULL argument. Everything else evaluates all operands, so an
//     error in an operand is raised even when another operand is NULL.
//   - Implicit casts: the operands of arithmetic are converted to
//     expr.CommonNumeric, of comparisons and IN items to expr.CommonType
//     (pairwise, item by item), CASE and COALESCE values to the node's type.
//     Each operand is converted right after it is evaluated and before the
//     next operand is evaluated (for IN: per item, x is converted, then the
//     item is evaluated and converted), and before NULL propagation, so a
//     uint64 above MaxInt64 that meets an int64 raises expr.ErrOverflow even
//     when the other side is NULL. Children of NULL type are still
//     evaluated (a CASE of type NULL can raise an error in a condition).
//   - NULL results: x / 0 with x NULL is NULL (no error); a division by
//     zero needs both operands non-NULL.
//   - Integer arithmetic is exact: a result that does not fit the promoted
//     type (signed or unsigned, including -MinInt and -x for unsigned x > 0)
//     raises expr.ErrOverflow. Division truncates toward zero, % takes the
//     sign of the dividend, and a zero divisor raises expr.ErrDivideByZero.
//     Floats follow IEEE 754 (x/0 is ±Inf or NaN, x%0 is NaN); float32
//     arithmetic rounds to float32.
//   - date32 ± integer adds days; a result outside date32 raises
//     expr.ErrOverflow.
//   - Comparison: numbers after promotion; floats order NaN above every
//     other value and NaN = NaN is true (Spark's semantics); -0 = +0.
//     Strings and binary compare bytewise; false < true; dates and
//     timestamps by value.
//   - IN: x IN (a, b) is TRUE when some item equals x, else NULL when x or
//     some item is NULL, else FALSE; NOT IN negates it. x and every item are
//     evaluated.
//   - CAST (see expr.CanCast): integer targets are range checked
//     (expr.ErrOverflow); float to integer truncates toward zero and NaN or
//     ±Inf raise expr.ErrOverflow; float64 to float32 rounds (out of range
//     gives ±Inf); numbers to boolean are x != 0; booleans to numbers are
//     1/0. To string: integers in decimal, floats with strconv's 'g' format
//     and shortest precision (1e+06, 0.1) except "NaN", "Infinity",
//     "-Infinity"; booleans "true"/"false"; dates "2006-01-02"; timestamps
//     "2006-01-02 15:04:05.999999999" with the fraction in the column's unit
//     and trailing zeros dropped. From string (after trimming Unicode white
//     space): integers with strconv.ParseInt/ParseUint base 10; floats with
//     strconv.ParseFloat (an out-of-range magnitude gives ±Inf); booleans
//     accept t, true, y, yes, 1, f, false, n, no, 0 in any case; dates
//     "2006-01-02"; timestamps "2006-01-02 15:04:05[.fraction]",
//     "2006-01-02T15:04:05[.fraction]" or "2006-01-02" (UTC). A string that
//     does not parse, or whose value does not fit the target, gives NULL
//     (Spark's non-ANSI mode). Date to timestamp multiplies (overflow raises
//     expr.ErrOverflow); timestamp to date and to a coarser unit round down
//     (toward the past); to a finer unit multiplies with the same check.
//     Time zones are ignored: values are UTC instants.
//   - Strings: length counts characters; a character is what
//     utf8.DecodeRuneInString reads, so each invalid byte is one character.
//     lower/upper map runes with unicode.ToLower/ToUpper (as strings.ToLower
//     does; invalid bytes become U+FFFD). substring(s, pos, len) follows
//     Spark: pos > 0 is 1-based, pos < 0 counts from the end, pos = 0 means
//     1; the end is pos+len computed before clamping the start at 0, and the
//     result is empty when len <= 0 or the range is empty. concat is NULL
//     when any argument is NULL. contains/starts_with/ends_with compare
//     bytes. LIKE matches whole strings: % any run of characters, _ one
//     character, backslash escapes the next character (a trailing backslash
//     matches itself).
//   - year/month/day read the proleptic Gregorian calendar in UTC; a year
//     beyond int32 raises expr.ErrOverflow.
//
// EvalExpr evaluates one row; Prepare type-checks an expression once and
// evaluates many rows faster.
//
// # Comparing results
//
// Compare is the total order used to sort rows (NULL first, NaN greatest,
// -0 = +0). ValueEqual, RowsEqual and DiffMultiset compare results with a
// relative tolerance of 1e-9 on floats; Key gives a canonical text key.
package reference
