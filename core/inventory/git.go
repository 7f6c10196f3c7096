package inventory

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// ReadGit reads every hosts/<host>/inventory.json at a revision (a branch
// such as origin/tend/reports, a tag or a commit) of the Git repository that
// holds dir, without touching the work tree.
func ReadGit(dir, rev string) (map[string]*model.Snapshot, error) {
	t, err := reportsbranch.At(dir, rev)
	if err != nil {
		return nil, fmt.Errorf("inventory git:%s: %w", rev, err)
	}
	hosts, err := t.Names(reportsbranch.HostsDir)
	if err != nil {
		return nil, fmt.Errorf("inventory git:%s: %w", rev, err)
	}
	if hosts == nil {
		return nil, fmt.Errorf("inventory git:%s: no %s/ directory at %s", rev, reportsbranch.HostsDir, commitid.Short(t.Head.String()))
	}
	// The objects are read one by one (the store is not shared between
	// goroutines) and parsed in parallel.
	type job struct {
		host, name string
		data       []byte
	}
	out := map[string]*model.Snapshot{}
	in := newInterner()
	var mu sync.Mutex
	errs := map[string]error{}
	jobs := make(chan job, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s, err := parse(j.name, j.data, j.host, in)
				mu.Lock()
				if err != nil {
					errs[j.host] = err
				} else {
					out[j.host] = s
				}
				mu.Unlock()
			}
		}()
	}
	readErr := func() error {
		defer func() { close(jobs); wg.Wait() }()
		for _, host := range hosts {
			p := reportsbranch.SnapshotPath(host)
			name := fmt.Sprintf("git:%s:%s", rev, p)
			data, ok, err := t.FileMax(p, MaxSnapshotSize)
			if errors.Is(err, reportsbranch.ErrTooLarge) {
				return tooLarge(name, -1)
			}
			if err != nil {
				return err
			}
			if !ok {
				continue // not a host directory, or one without a snapshot
			}
			jobs <- job{host, name, data}
		}
		return nil
	}()
	// The first failure in order: hosts before one that could not be read
	// were all parsed.
	for _, host := range hosts {
		if err := errs[host]; err != nil {
			return nil, err
		}
	}
	if readErr != nil {
		return nil, readErr
	}
	return out, nil
}
