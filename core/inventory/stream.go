package inventory

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/tend-sh/tend/core/model"
)

// Stream reads the snapshots of a directory (DIR/<host>/inventory.json,
// as ReadDir) in an order given up front, parsing a few hosts ahead of the
// reader on every core, so a plan of a large fleet holds only the hosts
// being parsed and planned rather than the whole fleet (which is why its
// snapshots are not interned: what is let go needs no sharing). Next hands out
// each snapshot whole; Kept holds every snapshot read without its
// installed list (what a plan needs of it afterwards).
type Stream struct {
	dir   string
	order []string
	slots []chan parsed
	next  int
	// release gives back the token of a snapshot read.
	release func()

	mu   sync.Mutex
	kept map[string]*model.Snapshot
	errs map[string]error

	done chan struct{}
	wg   sync.WaitGroup
}

type parsed struct {
	snap *model.Snapshot
	err  error
}

// lookahead is how many snapshots each core parses ahead of the reader.
const lookahead = 4

// OpenStream starts reading dir's snapshots of the hosts in order (a host
// may repeat) and then of the directory's other hosts, which Rest reads.
// It fails as ReadDir does when dir cannot be listed.
func OpenStream(dir string, order []string) (*Stream, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading inventory: %w", err)
	}
	listed := map[string]bool{}
	for _, h := range order {
		listed[h] = true
	}
	all := slices.Clone(order)
	var rest []string
	for _, e := range entries {
		if e.IsDir() && !listed[e.Name()] {
			rest = append(rest, e.Name())
		}
	}
	slices.Sort(rest)
	all = append(all, rest...)

	s := &Stream{dir: dir, order: all, slots: make([]chan parsed, len(all)),
		kept: map[string]*model.Snapshot{}, errs: map[string]error{}, done: make(chan struct{})}
	for i := range s.slots {
		s.slots[i] = make(chan parsed, 1)
	}
	workers := runtime.GOMAXPROCS(0)
	// A token per snapshot parsed but not yet read bounds the memory: the
	// feeder takes one before handing out a host, Next gives it back.
	tokens := make(chan struct{}, workers*lookahead)
	work := make(chan int)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(work)
		for i := range all {
			select {
			case tokens <- struct{}{}:
			case <-s.done:
				return
			}
			select {
			case work <- i:
			case <-s.done:
				return
			}
		}
	}()
	for range workers {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for i := range work {
				snap, _, err := readHost(dir, all[i], nil)
				s.slots[i] <- parsed{snap, err}
			}
		}()
	}
	s.release = func() { <-tokens }
	return s, nil
}

// Next returns the snapshot of host, the next host of the order OpenStream
// was given (nil when the host has none or it is malformed: Err tells).
// Asked out of order, it reads the host's snapshot itself.
func (s *Stream) Next(host string) *model.Snapshot {
	var p parsed
	if s.next < len(s.order) && s.order[s.next] == host {
		p = <-s.slots[s.next]
		s.next++
		s.release()
	} else {
		p.snap, _, p.err = readHost(s.dir, host, nil)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.err != nil {
		s.errs[host] = p.err
		return nil
	}
	if p.snap != nil {
		s.kept[host] = withoutInstalled(p.snap)
	}
	return p.snap
}

// Rest reads the snapshots not read yet: the directory's hosts that were
// not in the order, and what remains of the order.
func (s *Stream) Rest() {
	for s.next < len(s.order) {
		s.Next(s.order[s.next])
	}
}

// Kept returns, by host, every snapshot read so far without its installed
// lists.
func (s *Stream) Kept() map[string]*model.Snapshot { return s.kept }

// Err joins the errors of the snapshots read so far, by host name, as
// ReadDir reports them.
func (s *Stream) Err() error {
	hosts := make([]string, 0, len(s.errs))
	for h := range s.errs {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	errs := make([]error, len(hosts))
	for i, h := range hosts {
		errs[i] = s.errs[h]
	}
	return errors.Join(errs...)
}

// Close stops reading ahead and waits for the readers to finish.
func (s *Stream) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.wg.Wait()
}

// withoutInstalled is a copy of snap without its providers' installed
// lists, sharing the rest.
func withoutInstalled(snap *model.Snapshot) *model.Snapshot {
	c := *snap
	c.Providers = make(map[string]*model.ProviderInventory, len(snap.Providers))
	for name, p := range snap.Providers {
		if p == nil {
			c.Providers[name] = nil
			continue
		}
		pc := *p
		pc.Installed = nil
		c.Providers[name] = &pc
	}
	return &c
}
