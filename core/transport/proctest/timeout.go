package proctest

import (
	"testing"
	"time"
)

// Timeout is how long a test waits for something that should happen
// promptly: two minutes, or less when the test's deadline comes sooner.
// Machines running tests can be slow and loaded; only a hang should fail.
func Timeout(t testing.TB) time.Duration {
	d := 2 * time.Minute
	if tt, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := tt.Deadline(); ok {
			if left := time.Until(dl) - 10*time.Second; left < d {
				d = max(left, time.Second)
			}
		}
	}
	return d
}
