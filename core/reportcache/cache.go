package reportcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	gojson "github.com/goccy/go-json"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// DefaultDir is the cache inside the configuration directory.
const DefaultDir = ".tend/reportcache"

// formatVersion changes whenever what an entry holds, or what goes into a
// key, does: older entries are then never found.
const formatVersion = "2"

// Key names one host's inputs (see the package documentation).
type Key [sha256.Size]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Entry is what a host's plan and report were, for the inputs of its key.
type Entry struct {
	Key string `json:"key"`
	// Plan is the planner's (its earlier rings' facts included).
	Plan *planner.Reused `json:"plan"`
	// Source is the inventory source the plan recorded. It is not part of
	// the key: a host's plan reads it only when the snapshot lacks the
	// policy's provider (to say how to get one), and Reusable checks that.
	Source string `json:"source"`
	// ScannedAt, Providers and Resolutions are what the plan needs of the
	// snapshot besides the host's own plan: staleness, the providers no
	// policy governs, and the transactions recorded.
	ScannedAt   time.Time                    `json:"scanned_at"`
	Providers   []string                     `json:"providers"`
	Resolutions map[string]*model.Resolution `json:"resolutions,omitempty"`
	// Report is the evaluated report; KBs are its items' KB, which
	// report.json leaves out and the summary counts.
	Report *model.Report `json:"report"`
	KBs    []string      `json:"kbs"`
	// ReportBlob is the Git blob hash of the rendered report.json.
	ReportBlob string `json:"report_blob"`
}

// Stub is the snapshot as far as the plan reads it for a host whose plan
// and report are reused: its scan time, its providers and their recorded
// transactions, no packages.
func (e *Entry) Stub(host string) *model.Snapshot {
	s := &model.Snapshot{FormatVersion: model.SnapshotFormatVersion, Host: host, ScannedAt: e.ScannedAt,
		Providers: make(map[string]*model.ProviderInventory, len(e.Providers))}
	for _, p := range e.Providers {
		s.Providers[p] = &model.ProviderInventory{Resolution: e.Resolutions[p]}
	}
	return s
}

// Reusable reports whether the entry holds for a plan from source of a
// host whose policy uses provider: the same source, or a snapshot with
// that provider, whose plan did not read the source.
func (e *Entry) Reusable(source, provider string) bool {
	return e.Source == source || slices.Contains(e.Providers, provider)
}

// ReportWithKBs returns the entry's report with its items' KBs.
func (e *Entry) ReportWithKBs() *model.Report {
	r := *e.Report
	r.Items = append([]model.Item(nil), r.Items...)
	for i := range r.Items {
		if i < len(e.KBs) {
			r.Items[i].KB = e.KBs[i]
		}
	}
	return &r
}

// Blob is the hash of the rendered report.json.
func (e *Entry) Blob() plumbing.Hash { return plumbing.NewHash(e.ReportBlob) }

// NewEntry makes the entry of a host planned and evaluated afresh: plan is
// what the planner reported (planner.Input.Planned), snap the host's
// snapshot, report its evaluated report and rendered the report.json it
// gave.
func NewEntry(k Key, plan *planner.Reused, source string, snap *model.Snapshot, report *model.Report, rendered []byte) *Entry {
	e := &Entry{Key: k.String(), Plan: plan, Source: source, ScannedAt: snap.ScannedAt, Report: report,
		ReportBlob: plumbing.ComputeHash(plumbing.BlobObject, rendered).String()}
	for name, p := range snap.Providers {
		e.Providers = append(e.Providers, name)
		if p != nil && p.Resolution != nil {
			if e.Resolutions == nil {
				e.Resolutions = map[string]*model.Resolution{}
			}
			e.Resolutions[name] = p.Resolution
		}
	}
	sort.Strings(e.Providers)
	e.KBs = make([]string, len(report.Items))
	for i, it := range report.Items {
		e.KBs[i] = it.KB
	}
	return e
}

// Cache is the entries in Dir's file (File): one file, rewritten whole by
// each run that stores entries, with the entries that run used.
type Cache struct {
	Dir string

	loadOnce sync.Once
	mu       sync.Mutex
	// raw are the entries read, by key, as stored; keep are those this
	// run read or stored.
	raw  map[Key][]byte
	keep map[Key][]byte
	put  bool

	stats stats
}

// File is the cache file's name in Dir.
const File = "entries"

// magic starts the file: the format, then frames of a 32-byte key, a
// 4-byte big-endian length and the entry's JSON.
const magic = "tend-reportcache " + formatVersion + "\n"

// Open returns the cache of a configuration directory.
func Open(configDir string) *Cache { return &Cache{Dir: filepath.Join(configDir, DefaultDir)} }

// load reads the file once; one that cannot be read or parsed is empty.
func (c *Cache) load() {
	c.loadOnce.Do(func() {
		c.raw, c.keep = map[Key][]byte{}, map[Key][]byte{}
		data, err := os.ReadFile(filepath.Join(c.Dir, File))
		if err != nil || !strings.HasPrefix(string(data[:min(len(data), len(magic))]), magic) {
			return
		}
		entries := map[Key][]byte{}
		for rest := data[len(magic):]; len(rest) > 0; {
			if len(rest) < len(Key{})+4 {
				return
			}
			var k Key
			copy(k[:], rest)
			n := int(binary.BigEndian.Uint32(rest[len(k):]))
			rest = rest[len(k)+4:]
			if n > len(rest) {
				return
			}
			entries[k], rest = rest[:n:n], rest[n:]
		}
		c.raw = entries
	})
}

// Get returns the entry of k; nil when there is none or it cannot be
// decoded. It is safe for concurrent use.
func (c *Cache) Get(k Key) *Entry {
	c.load()
	c.mu.Lock()
	data := c.raw[k]
	c.mu.Unlock()
	if data == nil {
		return nil
	}
	e := &Entry{}
	if err := gojson.Unmarshal(data, e); err != nil || e.Key != k.String() || e.Plan == nil || e.Report == nil {
		return nil
	}
	c.mu.Lock()
	c.keep[k] = data
	c.mu.Unlock()
	return e
}

// Put adds e to what Save writes. It is safe for concurrent use.
func (c *Cache) Put(k Key, e *Entry) error {
	c.load()
	data, err := gojson.Marshal(e)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.keep[k] = data
	c.put = true
	c.mu.Unlock()
	return nil
}

// PutAll is Put of each entry, a few at a time.
func (c *Cache) PutAll(keys []Key, entries []*Entry) error {
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = c.Put(keys[i], entries[i])
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// Save replaces the file with the entries this run read or stored (so the
// cache holds at most one run's hosts), unless it holds just those,
// written to a temporary file and renamed: a concurrent run's file is
// replaced whole, never mixed. The snapshot files' stat information
// (Blob, SawBlob) is saved likewise.
func (c *Cache) Save() error {
	if err := c.saveStats(); err != nil {
		return err
	}
	c.load()
	c.mu.Lock()
	if !c.put && len(c.keep) == len(c.raw) {
		c.mu.Unlock()
		return nil // the file holds just what this run used
	}
	keys := slices.SortedFunc(maps.Keys(c.keep), func(a, b Key) int { return bytes.Compare(a[:], b[:]) })
	var buf bytes.Buffer
	buf.WriteString(magic)
	for _, k := range keys {
		data := c.keep[k]
		buf.Write(k[:])
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		buf.Write(n[:])
		buf.Write(data)
	}
	c.mu.Unlock()
	return writeAside(c.Dir, File, buf.Bytes())
}

// Hasher builds keys: the run's part once (NewHasher, then its Add
// methods), then each host's on a copy (Host).
type Hasher struct{ h hash.Hash }

// NewHasher starts a key with the format versions and the binary that
// computes it.
func NewHasher() *Hasher {
	h := &Hasher{h: sha256.New()}
	h.String("tend-reportcache " + formatVersion)
	h.String(model.ReportFormatVersion)
	h.String(model.PlanFormatVersion)
	h.String(binaryID())
	return h
}

// String adds s, length-prefixed.
func (h *Hasher) String(s string) *Hasher {
	h.Int(int64(len(s)))
	h.h.Write([]byte(s))
	return h
}

// Int adds n.
func (h *Hasher) Int(n int64) *Hasher {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.h.Write(b[:])
	return h
}

// Time adds t (the instant, not its zone).
func (h *Hasher) Time(t time.Time) *Hasher {
	if t.IsZero() {
		return h.Int(0).Int(0)
	}
	return h.Int(1).Int(t.UnixNano())
}

// JSON adds v's encoding/json encoding (maps sorted by key).
func (h *Hasher) JSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h.String(string(b))
	return nil
}

// Clone returns a copy to go on from.
func (h *Hasher) Clone() *Hasher {
	m, ok := h.h.(interface{ MarshalBinary() ([]byte, error) })
	if !ok {
		panic("reportcache: sha256 state cannot be copied")
	}
	state, err := m.MarshalBinary()
	if err != nil {
		panic(err)
	}
	c := sha256.New()
	if err := c.(interface{ UnmarshalBinary([]byte) error }).UnmarshalBinary(state); err != nil {
		panic(err)
	}
	return &Hasher{h: c}
}

// Sum returns the key.
func (h *Hasher) Sum() Key {
	var k Key
	copy(k[:], h.h.Sum(nil))
	return k
}

var (
	binaryOnce sync.Once
	binaryName string
)

// binaryID names the running tend: its build information and its
// executable's size and modification time, so that a rebuilt tend (one
// that may evaluate differently) finds none of an older one's entries.
func binaryID() string {
	binaryOnce.Do(func() {
		var b strings.Builder
		if bi, ok := debug.ReadBuildInfo(); ok {
			b.WriteString(bi.String())
		}
		if exe, err := os.Executable(); err == nil {
			if fi, err := os.Stat(exe); err == nil {
				b.WriteString(exe)
				b.WriteString(fi.ModTime().UTC().Format(time.RFC3339Nano))
				b.WriteString(" ")
				b.WriteString(strconv.FormatInt(fi.Size(), 10))
			}
		}
		binaryName = b.String()
	})
	return binaryName
}
