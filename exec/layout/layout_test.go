package layout

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/stretchr/testify/require"
)

func TestOf(t *testing.T) {
	cases := map[arrow.DataType]Kind{
		arrow.PrimitiveTypes.Int8:          Int8,
		arrow.FixedWidthTypes.Date32:       Int32,
		arrow.FixedWidthTypes.Timestamp_us: Int64,
		arrow.PrimitiveTypes.Uint64:        Uint64,
		arrow.PrimitiveTypes.Float32:       Float32,
		arrow.FixedWidthTypes.Boolean:      Bool,
		arrow.BinaryTypes.String:           Bytes32,
		arrow.BinaryTypes.Binary:           Bytes32,
		arrow.BinaryTypes.LargeString:      Bytes64,
	}
	for dt, want := range cases {
		got, ok := Of(dt)
		require.True(t, ok, dt.String())
		require.Equal(t, want, got, dt.String())
	}
	_, ok := Of(arrow.ListOf(arrow.PrimitiveTypes.Int64))
	require.False(t, ok)
	require.True(t, Bool.FitsUint64())
	require.False(t, Bytes32.FitsUint64())
}
