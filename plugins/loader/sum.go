package loader

import (
	"fmt"
	"sync"

	"github.com/tend-sh/tend/internal/fileid"
)

// sums caches, per path, the checksum of a provider binary, so a process
// that starts a provider many times (tend serve: every reconcile; a plan
// with several providers) hashes each binary once rather than on every
// start: a release binary is several megabytes. An entry holds while the
// file is the same, unchanged file (fileid).
var sums sync.Map // path → cachedSum

type cachedSum struct {
	id  fileid.ID
	sum string
}

// cachedChecksum is Checksum, hashing the file only when it changed since
// this process last hashed it. The file is stat'ed before and after
// hashing: one changed meanwhile is not cached.
func cachedChecksum(path string) (string, error) {
	id, err := fileid.Stat(path)
	if err != nil {
		return "", err
	}
	if c, ok := sums.Load(path); ok && c.(cachedSum).id.Same(id) {
		return c.(cachedSum).sum, nil
	}
	sum, err := Checksum(path)
	if err != nil {
		return "", err
	}
	after, err := fileid.Stat(path)
	if err != nil {
		return "", err
	}
	if !after.Same(id) {
		return "", fmt.Errorf("%s changed while it was checked", path)
	}
	sums.Store(path, cachedSum{id: id, sum: sum})
	return sum, nil
}
