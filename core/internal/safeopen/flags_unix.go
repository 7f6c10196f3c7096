//go:build unix

package safeopen

import (
	"os"
	"syscall"
)

// ReadFlags open for reading without blocking on a FIFO swapped in after
// the type check.
const ReadFlags = os.O_RDONLY | syscall.O_NONBLOCK
