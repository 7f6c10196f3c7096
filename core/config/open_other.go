//go:build !unix

package config

import "os"

// openFlags open for reading; the file's type is checked before and after.
const openFlags = os.O_RDONLY
