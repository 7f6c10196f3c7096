//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package journal

import (
	"errors"
	"os"
	"runtime"
)

// tryLock fails: the state dir lock needs flock(2).
func tryLock(*os.File) error {
	return errors.New("locking is not supported on " + runtime.GOOS)
}
