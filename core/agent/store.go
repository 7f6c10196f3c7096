package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/internal/atomicfile"
)

// store is the agent's state directory (see the package documentation).
type store struct{ dir string }

// runningJob is job.json: a job recorded before the agent acts on it.
type runningJob struct {
	Job       agentwire.Job `json:"job"`
	StartedAt time.Time     `json:"started_at"`
}

// finishedJob is last-job.json.
type finishedJob struct {
	Job    agentwire.Job    `json:"job"`
	Result agentwire.Result `json:"result"`
}

func openStore(dir string) (*store, error) {
	for _, d := range []string{dir, filepath.Join(dir, "desired"), filepath.Join(dir, "config"), filepath.Join(dir, "outbox")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	return &store{dir: dir}, nil
}

func (s *store) path(parts ...string) string {
	return filepath.Join(append([]string{s.dir}, parts...)...)
}

// writeJSON replaces the file at rel with v, atomically.
func (s *store) writeJSON(rel string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path(rel), data)
}

// readJSON reads the file at rel into v; ok is false when it does not exist.
func (s *store) readJSON(rel string, v any) (ok bool, err error) {
	data, err := os.ReadFile(s.path(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %w", s.path(rel), err)
	}
	return true, nil
}

func (s *store) remove(rel string) error {
	if err := os.Remove(s.path(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// outboxItem is one message waiting in the outbox.
type outboxItem struct {
	Subject string `json:"subject"`
	MsgID   string `json:"msg_id"`
	Data    []byte `json:"data"`
}

// putOutbox queues a message under name (result-<id>, scan), replacing one
// of the same name.
func (s *store) putOutbox(name string, it outboxItem) error {
	return s.writeJSON(filepath.Join("outbox", name+".json"), it)
}

// outbox lists the queued messages by name, results before the scan.
func (s *store) outbox() ([]string, error) {
	entries, err := os.ReadDir(s.path("outbox"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// materialise writes ds's files under config/<group>/r<revision> and
// removes the group's older revisions; it returns the directory.
func (s *store) materialise(ds *agentwire.DesiredState) (string, error) {
	base := s.path("config", ds.Group)
	dir := filepath.Join(base, fmt.Sprintf("r%d", ds.Revision))
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	for name, data := range ds.Files {
		clean := filepath.Clean(filepath.FromSlash(name))
		if filepath.IsAbs(clean) || clean == "." || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("desired state of group %s, revision %d: file %q is outside the configuration", ds.Group, ds.Revision, name)
		}
		p := filepath.Join(tmp, clean)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return "", err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil { // a document without files
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			_ = os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
	return dir, nil
}
