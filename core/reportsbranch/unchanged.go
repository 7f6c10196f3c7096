package reportsbranch

import (
	"bytes"
	"crypto/sha256"
	"maps"
	"regexp"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// volatile matches the timestamps every run renews (scanned_at,
// generated_at, updated_at): reports that differ only there are unchanged.
var volatile = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?`)

// NormalizedSum is the SHA-256 of a report file without its timestamps:
// two files with the same sum differ in timestamps at most.
func NormalizedSum(b []byte) [sha256.Size]byte { return sha256.Sum256(volatile.ReplaceAll(b, nil)) }

// Differs reports whether any of files differs from the tree's copy in
// more than timestamps, or is not on the tree. It is the one rule by which
// tend serve and tend report --commit decide that reports are unchanged
// and make no commit.
func Differs(t *Tree, files Files) (bool, error) {
	for _, p := range slices.Sorted(maps.Keys(files)) {
		// The same bytes need neither reading nor normalizing.
		if h, ok, err := t.BlobHash(p); err != nil {
			return false, err
		} else if ok && h == plumbing.ComputeHash(plumbing.BlobObject, files[p]) {
			continue
		}
		old, ok, err := t.File(p)
		if err != nil {
			return false, err
		}
		if !ok || !bytes.Equal(volatile.ReplaceAll(old, nil), volatile.ReplaceAll(files[p], nil)) {
			return true, nil
		}
	}
	return false, nil
}

// BlobsDiffer reports whether any of blobs (paths to blob hashes, as
// Commit.Blobs gives them) is not on the tree as that very blob.
func BlobsDiffer(t *Tree, blobs map[string]plumbing.Hash) (bool, error) {
	for _, p := range slices.Sorted(maps.Keys(blobs)) {
		h, ok, err := t.BlobHash(p)
		if err != nil {
			return false, err
		}
		if !ok || h != blobs[p] {
			return true, nil
		}
	}
	return false, nil
}
