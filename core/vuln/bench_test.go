package vuln

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/model"
)

// Sizes of the generated tracker: about the full Debian tracker file
// (≈ 60 MB, tens of thousands of source packages).
const (
	benchSources       = 16000
	benchCVEsPerSource = 6
	benchInstalled     = 1000
	benchHosts         = 10000
	benchDistinctHosts = 50 // inventories generated; hosts beyond reuse them
)

// genTracker writes a tracker file shaped like Debian's: per source
// package, CVEs with a description and four releases, some open.
func genTracker(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tracker.json")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	desc := strings.Repeat("A heap-based buffer overflow in the parser allows remote attackers to execute code. ", 2)
	f.WriteString("{")
	for s := 0; s < benchSources; s++ {
		if s > 0 {
			f.WriteString(",")
		}
		issues := map[string]any{}
		for c := 0; c < benchCVEsPerSource; c++ {
			fixed := fmt.Sprintf("1.%d-%d+deb12u1", c, s%7)
			status := "resolved"
			if c == benchCVEsPerSource-1 && s%3 == 0 {
				status, fixed = "open", ""
			}
			rel := map[string]any{"status": status, "repositories": map[string]string{"bookworm": "1.5-1"}, "urgency": "not yet assigned"}
			if fixed != "" {
				rel["fixed_version"] = fixed
			}
			issues[fmt.Sprintf("CVE-%d-%05d", 2015+c, s)] = map[string]any{
				"description": desc, "scope": "remote",
				"releases": map[string]any{"bookworm": rel, "bullseye": rel, "trixie": rel, "sid": rel},
			}
		}
		b, _ := json.Marshal(issues)
		fmt.Fprintf(f, "%q:%s", fmt.Sprintf("src%05d", s), b)
	}
	f.WriteString("}")
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// genInventory is one host with benchInstalled packages, a twentieth of
// them with an update.
func genInventory(h int) *model.Snapshot {
	inv := &model.ProviderInventory{Facts: map[string]string{"os": "debian", "release": "12"}}
	for i := 0; i < benchInstalled; i++ {
		s := (h*131 + i*17) % benchSources
		name := fmt.Sprintf("lib%05d", s)
		inv.Installed = append(inv.Installed, model.Installed{ID: name, Name: name, Version: "1.0-1", Source: fmt.Sprintf("src%05d", s)})
		if i%20 == 0 {
			inv.Available = append(inv.Available, model.Update{Name: name, From: "1.0-1", To: fmt.Sprintf("1.9-%d+deb12u1", s%7)})
		}
	}
	// The provider lists installed packages sorted, each name once.
	slices.SortFunc(inv.Installed, func(a, b model.Installed) int { return strings.Compare(a.ID, b.ID) })
	inv.Installed = slices.CompactFunc(inv.Installed, func(a, b model.Installed) bool { return a.ID == b.ID })
	return &model.Snapshot{Host: fmt.Sprintf("h%05d", h), Providers: map[string]*model.ProviderInventory{"apt": inv}}
}

// BenchmarkMatchFleet parses a generated tracker of the full file's size
// and matches 10,000 hosts × 1,000 installed packages against it; it
// reports the time jq takes to read the same file (jq length), and the
// ratio, when jq is installed.
func BenchmarkMatchFleet(b *testing.B) {
	path := genTracker(b)
	st, _ := os.Stat(path)
	invs := make([]*model.Snapshot, benchDistinctHosts)
	for i := range invs {
		invs[i] = genInventory(i)
	}
	hosts := benchHosts
	if s := os.Getenv("TEND_BENCH_HOSTS"); s != "" { // a smaller fleet while profiling
		fmt.Sscan(s, &hosts)
	}
	b.ResetTimer()
	var parse, match time.Duration
	for n := 0; n < b.N; n++ {
		start := time.Now()
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		p, err := feeds.Parse(config.FeedDebianTracker, raw)
		if err != nil {
			b.Fatal(err)
		}
		db := New([]*feeds.Loaded{{Feed: &config.Feed{Name: "debian", Type: config.FeedDebianTracker}, Data: p}})
		parse += time.Since(start)
		start = time.Now()
		for h := 0; h < hosts; h++ {
			db.annotate(invs[h%benchDistinctHosts].Providers["apt"])
		}
		match += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(st.Size())/1e6, "MB")
	b.ReportMetric(parse.Seconds()/float64(b.N), "parse-s")
	b.ReportMetric(match.Seconds()/float64(b.N), "match-s")
	if jq, err := exec.LookPath("jq"); err == nil {
		start := time.Now()
		if out, err := exec.Command(jq, "length", path).CombinedOutput(); err != nil {
			b.Fatalf("jq: %v: %s", err, out)
		}
		jqTime := time.Since(start)
		b.ReportMetric(jqTime.Seconds(), "jq-s")
		b.ReportMetric((parse+match).Seconds()/float64(b.N)/jqTime.Seconds(), "ratio-to-jq")
	}
}
