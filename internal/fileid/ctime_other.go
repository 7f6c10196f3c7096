//go:build !linux

package fileid

import (
	"os"
	"time"
)

// changeTime is unknown here: IDs compare device, inode, size and
// modification time.
func changeTime(os.FileInfo) time.Time { return time.Time{} }
