package csvio

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	ok := map[string]int64{
		"0": 0, "-0": 0, "+17": 17, " 42\t": 42, "-9223372036854775808": math.MinInt64,
		"9223372036854775807": math.MaxInt64, "007": 7,
	}
	for in, want := range ok {
		got, good := parseInt([]byte(in))
		require.True(t, good, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", "+", "1.0", "9223372036854775808", "-9223372036854775809", "1e3", "0x10", "1 2", "99999999999999999999999"} {
		_, good := parseInt([]byte(in))
		require.False(t, good, in)
	}
	u, good := parseUint([]byte("18446744073709551615"))
	require.True(t, good)
	require.Equal(t, uint64(math.MaxUint64), u)
	for _, in := range []string{"-1", "18446744073709551616", ""} {
		_, good := parseUint([]byte(in))
		require.False(t, good, in)
	}
	i8 := signedParser[int8](math.MinInt8, math.MaxInt8)
	_, good = i8([]byte("128"))
	require.False(t, good)
	v, good := i8([]byte("-128"))
	require.True(t, good)
	require.Equal(t, int8(-128), v)
}

func TestParseFloat(t *testing.T) {
	for _, in := range []string{"1.5", "-0", "1e10", "-2.5E-3", ".5", "5.", "nan", "-Inf", "infinity", " 3.25 ", "0.1", "123456789012345678"} {
		want, err := strconv.ParseFloat(trimString(in), 64)
		require.NoError(t, err)
		got, good := parseFloat([]byte(in), 64)
		require.True(t, good, in)
		if math.IsNaN(want) {
			require.True(t, math.IsNaN(got))
			continue
		}
		require.Equal(t, want, got, in)
		require.Equal(t, math.Signbit(want), math.Signbit(got), in)
	}
	for _, in := range []string{"", "-", ".", "0x1p3", "1_000", "1e400", "abc", "1.2.3", "--1"} {
		_, good := parseFloat([]byte(in), 64)
		require.False(t, good, in)
	}
	_, good := parseFloat([]byte("1e39"), 32)
	require.False(t, good, "out of float32 range")

	// The fast path agrees with strconv on random decimals.
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100000; i++ {
		digits := strconv.FormatUint(r.Uint64()%1_000_000_000_000_000, 10)
		k := r.IntN(len(digits) + 1)
		s := digits[:k] + "." + digits[k:]
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		if s == "." || s == "-." {
			continue
		}
		want, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		got, good := parseFloat([]byte(s), 64)
		require.True(t, good, s)
		require.Equal(t, want, got, s)
		want32, err := strconv.ParseFloat(s, 32)
		require.NoError(t, err)
		got32, good := parseFloat([]byte(s), 32)
		require.True(t, good)
		require.Equal(t, want32, got32, s)
	}
}

func trimString(s string) string { return string(trimSpace([]byte(s))) }

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "FALSE": false, "t": true, "N": false, "yes": true, "0": false, "1": true} {
		got, good := parseBool([]byte(in))
		require.True(t, good, in)
		require.Equal(t, want, got, in)
	}
	_, good := parseBool([]byte("2"))
	require.False(t, good)
	require.True(t, isBoolWord([]byte("True")))
	require.False(t, isBoolWord([]byte("1")))
}

func TestParseDateAndTimestamp(t *testing.T) {
	dates := map[string]string{
		"1970-01-01": "1970-01-01", "2020-02-29": "2020-02-29", "0001-01-01": "0001-01-01",
		"9999-12-31": "9999-12-31", " 1969-12-31 ": "1969-12-31", "+12345-06-07": "12345-06-07",
	}
	for in, want := range dates {
		d, good := parseDate([]byte(in))
		require.True(t, good, in)
		require.Equal(t, want, string(appendDate(nil, int64(d))), in)
	}
	for _, in := range []string{"2019-02-29", "2020-13-01", "2020-00-10", "2020-01-32", "20-01-01", "2020-1-01", "2020/01/01", "2020-01-01x", ""} {
		_, good := parseDate([]byte(in))
		require.False(t, good, in)
	}
	// Dates agree with the time package over a wide range.
	for days := int64(-800000); days < 3000000; days += 997 {
		want := time.Unix(days*86400, 0).UTC().Format("2006-01-02")
		got := string(appendDate(nil, days))
		if days*86400 >= -62135596800 { // year 1 and later: Go formats these the same way
			require.Equal(t, want, got, days)
		}
		d, good := parseDate([]byte(got))
		require.True(t, good, got)
		require.Equal(t, days, int64(d))
	}

	us := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return tm.UnixMicro()
	}
	stamps := map[string]int64{
		"2020-01-02 03:04:05":          us("2020-01-02T03:04:05Z"),
		"2020-01-02T03:04:05.5":        us("2020-01-02T03:04:05.5Z"),
		"2020-01-02 03:04":             us("2020-01-02T03:04:00Z"),
		"2020-01-02":                   us("2020-01-02T00:00:00Z"),
		"2020-01-02 03:04:05.1234567":  us("2020-01-02T03:04:05.123456Z"),
		"2020-01-02 03:04:05Z":         us("2020-01-02T03:04:05Z"),
		"2020-01-02 03:04:05+02:00":    us("2020-01-02T01:04:05Z"),
		"2020-01-02 03:04:05-0130":     us("2020-01-02T04:34:05Z"),
		"2020-01-02 03:04:05+05":       us("2020-01-01T22:04:05Z"),
		"1969-12-31 23:59:59.999999":   -1,
		"0001-01-01 00:00:00":          us("0001-01-01T00:00:00Z"),
		"9999-12-31 23:59:59.99999999": us("9999-12-31T23:59:59.999999Z"),
	}
	for in, want := range stamps {
		got, good := parseTimestamp([]byte(in), arrow.Microsecond)
		require.True(t, good, in)
		require.Equal(t, want, int64(got), in)
	}
	for _, in := range []string{"2020-01-02 24:00:00", "2020-01-02 03:60", "2020-01-02 03:04:05.", "2020-01-02 03:04:05.1234567890",
		"2020-01-02x03:04", "2020-01-02 03:04:05+2", "2020-01-02 3:04", "2020-01-02 03:04:05 UTC"} {
		_, good := parseTimestamp([]byte(in), arrow.Microsecond)
		require.False(t, good, in)
	}
	// Nanoseconds: exact, and the int64 range is enforced.
	ns, good := parseTimestamp([]byte("2262-04-11 23:47:16.854775807"), arrow.Nanosecond)
	require.True(t, good)
	require.Equal(t, int64(math.MaxInt64), int64(ns))
	_, good = parseTimestamp([]byte("2262-04-11 23:47:16.854775808"), arrow.Nanosecond)
	require.False(t, good)
	_, good = parseTimestamp([]byte("1677-09-21 00:12:43.145224191"), arrow.Nanosecond)
	require.False(t, good)

	// Formatting and parsing round trip in every unit.
	r := rand.New(rand.NewPCG(3, 4))
	for _, unit := range []arrow.TimeUnit{arrow.Second, arrow.Millisecond, arrow.Microsecond, arrow.Nanosecond} {
		for i := 0; i < 20000; i++ {
			v := r.Int64()
			if unit != arrow.Nanosecond {
				v %= 253402300800 * int64(time.Second/unit.Multiplier()) // years 1..9999
			}
			text := appendTimestamp(nil, v, unit)
			got, good := parseTimestamp(text, unit)
			require.True(t, good, "%s", text)
			require.Equal(t, v, int64(got), fmt.Sprintf("%s %v", text, unit))
		}
	}
}
