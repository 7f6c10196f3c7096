package fleetgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/model"
)

var small = Options{Hosts: 40, Installed: 120, Available: 12, Seed: 7}

// readTree returns every file under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func generate(t *testing.T, opts Options) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(opts, DirWriter(dir)); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, readTree(t, dir)
}

func TestGenerateDeterministic(t *testing.T) {
	_, first := generate(t, small)
	_, second := generate(t, small)
	if len(first) != small.Hosts+2 {
		t.Fatalf("generated %d files, want %d", len(first), small.Hosts+2)
	}
	for name, data := range first {
		if !bytes.Equal(data, second[name]) {
			t.Errorf("%s differs between two runs with the same options", name)
		}
	}
	other := small
	other.Seed++
	_, third := generate(t, other)
	if bytes.Equal(first[hostsFile], third[hostsFile]) {
		t.Errorf("seeds %d and %d gave the same host list", small.Seed, other.Seed)
	}
}

func TestGenerateSnapshots(t *testing.T) {
	dir, files := generate(t, small)

	var hosts []host
	if err := json.Unmarshal(files[hostsFile], &hosts); err != nil {
		t.Fatalf("%s: %v", hostsFile, err)
	}
	if len(hosts) != small.Hosts {
		t.Fatalf("%s lists %d hosts, want %d", hostsFile, len(hosts), small.Hosts)
	}
	if !slices.IsSortedFunc(hosts, func(a, b host) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("%s is not sorted by name", hostsFile)
	}

	security, updates := 0, 0
	for _, h := range hosts {
		p := snapshotPath(h.Name)
		data, ok := files[p]
		if !ok {
			t.Fatalf("no snapshot %s", p)
		}
		if !bytes.HasSuffix(data, []byte("}\n")) {
			t.Errorf("%s does not end in a newline", p)
		}
		var snap model.Snapshot
		if err := json.Unmarshal(data, &snap); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		checkSnapshot(t, p, h.Name, &snap)
		for _, u := range snap.Providers["apt"].Available {
			updates++
			if u.Classification == "security" {
				security++
			}
		}
	}
	if share := float64(security) / float64(updates); share < 0.2 || share > 0.5 {
		t.Errorf("%.0f%% of the updates are security updates, want about 30%%", 100*share)
	}

	// The configuration loads and its two policies cover the fleet.
	cfg, diags := config.Load(filepath.Join(dir, ConfigDir))
	if len(diags) > 0 {
		t.Fatalf("config.Load: %s", diags.Error())
	}
	covered := 0
	for _, p := range cfg.Policies {
		covered += len(p.Hosts)
	}
	if len(cfg.Policies) != 2 || covered != small.Hosts {
		t.Errorf("%d policies cover %d hosts, want 2 policies covering %d", len(cfg.Policies), covered, small.Hosts)
	}
}

func checkSnapshot(t *testing.T, path, name string, snap *model.Snapshot) {
	t.Helper()
	if snap.FormatVersion != model.SnapshotFormatVersion || snap.Host != name || !snap.ScannedAt.Equal(scannedAt) {
		t.Errorf("%s: format %q, host %q, scanned at %s", path, snap.FormatVersion, snap.Host, snap.ScannedAt)
	}
	inv := snap.Providers["apt"]
	if inv == nil || len(snap.Providers) != 1 {
		t.Fatalf("%s: want exactly the provider apt, got %v", path, snap.Providers)
	}
	if diff := cmp.Diff([]string{"kernel", "os", "release"}, sortedKeys(inv.Facts)); diff != "" {
		t.Errorf("%s: facts (-want +got):\n%s", path, diff)
	}
	if len(inv.Installed) != small.Installed || len(inv.Available) != small.Available {
		t.Errorf("%s: %d installed and %d available, want %d and %d",
			path, len(inv.Installed), len(inv.Available), small.Installed, small.Available)
	}
	installed := map[string]string{}
	for i, p := range inv.Installed {
		if i > 0 && inv.Installed[i-1].Name >= p.Name {
			t.Errorf("%s: installed not sorted by name at %q", path, p.Name)
		}
		if p.ID != p.Name || (p.Arch != "amd64" && p.Arch != "all") {
			t.Errorf("%s: installed %+v", path, p)
		}
		if err := debversion.Valid(p.Version); err != nil {
			t.Errorf("%s: %s: %v", path, p.Name, err)
		}
		installed[p.Name] = p.Version
	}
	for _, m := range mandatory {
		if _, ok := installed[m]; !ok {
			t.Errorf("%s: %s is not installed", path, m)
		}
	}
	for i, u := range inv.Available {
		if i > 0 && inv.Available[i-1].Name >= u.Name {
			t.Errorf("%s: available not sorted by name at %q", path, u.Name)
		}
		checkUpdate(t, path, installed, u)
	}
	if got := inv.Versions["nginx"]; len(got) != 2 || !slices.Contains(got, installed["nginx"]) {
		t.Errorf("%s: versions of nginx %v do not include the installed %q", path, got, installed["nginx"])
	}
}

func checkUpdate(t *testing.T, path string, installed map[string]string, u model.Update) {
	t.Helper()
	if from, ok := installed[u.Name]; !ok || from != u.From || u.ID != u.Name {
		t.Errorf("%s: update %s from %q, but %q is installed", path, u.Name, u.From, from)
	}
	if err := debversion.Valid(u.To); err != nil {
		t.Errorf("%s: %s: %v", path, u.Name, err)
	}
	if debversion.Compare(u.To, u.From) <= 0 {
		t.Errorf("%s: update %s from %s to %s is not newer", path, u.Name, u.From, u.To)
	}
	switch {
	case u.Classification == "security" && (len(u.CVEs) < 1 || len(u.CVEs) > 2):
		t.Errorf("%s: security update %s has CVEs %v, want 1 or 2", path, u.Name, u.CVEs)
	case u.Classification == "other" && len(u.CVEs) > 0:
		t.Errorf("%s: update %s of class other has CVEs %v", path, u.Name, u.CVEs)
	case u.Classification != "security" && u.Classification != "other":
		t.Errorf("%s: update %s has classification %q", path, u.Name, u.Classification)
	}
	for _, id := range u.CVEs {
		if !strings.HasPrefix(id, "CVE-202") {
			t.Errorf("%s: update %s has CVE %q", path, u.Name, id)
		}
	}
	if !u.ReleasedAt.Before(releaseEpoch) || u.ReleasedAt.Before(releaseEpoch.Add(-30*24*time.Hour)) {
		t.Errorf("%s: update %s released at %s, want within the 30 days before %s", path, u.Name, u.ReleasedAt, releaseEpoch)
	}
	if want := strings.HasPrefix(u.Name, "linux-image-"); u.RebootRequired != want {
		t.Errorf("%s: update %s has reboot_required %v, want %v", path, u.Name, u.RebootRequired, want)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestGenerateEdges(t *testing.T) {
	// The smallest fleet: one host with only the mandatory packages, both
	// out of date; and a catalogue crowded enough to need fallback names.
	for _, opts := range []Options{
		{Hosts: 1, Installed: 2, Available: 2},
		{Hosts: 2, Installed: 5000, Available: 0, Seed: 3},
	} {
		files := map[string]int{}
		err := Generate(opts, func(p string, data []byte) error {
			files[p] = len(data)
			return nil
		})
		if err != nil || len(files) != opts.Hosts+2 {
			t.Errorf("Generate(%+v) wrote %d files, error %v", opts, len(files), err)
		}
	}
}

func TestGenerateBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Hosts: 0, Installed: 10}, "hosts must be at least 1"},
		{Options{Hosts: 1, Installed: 1}, "installed must be at least 2"},
		{Options{Hosts: 1, Installed: 10, Available: 11}, "available must be between 0 and installed"},
		{Options{Hosts: 1, Installed: 10, Available: -1}, "available must be between 0 and installed"},
	} {
		err := Generate(tc.opts, func(string, []byte) error {
			t.Fatalf("Generate(%+v) wrote a file", tc.opts)
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Generate(%+v) = %v, want %q", tc.opts, err, tc.want)
		}
	}
}

func TestGenerateWriteError(t *testing.T) {
	boom := os.ErrPermission
	err := Generate(small, func(p string, _ []byte) error {
		if strings.HasPrefix(p, SnapshotsDir) {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "inventory.json") {
		t.Errorf("Generate = %v, want an error naming the snapshot", err)
	}
}

func BenchmarkGenerate(b *testing.B) {
	opts := Options{Hosts: 100, Installed: 1000, Available: 30, Seed: 1}
	var n int64
	for b.Loop() {
		n = 0
		err := Generate(opts, func(_ string, data []byte) error {
			n += int64(len(data))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(n)
}
