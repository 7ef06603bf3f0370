package frame_test

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"

	"github.com/grainql/grain/frame"
)

type cents int64

// everyType has one field of each supported kind, plain and nullable.
type everyType struct {
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	F32  float32
	F64  float64
	B    bool
	S    string
	Raw  []byte
	T    time.Time
	D    arrow.Date32
	TS   arrow.Timestamp
	C    cents `grain:"amount"`
	PI   *int64
	PF   *float64
	PB   *bool
	PS   *string
	PT   *time.Time
	PU8  *uint8
	Skip string `grain:"-"`
	priv int
}

func TestFromStructsEveryFieldType(t *testing.T) {
	s, _ := newSession(t)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.FixedZone("X", 3600))
	data := []everyType{
		{I: -1, I8: -8, I16: -16, I32: -32, I64: -64, U: 1, U8: 8, U16: 16, U32: 32, U64: 64,
			F32: 1.5, F64: -2.25, B: true, S: "héllo", Raw: []byte{0xab}, T: ts, D: 19000, TS: 1_000_000, C: 995,
			PI: frame.Ptr[int64](7), PF: frame.Ptr(0.5), PB: frame.Ptr(false), PS: frame.Ptr("p"), PT: &ts, PU8: frame.Ptr[uint8](3),
			Skip: "no", priv: 1},
		{S: "zero"},
	}
	df := frame.FromStructs(s, data)
	require.Equal(t, "I:int64, I8:int8, I16:int16, I32:int32, I64:int64, U:uint64, U8:uint8, U16:uint16, U32:uint32, U64:uint64, "+
		"F32:float32, F64:float64, B:bool, S:utf8, Raw:binary, T:timestamp[us, tz=UTC], D:date32, TS:timestamp[us, tz=UTC], "+
		"amount:int64, PI:int64?, PF:float64?, PB:bool?, PS:utf8?, PT:timestamp[us, tz=UTC]?, PU8:uint8?",
		schemaString(t, df))
	got := rows(t, df.Sort(frame.Asc(col("S"))))
	require.Equal(t, []string{
		"-1|-8|-16|-32|-64|1|8|16|32|64|1.5|-2.25|true|héllo|qw==|2024-01-02 02:04:05.000006Z|2022-01-08|1970-01-01 00:00:01Z|995|7|0.5|false|p|2024-01-02 02:04:05.000006Z|3",
		"0|0|0|0|0|0|0|0|0|0|0|0|false|zero||0001-01-01 00:00:00Z|1970-01-01|1970-01-01 00:00:00Z|0|null|null|null|null|null|null",
	}, got)
}

func TestFromStructsPointersAndEmpty(t *testing.T) {
	s, _ := newSession(t)
	type row struct {
		Name string `grain:"name"`
		Age  *int32 `grain:"age"`
	}
	df := frame.FromStructs(s, []*row{{Name: "a", Age: frame.Ptr[int32](3)}, {Name: "b"}})
	require.Equal(t, "name:utf8, age:int32?", schemaString(t, df))
	require.Equal(t, []string{"a|3", "b|null"}, sortedRows(t, df))

	empty := frame.FromStructs(s, []row(nil))
	require.Equal(t, "name:utf8, age:int32?", schemaString(t, empty))
	n, err := empty.Count(context.Background())
	require.NoError(t, err)
	require.Zero(t, n)

	err = frame.FromStructs(s, []*row{nil}).Err()
	require.ErrorIs(t, err, frame.ErrInvalidInput)
	require.ErrorContains(t, err, "frame: FromStructs[*frame_test.row]: ")
}

func TestFromStructsUnsupportedTypes(t *testing.T) {
	s, _ := newSession(t)
	type inner struct{ X int }
	type withMap struct {
		A int
		M map[string]int
	}
	type withStruct struct{ In inner }
	type withEmbedded struct {
		inner
		A int
	}
	type withPtrPtr struct{ P **int }
	type dup struct {
		A int `grain:"x"`
		B int `grain:"x"`
	}
	for name, err := range map[string]error{
		"map":      frame.FromStructs(s, []withMap{{}}).Err(),
		"struct":   frame.FromStructs(s, []withStruct{}).Err(),
		"embedded": frame.FromStructs(s, []withEmbedded{}).Err(),
		"ptrptr":   frame.FromStructs(s, []withPtrPtr{}).Err(),
	} {
		require.ErrorIs(t, err, frame.ErrUnsupportedType, name)
		var fe *frame.FieldTypeError
		require.ErrorAs(t, err, &fe, name)
	}
	var fe *frame.FieldTypeError
	require.ErrorAs(t, frame.FromStructs(s, []withMap{}).Err(), &fe)
	require.Equal(t, "M", fe.Field)
	require.Equal(t, "map[string]int", fe.Type.String())
	require.ErrorIs(t, frame.FromStructs(s, []int{1}).Err(), frame.ErrUnsupportedType)
	require.ErrorIs(t, frame.FromStructs(s, []dup{}).Err(), frame.ErrInvalidInput)
}
