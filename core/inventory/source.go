package inventory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/model"
)

// DefaultDir is where tend scan and live plans keep snapshots, under the
// configuration directory.
const DefaultDir = ".tend/inventory"

// ReadSource reads the snapshots of an inventory source: "git:REF" (the
// reports branch at a revision of the Git repository holding configDir),
// a directory, or "live" (or ""), the snapshots the last live scan kept
// in configDir's DefaultDir. It also returns the source as a plan records
// it: "live", "git:REF" or "dir:DIR".
func ReadSource(configDir, spec string) (map[string]*model.Snapshot, string, error) {
	switch {
	case spec == "" || spec == "live":
		inv, err := ReadDir(filepath.Join(configDir, DefaultDir))
		return inv, "live", err
	case strings.HasPrefix(spec, "git:"):
		inv, err := ReadGit(configDir, strings.TrimPrefix(spec, "git:"))
		return inv, spec, err
	}
	inv, err := ReadDir(spec)
	if err != nil {
		return nil, "", withPathHint(err, configDir, spec)
	}
	return inv, "dir:" + spec, nil
}

// ReadSourceBlobs is ReadSource that also returns, for a directory or
// "live", the Git blob hash of each snapshot file as read (ReadDirBlobs);
// none for "git:REF".
func ReadSourceBlobs(configDir, spec string) (map[string]*model.Snapshot, map[string]plumbing.Hash, string, error) {
	switch {
	case spec == "" || spec == "live":
		inv, blobs, err := ReadDirBlobs(filepath.Join(configDir, DefaultDir))
		return inv, blobs, "live", err
	case strings.HasPrefix(spec, "git:"):
		inv, source, err := ReadSource(configDir, spec)
		return inv, nil, source, err
	}
	inv, blobs, err := ReadDirBlobs(spec)
	if err != nil {
		return nil, nil, "", withPathHint(err, configDir, spec)
	}
	return inv, blobs, "dir:" + spec, nil
}

// WithPathHint is withPathHint, for a caller that reads a directory spec
// itself.
func WithPathHint(err error, configDir, spec string) error { return withPathHint(err, configDir, spec) }

// withPathHint adds, to the error of a directory spec that does not exist
// where tend runs but does inside configDir, that paths are relative to the
// working directory, not to -C: the usual slip with
// tend plan -C fleet --inventory snapshots.
func withPathHint(err error, configDir, spec string) error {
	if !errors.Is(err, fs.ErrNotExist) || filepath.IsAbs(spec) || configDir == "" || configDir == "." {
		return err
	}
	inside := filepath.Join(configDir, spec)
	if st, serr := os.Stat(inside); serr != nil || !st.IsDir() {
		return err
	}
	return fmt.Errorf("%w; paths are relative to the directory tend runs in, not to -C: did you mean --inventory %s?", err, inside)
}

// StreamSource is ReadSource as a Stream of the hosts in order, for a
// directory spec; it returns a nil Stream for "live", "" and "git:REF",
// which ReadSource reads.
func StreamSource(configDir, spec string, order []string) (*Stream, string, error) {
	if spec == "" || spec == "live" || strings.HasPrefix(spec, "git:") {
		return nil, "", nil
	}
	s, err := OpenStream(spec, order)
	if err != nil {
		return nil, "", withPathHint(err, configDir, spec)
	}
	return s, "dir:" + spec, nil
}
