// Package fileid tells whether a file is still the one that was read: a
// cache of something derived from a file (its hash, its parsed content)
// holds while the file's ID is the same.
package fileid

import (
	"os"
	"time"
)

// ID is what says a file has not changed: the file itself (device and
// inode), its size, modification time and, on Linux, status-change time,
// which every write, rename over it or chmod sets and no program can set
// back.
type ID struct {
	info    os.FileInfo
	size    int64
	modTime time.Time
	ctime   time.Time
}

// Of is fi's ID.
func Of(fi os.FileInfo) ID {
	return ID{info: fi, size: fi.Size(), modTime: fi.ModTime(), ctime: changeTime(fi)}
}

// Stat is the ID of the file at path.
func Stat(path string) (ID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return ID{}, err
	}
	return Of(fi), nil
}

// Same reports whether a and b are the same, unchanged file.
func (a ID) Same(b ID) bool {
	return a.info != nil && b.info != nil && os.SameFile(a.info, b.info) &&
		a.size == b.size && a.modTime.Equal(b.modTime) && a.ctime.Equal(b.ctime)
}
