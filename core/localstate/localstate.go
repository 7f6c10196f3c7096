package localstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/internal/filelock"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
)

// Dir is the state directory, under the configuration directory.
const Dir = ".tend/state"

// FormatVersion is the format_version of every state file.
const FormatVersion = "1"

// firstSeenName is the first-seen file's name in Dir.
const firstSeenName = "first_seen.json"

// firstSeenLockName is the lock UpdateFirstSeen takes, in Dir.
const firstSeenLockName = "first_seen.lock"

// lastApplyName is the name of a host's last apply in Dir/hosts/<host>/.
const lastApplyName = "last_apply.json"

// firstSeenFile is the file first_seen.json.
type firstSeenFile struct {
	FormatVersion string    `json:"format_version"`
	UpdatedAt     time.Time `json:"updated_at"`
	// FirstSeen is when each update without a release date was first
	// seen on a host, sorted by host, provider, package and version.
	FirstSeen []rollout.Seen `json:"first_seen"`
}

// hostLastApplyFile is the file hosts/<host>/last_apply.json.
type hostLastApplyFile struct {
	FormatVersion string           `json:"format_version"`
	Host          string           `json:"host"`
	LastApply     *model.LastApply `json:"last_apply"`
}

// FirstSeenPath is CONFIG/.tend/state/first_seen.json.
func FirstSeenPath(configDir string) string {
	return filepath.Join(configDir, Dir, firstSeenName)
}

// LastApplyPath is CONFIG/.tend/state/hosts/<host>/last_apply.json.
func LastApplyPath(configDir, host string) string {
	return filepath.Join(configDir, Dir, "hosts", host, lastApplyName)
}

// ReadFirstSeen reads the first-seen times CLI runs recorded; none when
// the file does not exist.
func ReadFirstSeen(configDir string) ([]rollout.Seen, error) {
	path := FirstSeenPath(configDir)
	var f firstSeenFile
	ok, err := readJSON(path, &f, "deleting it restarts the approval delays of updates without a release date")
	if err != nil || !ok {
		return nil, err
	}
	return f.FirstSeen, nil
}

// UpdateFirstSeen replaces the first-seen file with what update makes of
// the times it holds now, under an exclusive lock (first_seen.lock beside
// it) that concurrent CLI runs take in turn: none writes over times
// another recorded since it read them. Where files cannot be locked (no
// flock(2)), it updates without the lock.
func UpdateFirstSeen(configDir string, now time.Time, update func(recorded []rollout.Seen) []rollout.Seen) error {
	dir := filepath.Join(configDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing tend state: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, firstSeenLockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("writing tend state: %w", err)
	}
	defer lock.Close() // releases the lock
	if err := filelock.Lock(lock); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("writing tend state: locking %s: %w", lock.Name(), err)
	}
	recorded, err := ReadFirstSeen(configDir)
	if err != nil {
		return err
	}
	return WriteFirstSeen(configDir, update(recorded), now)
}

// WriteFirstSeen replaces the first-seen file.
func WriteFirstSeen(configDir string, seen []rollout.Seen, now time.Time) error {
	if seen == nil {
		seen = []rollout.Seen{}
	}
	return writeJSON(FirstSeenPath(configDir), firstSeenFile{FormatVersion: FormatVersion, UpdatedAt: now.UTC(), FirstSeen: seen})
}

// ReadLastApplies reads the last apply CLI runs recorded for each host, by
// host name; none when there are none.
func ReadLastApplies(configDir string) (map[string]*model.LastApply, error) {
	out := map[string]*model.LastApply{}
	entries, err := os.ReadDir(filepath.Join(configDir, Dir, "hosts"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the apply history: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		var h hostLastApplyFile
		path := LastApplyPath(configDir, e.Name())
		ok, err := readJSON(path, &h, "deleting it forgets the host's last apply")
		if err != nil {
			return nil, err
		}
		if ok && h.LastApply != nil {
			out[e.Name()] = h.LastApply
		}
	}
	return out, nil
}

// WriteLastApply replaces a host's last apply.
func WriteLastApply(configDir, host string, la *model.LastApply) error {
	return writeJSON(LastApplyPath(configDir, host), hostLastApplyFile{FormatVersion: FormatVersion, Host: host, LastApply: la})
}

// readJSON decodes the state file at path into v; ok is false when it does
// not exist. An unreadable file, one that is not valid JSON or has another
// format_version is an error naming it, with what deleting it does.
func readJSON(path string, v any, deleting string) (ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading tend state: %w", err)
	}
	var head struct {
		FormatVersion string `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return false, corrupt(path, err, deleting)
	}
	if head.FormatVersion != FormatVersion {
		return false, corrupt(path, fmt.Errorf("format_version %q, want %q (written by another version of tend?)", head.FormatVersion, FormatVersion), deleting)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, corrupt(path, err, deleting)
	}
	return true, nil
}

// ErrCorrupt is wrapped by the errors of state files that cannot be used.
var ErrCorrupt = errors.New("tend state file is unusable")

func corrupt(path string, err error, deleting string) error {
	return fmt.Errorf("%s: %w: %w; fix or delete it (%s)", path, ErrCorrupt, err, deleting)
}

// writeJSON replaces path with v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// WriteLastApplies replaces the last apply of each host of applies
// (lastapply.Set's Hosts of one run: the shape tend serve records), so tend
// report can say what was applied when; other hosts keep theirs.
func WriteLastApplies(configDir string, applies map[string]*model.LastApply) error {
	var errs []error
	for _, host := range slices.Sorted(maps.Keys(applies)) {
		if err := WriteLastApply(configDir, host, applies[host]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
