package loader

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// sums caches, per path, the checksum of a provider binary, so a process
// that starts a provider many times (tend serve: every reconcile; a plan
// with several providers) hashes each binary once rather than on every
// start: a release binary is several megabytes. An entry holds while the
// file is the same file, unchanged: same device and inode, size,
// modification time and (Linux) status-change time, which no write,
// rename over it or chmod leaves as it was.
var sums sync.Map // path → cachedSum

type cachedSum struct {
	id  fileID
	sum string
}

// fileID is what says a file has not changed since it was hashed.
type fileID struct {
	info    os.FileInfo
	size    int64
	modTime time.Time
	ctime   time.Time
}

func idOf(fi os.FileInfo) fileID {
	return fileID{info: fi, size: fi.Size(), modTime: fi.ModTime(), ctime: changeTime(fi)}
}

func (a fileID) same(b fileID) bool {
	return os.SameFile(a.info, b.info) && a.size == b.size && a.modTime.Equal(b.modTime) && a.ctime.Equal(b.ctime)
}

// cachedChecksum is Checksum, hashing the file only when it changed since
// this process last hashed it. The file is stat'ed before and after
// hashing: one changed meanwhile is not cached.
func cachedChecksum(path string) (string, error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	id := idOf(before)
	if c, ok := sums.Load(path); ok && c.(cachedSum).id.same(id) {
		return c.(cachedSum).sum, nil
	}
	sum, err := Checksum(path)
	if err != nil {
		return "", err
	}
	after, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !idOf(after).same(id) {
		return "", fmt.Errorf("%s changed while it was checked", path)
	}
	sums.Store(path, cachedSum{id: id, sum: sum})
	return sum, nil
}
