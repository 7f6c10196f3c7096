package reportcache

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// StatsFile is the file, in Dir, of the snapshot files' blob hashes by
// path and stat information (Blob).
const StatsFile = "stat"

// Settle is how long before a file's contents were read it must have
// last changed (its ctime) for its stat information to stand for its
// contents: a change within the same clock tick as the read could leave
// the stat information as it was (Git's "racy" entries).
const Settle = 2 * time.Second

// fileStat identifies one version of a file: a write changes its ctime
// (which no one can set back), and a replaced file has another inode.
type fileStat struct {
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"`
	Ctime int64  `json:"ctime"`
	Ino   uint64 `json:"ino"`
	Dev   uint64 `json:"dev"`
	Blob  string `json:"blob"`
}

type stats struct {
	once sync.Once
	mu   sync.Mutex
	old  map[string]fileStat
	new  map[string]fileStat
}

func (c *Cache) loadStats() {
	c.stats.once.Do(func() {
		c.stats.old, c.stats.new = map[string]fileStat{}, map[string]fileStat{}
		data, err := os.ReadFile(filepath.Join(c.Dir, StatsFile))
		if err != nil {
			return
		}
		var m map[string]fileStat
		if json.Unmarshal(data, &m) == nil {
			c.stats.old = m
		}
	})
}

// Blob returns the blob hash recorded for the file at path (absolute) when
// fi, its stat information now, is what it was then; ok is false when the
// platform gives no such information or it changed.
func (c *Cache) Blob(path string, fi os.FileInfo) (h plumbing.Hash, ok bool) {
	st, ok := statOf(fi)
	if !ok {
		return plumbing.ZeroHash, false
	}
	c.loadStats()
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	old, ok := c.stats.old[path]
	if !ok || old.Blob == "" {
		return plumbing.ZeroHash, false
	}
	st.Blob = old.Blob
	if st != old {
		return plumbing.ZeroHash, false
	}
	c.stats.new[path] = old
	return plumbing.NewHash(old.Blob), true
}

// SawBlob records that the file at path (absolute), with stat information
// fi taken before it was read at readAt, has blob hash h; a file changed
// less than Settle before it was read is not recorded.
func (c *Cache) SawBlob(path string, fi os.FileInfo, readAt time.Time, h plumbing.Hash) {
	st, ok := statOf(fi)
	if !ok || readAt.UnixNano()-st.Ctime < int64(Settle) || readAt.UnixNano()-st.Mtime < int64(Settle) {
		return
	}
	st.Blob = h.String()
	c.loadStats()
	c.stats.mu.Lock()
	c.stats.new[path] = st
	c.stats.mu.Unlock()
}

// saveStats writes what Blob confirmed and SawBlob recorded, when that is
// not what the file holds.
func (c *Cache) saveStats() error {
	c.loadStats()
	c.stats.mu.Lock()
	same := len(c.stats.new) == len(c.stats.old)
	for p, st := range c.stats.new {
		if same && c.stats.old[p] != st {
			same = false
		}
	}
	if same {
		c.stats.mu.Unlock()
		return nil
	}
	data, err := json.Marshal(c.stats.new)
	c.stats.mu.Unlock()
	if err != nil {
		return err
	}
	return writeAside(c.Dir, StatsFile, data)
}

// writeAside replaces dir/name with data: written to a temporary file in
// dir, then renamed.
func writeAside(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Git ignores the directory, .gitignore included, so a commit of the
	// reports leaves git status of the work tree as it was.
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# tend report --commit's cache (docs/cli.md, Working state): safe to delete.\n*\n"), 0o644); err != nil {
			return err
		}
	}
	tmp, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := bytes.NewReader(data).WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
