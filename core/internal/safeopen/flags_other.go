//go:build !unix

package safeopen

import "os"

// ReadFlags open for reading; the file's type is checked before and after.
const ReadFlags = os.O_RDONLY
