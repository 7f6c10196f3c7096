package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	gojson "github.com/goccy/go-json"
	"github.com/tend-sh/tend/core/internal/safeopen"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// MaxSnapshotSize is the largest snapshot tend reads, in bytes (64 MiB):
// a snapshot of 10,000 installed packages is about 2 MiB. A larger file,
// or one that is not a regular file (a FIFO, /dev/zero), is refused
// before it is read, so a hostile or broken snapshot cannot exhaust
// memory or block a plan.
const MaxSnapshotSize = 64 << 20

// Parse decodes one snapshot and checks it against the contract. name is
// used in errors; wantHost, when not empty, must equal the snapshot's host.
func Parse(name string, data []byte, wantHost string) (*model.Snapshot, error) {
	return parse(name, data, wantHost, nil)
}

// parse is Parse, compacting the snapshot with in unless in is nil.
func parse(name string, data []byte, wantHost string, in *interner) (*model.Snapshot, error) {
	if len(data) > MaxSnapshotSize {
		return nil, tooLarge(name, int64(len(data)))
	}
	// The whole file is in memory: one Unmarshal of it (goccy/go-json,
	// several times faster than encoding/json's reflection and without a
	// Decoder's buffer refills) rejects anything after the snapshot too
	// (a second snapshot appended, a sparse file's zeros). What it refuses
	// is decoded again by encoding/json, the reference: its error is the
	// one users know, and what it accepts is accepted.
	var s model.Snapshot
	if err := gojson.Unmarshal(data, &s); err != nil {
		s = model.Snapshot{}
		if err := decodeStd(name, data, &s); err != nil {
			return nil, err
		}
	}
	switch {
	case s.FormatVersion != model.SnapshotFormatVersion:
		return nil, fmt.Errorf("%s: format_version %q is not supported (want %q)", name, s.FormatVersion, model.SnapshotFormatVersion)
	case s.Host == "":
		return nil, fmt.Errorf("%s: host is empty", name)
	case wantHost != "" && s.Host != wantHost:
		return nil, fmt.Errorf("%s: snapshot is for host %q, but lies in the directory of host %q", name, s.Host, wantHost)
	case s.ScannedAt.IsZero():
		return nil, fmt.Errorf("%s: scanned_at is missing", name)
	}
	for pname, p := range s.Providers {
		if err := checkProvider(pname, p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if in != nil {
		in.compact(&s)
	}
	return &s, nil
}

// decodeStd decodes a snapshot with encoding/json, the reference decoder.
func decodeStd(name string, data []byte, s *model.Snapshot) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(s); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// A snapshot is one JSON value: anything after it (a second snapshot
	// appended, a sparse file's zeros) makes the file suspect.
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: data after the snapshot at byte %d", name, dec.InputOffset())
	}
	return nil
}

// checkProvider checks one provider's inventory: every entry names its
// package, every update its version.
func checkProvider(pname string, p *model.ProviderInventory) error {
	switch {
	case pname == "":
		return errors.New(`providers: a provider's name is ""`)
	case p == nil:
		return fmt.Errorf("provider %q is null", pname)
	}
	for i, it := range p.Installed {
		if it.Name == "" {
			return fmt.Errorf("providers.%s.installed[%d]: name is required", pname, i)
		}
	}
	for i, u := range p.Available {
		if u.Name == "" || u.To == "" {
			return fmt.Errorf("providers.%s.available[%d]: name and to are required", pname, i)
		}
	}
	for i, u := range p.Unfinished {
		if u.Name == "" {
			return fmt.Errorf("providers.%s.unfinished[%d]: name is required", pname, i)
		}
	}
	return nil
}

// ReadDir reads every DIR/<host>/inventory.json. Hosts without a file are
// simply absent from the result; a malformed file is an error naming it.
// Files are decoded in parallel.
func ReadDir(dir string) (map[string]*model.Snapshot, error) {
	inv, _, err := readDir(dir, false)
	return inv, err
}

// ReadDirBlobs is ReadDir that also returns, by host, the Git blob hash of
// each snapshot file's bytes as read: a reports commit compares it with
// the branch's copy and keeps that copy, unencoded, when they are the same.
func ReadDirBlobs(dir string) (map[string]*model.Snapshot, map[string]plumbing.Hash, error) {
	return readDir(dir, true)
}

func readDir(dir string, withBlobs bool) (map[string]*model.Snapshot, map[string]plumbing.Hash, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading inventory: %w", err)
	}
	var hosts []string
	for _, e := range entries {
		if e.IsDir() {
			hosts = append(hosts, e.Name())
		}
	}
	sort.Strings(hosts)
	out := make(map[string]*model.Snapshot, len(hosts))
	var blobs map[string]plumbing.Hash
	if withBlobs {
		blobs = make(map[string]plumbing.Hash, len(hosts))
	}
	errs := make([]error, len(hosts))
	in := newInterner()
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s, data, err := readHost(dir, hosts[i], in)
				if err != nil {
					errs[i] = err
					continue
				}
				if s != nil {
					var h plumbing.Hash
					if withBlobs {
						h = plumbing.ComputeHash(plumbing.BlobObject, data)
					}
					mu.Lock()
					out[hosts[i]] = s
					if withBlobs {
						blobs[hosts[i]] = h
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range hosts {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return out, blobs, nil
}

// readHost reads and parses DIR/<host>/inventory.json, returning its bytes
// too; no file gives no snapshot and no error.
func readHost(dir, host string, in *interner) (*model.Snapshot, []byte, error) {
	path := filepath.Join(dir, host, reportsbranch.SnapshotFile)
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	s, err := parse(path, data, host, in)
	return s, data, err
}

// readFile reads a snapshot file of at most MaxSnapshotSize bytes. It
// must be a regular file (or a link to one): a FIFO would block the open,
// a device such as /dev/zero never ends.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fi.Mode().Type())
	}
	if fi.Size() > MaxSnapshotSize {
		return nil, tooLarge(path, fi.Size())
	}
	f, err := os.OpenFile(path, safeopen.ReadFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// What was opened, should the path have been swapped since Stat.
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fi.Mode().Type())
	}
	// The file may have grown since Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxSnapshotSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxSnapshotSize {
		return nil, tooLarge(path, -1)
	}
	return data, nil
}

// tooLarge is the error for a snapshot over MaxSnapshotSize; size is -1
// when unknown.
func tooLarge(name string, size int64) error {
	if size < 0 {
		return fmt.Errorf("%s: snapshot is larger than the limit of %d MiB", name, MaxSnapshotSize>>20)
	}
	return fmt.Errorf("%s: snapshot of %d bytes is larger than the limit of %d MiB", name, size, MaxSnapshotSize>>20)
}
