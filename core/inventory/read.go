package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/tend-sh/tend/core/model"
)

// FileName is the name of a snapshot file inside its host's directory.
const FileName = "inventory.json"

// Parse decodes one snapshot and checks it against the contract. name is
// used in errors; wantHost, when not empty, must equal the snapshot's host.
func Parse(name string, data []byte, wantHost string) (*model.Snapshot, error) {
	var s model.Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
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
		if p == nil {
			return nil, fmt.Errorf("%s: provider %q is null", name, pname)
		}
		for i, u := range p.Available {
			if u.Name == "" || u.To == "" {
				return nil, fmt.Errorf("%s: providers.%s.available[%d]: name and to are required", name, pname, i)
			}
		}
	}
	return &s, nil
}

// ReadDir reads every DIR/<host>/inventory.json. Hosts without a file are
// simply absent from the result; a malformed file is an error naming it.
// Files are decoded in parallel.
func ReadDir(dir string) (map[string]*model.Snapshot, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading inventory: %w", err)
	}
	var hosts []string
	for _, e := range entries {
		if e.IsDir() {
			hosts = append(hosts, e.Name())
		}
	}
	sort.Strings(hosts)
	out := make(map[string]*model.Snapshot, len(hosts))
	errs := make([]error, len(hosts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s, err := readHost(dir, hosts[i])
				if err != nil {
					errs[i] = err
					continue
				}
				if s != nil {
					mu.Lock()
					out[hosts[i]] = s
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
		return nil, err
	}
	return out, nil
}

func readHost(dir, host string) (*model.Snapshot, error) {
	path := filepath.Join(dir, host, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(path, data, host)
}
