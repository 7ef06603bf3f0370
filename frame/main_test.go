package frame_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

// testBatchSize is chosen per process (or set with GRAIN_TEST_BATCH), so
// repeated runs put batch boundaries in different places; results must not
// depend on it.
var testBatchSize = []int{1, 3, 7, 1024}[rand.IntN(4)]

func TestMain(m *testing.M) {
	if v := os.Getenv("GRAIN_TEST_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "GRAIN_TEST_BATCH=%q: want a positive integer\n", v)
			os.Exit(2)
		}
		testBatchSize = n
	}
	goleak.VerifyTestMain(m)
}
