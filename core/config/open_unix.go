//go:build unix

package config

import (
	"os"
	"syscall"
)

// openFlags open for reading without blocking on a FIFO swapped in after
// the type check; the file is checked again once open.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
