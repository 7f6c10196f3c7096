//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package filelock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// TryLock fails with errors.ErrUnsupported: locking needs flock(2).
func TryLock(*os.File) error { return unsupported() }

// Lock fails with errors.ErrUnsupported: locking needs flock(2).
func Lock(*os.File) error { return unsupported() }

func unsupported() error {
	return fmt.Errorf("file locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
