package parquetio

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
)

// Hive-style partition directories: key=value path segments.
//
// Names and values are escaped as Hive does (FileUtils.escapePathName):
// control characters, DEL and the characters " # % ' * / : = ? \ { [ ] ^
// become %XX. Grain also escapes the bytes of invalid UTF-8 sequences, a
// leading '.' of a column name (so the directory is not hidden), and the
// first '_' of a value that is literally __HIVE_DEFAULT_PARTITION__ (so it
// stays distinct from NULL). The empty string is an empty value ("k="),
// also distinct from NULL. Every segment contains '=' and no '/', so no
// value can name a parent directory or leave the output directory.

// hiveNull is the directory value of a NULL partition value.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

func needsEscape(c byte) bool {
	if c < 0x20 || c == 0x7f {
		return true
	}
	return strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0
}

// escapePathPart escapes s for use in a partition directory name.
func escapePathPart(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				fmt.Fprintf(&sb, "%%%02X", c)
			} else {
				sb.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		if needsEscape(c) {
			fmt.Fprintf(&sb, "%%%02X", c)
		} else {
			sb.WriteByte(c)
		}
		i++
	}
	return sb.String()
}

// unescapePathPart reverses escapePathPart; a '%' not followed by two hex
// digits stays as it is.
func unescapePathPart(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// partitionSegment returns the directory name key=value for a partition
// column name and a value (nil: NULL).
func partitionSegment(name string, value *string) string {
	key := escapePathPart(name)
	if strings.HasPrefix(key, ".") {
		key = "%2E" + key[1:]
	}
	switch {
	case value == nil:
		return key + "=" + hiveNull
	case *value == hiveNull:
		return key + "=%5F" + escapePathPart((*value)[1:])
	}
	return key + "=" + escapePathPart(*value)
}

// parseSegment splits a directory name key=value; value is nil for NULL.
func parseSegment(seg string) (key string, value *string, ok bool) {
	i := strings.IndexByte(seg, '=')
	if i < 0 {
		return "", nil, false
	}
	key = unescapePathPart(seg[:i])
	raw := seg[i+1:]
	if raw == hiveNull {
		return key, nil, true
	}
	v := unescapePathPart(raw)
	return key, &v, true
}

// inferPartitionType is int64 when every non-NULL value parses as one,
// string otherwise.
func inferPartitionType(values []*string) arrow.DataType {
	for _, v := range values {
		if v == nil {
			continue
		}
		if _, err := strconv.ParseInt(*v, 10, 64); err != nil {
			return arrow.BinaryTypes.String
		}
	}
	return arrow.PrimitiveTypes.Int64
}

// parsePartitionValue converts a directory value to a Go value of the kind
// expr.Literal uses for type t (nil for NULL).
func parsePartitionValue(v *string, t arrow.DataType) (any, error) {
	if v == nil {
		return nil, nil
	}
	s := *v
	bad := func(err error) (any, error) {
		return nil, fmt.Errorf("%w: %q is not a valid %s", ErrBadPartition, s, t)
	}
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return s, nil
	case arrow.BINARY, arrow.LARGE_BINARY:
		return []byte(s), nil
	case arrow.BOOL:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return bad(err)
		}
		return b, nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		bits := t.(arrow.FixedWidthDataType).BitWidth()
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return bad(err)
		}
		return castInt(n, t.ID()), nil
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		bits := t.(arrow.FixedWidthDataType).BitWidth()
		n, err := strconv.ParseUint(s, 10, bits)
		if err != nil {
			return bad(err)
		}
		return castUint(n, t.ID()), nil
	case arrow.FLOAT32:
		f, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return bad(err)
		}
		return float32(f), nil
	case arrow.FLOAT64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return bad(err)
		}
		return f, nil
	case arrow.DATE32:
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return bad(err)
		}
		return arrow.Date32FromTime(d), nil
	}
	return nil, fmt.Errorf("%w: partition column of type %s", ErrUnsupportedType, t)
}

func castInt(n int64, id arrow.Type) any {
	switch id {
	case arrow.INT8:
		return int8(n)
	case arrow.INT16:
		return int16(n)
	case arrow.INT32:
		return int32(n)
	}
	return n
}

func castUint(n uint64, id arrow.Type) any {
	switch id {
	case arrow.UINT8:
		return uint8(n)
	case arrow.UINT16:
		return uint16(n)
	case arrow.UINT32:
		return uint32(n)
	}
	return n
}

// formatPartitionValue renders a value of an Arrow array as a directory
// value; parsePartitionValue reads it back.
func formatPartitionValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case arrow.Date32:
		return x.FormattedString()
	}
	return fmt.Sprint(v)
}
