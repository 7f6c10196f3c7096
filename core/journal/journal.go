package journal

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tend-sh/tend/core/model"
)

const (
	fileName = "journal.jsonl"
	tempName = fileName + ".tmp"
)

// ErrClosed is returned by writes to a closed Journal.
var ErrClosed = errors.New("journal: closed")

// Intent is an apply about to be asked of a provider on one host.
type Intent struct {
	Seq          uint64 // assigned by Begin, increasing across restarts
	Host         string
	Provider     string
	Policy       string
	ConfigCommit string
	Actions      []model.ProviderAction
	StartedAt    time.Time // Begin sets it to now when zero
	// Run names the reconcile the intent belongs to (any string the
	// caller chooses), so the applies of one run can be told apart.
	Run string
}

// Resolution is an intent and the results Finish or Resolve recorded for
// it.
type Resolution struct {
	Intent  Intent
	Results []model.ActionResult
	At      time.Time
	// Recovered is set when Resolve recorded the results (the intent was
	// left unfinished by an earlier process).
	Recovered bool
}

// Journal is an open journal; its methods are safe for concurrent use.
// After a failed write or sync it refuses further writes, since what is on
// disk is no longer known: the daemon should stop and restart.
type Journal struct {
	dir  string
	lock *os.File

	mu       sync.Mutex
	f        *os.File // fileName, opened for appending
	size     int64    // bytes of whole records in f
	seq      uint64   // last sequence number handed out or read
	pending  map[uint64]Intent
	finished []Resolution // since the last Compact, recovered ones included
	err      error        // sticky: set when the file's state is unknown
}

// Open locks dir, creating it (0700) if needed, and reads its journal. It
// fails with ErrLocked while another Journal, in any process, has dir open.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	j, err := load(dir)
	if err != nil {
		lock.Close()
		return nil, err
	}
	j.lock = lock
	return j, nil
}

// load reads dir's journal, cuts off a torn last line and leaves the file
// open for appending. The caller holds the lock.
func load(dir string) (*Journal, error) {
	path := filepath.Join(dir, fileName)
	_, err := os.Lstat(path)
	created := errors.Is(err, fs.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j, err := loadFile(dir, f, created)
	if err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

func loadFile(dir string, f *os.File, created bool) (*Journal, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("journal: read %s: %w", f.Name(), err)
	}
	st, err := parse(f.Name(), data)
	if err != nil {
		return nil, err
	}
	if st.good < int64(len(data)) {
		if err := f.Truncate(st.good); err != nil {
			return nil, fmt.Errorf("journal: cut torn line: %w", err)
		}
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("journal: sync %s: %w", f.Name(), err)
		}
	}
	if created {
		if err := syncDir(dir); err != nil {
			return nil, err
		}
	}
	if err := os.Remove(filepath.Join(dir, tempName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return &Journal{
		dir: dir, f: f, size: st.good, seq: st.seq,
		pending: st.pending, finished: st.finished,
	}, nil
}

// Begin records in durably and returns its sequence number, ignoring
// in.Seq. Only once Begin succeeds may the apply start.
func (j *Journal) Begin(in Intent) (uint64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.writable(); err != nil {
		return 0, err
	}
	j.seq++ // a failed write leaves a gap, never a reused number
	in.Seq = j.seq
	if in.StartedAt.IsZero() {
		in.StartedAt = time.Now().UTC()
	}
	in.Actions = slices.Clone(in.Actions)
	if err := j.append(intentRecord(in)); err != nil {
		return 0, err
	}
	j.pending[in.Seq] = in
	return in.Seq, nil
}

// Finish records durably the results of the unfinished intent seq.
func (j *Journal) Finish(seq uint64, results []model.ActionResult) error {
	return j.finish(seq, results, false)
}

// Resolve is Finish for an intent found Pending after a restart: the record
// is marked recovered and, until Compact, listed by Recovered (also after
// another restart).
func (j *Journal) Resolve(seq uint64, results []model.ActionResult) error {
	return j.finish(seq, results, true)
}

func (j *Journal) finish(seq uint64, results []model.ActionResult, recovered bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.writable(); err != nil {
		return err
	}
	in, ok := j.pending[seq]
	if !ok {
		return fmt.Errorf("journal: no unfinished intent %d", seq)
	}
	r := record{
		Type: typeResult, FormatVersion: formatVersion, Seq: seq,
		Results: resultLines(results), Recovered: recovered, At: time.Now().UTC(),
	}
	if err := j.append(r); err != nil {
		return err
	}
	delete(j.pending, seq)
	j.finished = append(j.finished, Resolution{Intent: in, Results: r.results(), At: r.At, Recovered: recovered})
	return nil
}

// Pending returns the intents without results, from earlier processes or
// this one, sorted by Seq.
func (j *Journal) Pending() []Intent {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.sortedPending()
	for i := range out {
		out[i].Actions = slices.Clone(out[i].Actions)
	}
	return out
}

// Recovered returns the intents resolved since the last Compact, sorted by
// Seq.
func (j *Journal) Recovered() []Resolution {
	return j.resolutions(func(r Resolution) bool { return r.Recovered })
}

// Finished returns every intent with results (recorded by Finish or
// Resolve, in this process or an earlier one) since the last Compact,
// sorted by Seq: the results not known to be reported yet.
func (j *Journal) Finished() []Resolution {
	return j.resolutions(func(Resolution) bool { return true })
}

func (j *Journal) resolutions(keep func(Resolution) bool) []Resolution {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Resolution, 0, len(j.finished))
	for _, r := range j.finished {
		if !keep(r) {
			continue
		}
		r.Intent.Actions = slices.Clone(r.Intent.Actions)
		r.Results = slices.Clone(r.Results)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Resolution) int { return cmp.Compare(a.Intent.Seq, b.Intent.Seq) })
	return out
}

// Compact rewrites the journal keeping only unfinished intents, and forgets
// Finished and Recovered. Call it only once the reports of finished
// applies are on the remote.
func (j *Journal) Compact() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.writable(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if j.seq > 0 {
		line, err := encode(record{Type: typeCheckpoint, FormatVersion: formatVersion, Seq: j.seq, At: time.Now().UTC()})
		if err != nil {
			return err
		}
		buf.Write(line)
	}
	for _, in := range j.sortedPending() {
		line, err := encode(intentRecord(in))
		if err != nil {
			return err
		}
		buf.Write(line)
	}
	f, err := writeTemp(filepath.Join(j.dir, tempName), buf.Bytes())
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), j.path()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("journal: %w", err)
	}
	j.f.Close()
	j.f, j.size, j.finished = f, int64(buf.Len()), nil
	if err := syncDir(j.dir); err != nil {
		j.err = err // a crash could bring back the old file and lose new records
		return err
	}
	return nil
}

// writeTemp writes data to a new file at path, synced and open for appending.
func writeTemp(path string, data []byte) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("journal: write %s: %w", path, err)
	}
	return f, nil
}

// Close closes the file and releases the lock. Pending and Recovered still
// answer afterwards.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.lock == nil {
		return nil
	}
	err := j.f.Close()
	err = errors.Join(err, j.lock.Close())
	j.lock = nil
	if err != nil {
		return fmt.Errorf("journal: close: %w", err)
	}
	return nil
}

// append writes r as one line with a single write and syncs it. A partly
// written line is cut off again so that later records stay readable.
func (j *Journal) append(r record) error {
	line, err := encode(r)
	if err != nil {
		return err
	}
	n, err := j.f.Write(line)
	if err != nil {
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				j.err = fmt.Errorf("journal: cut partial %s record: %w", r.Type, terr)
			}
		}
		return fmt.Errorf("journal: write %s: %w", j.path(), err)
	}
	if err := j.f.Sync(); err != nil {
		j.err = fmt.Errorf("journal: sync %s: %w", j.path(), err)
		return j.err
	}
	j.size += int64(n)
	return nil
}

// writable says why the journal cannot be written, if it cannot.
func (j *Journal) writable() error {
	if j.lock == nil {
		return ErrClosed
	}
	return j.err
}

func (j *Journal) path() string { return filepath.Join(j.dir, fileName) }

func (j *Journal) sortedPending() []Intent {
	out := make([]Intent, 0, len(j.pending))
	for _, in := range j.pending {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Intent) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// syncDir makes the directory entries in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}
