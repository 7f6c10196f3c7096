package vuln

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	benchDistinctHosts = 50 // inventories generated (TEND_BENCH_DISTINCT); hosts beyond reuse them
)

// genTracker writes a tracker file of benchSources source packages.
func genTracker(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tracker.json")
	if err := os.WriteFile(path, genTrackerBytes(tb, benchSources), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// genTrackerBytes is a tracker file shaped like Debian's: per source
// package, CVEs with a description and four releases, some open. CVE c
// of source s is fixed in 1.c-(s%7)+deb12u1.
func genTrackerBytes(tb testing.TB, sources int) []byte {
	tb.Helper()
	var f bytes.Buffer
	desc := strings.Repeat("A heap-based buffer overflow in the parser allows remote attackers to execute code. ", 2)
	f.WriteString("{")
	for s := 0; s < sources; s++ {
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
		b, err := json.Marshal(issues)
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&f, "%q:%s", fmt.Sprintf("src%05d", s), b)
	}
	f.WriteString("}")
	return f.Bytes()
}

// genInventory is one host of the benchmark fleet.
func genInventory(h int, patched bool) *model.Snapshot {
	return genInventoryN(h, benchSources, benchInstalled, patched)
}

// genInventoryN is one host with installed packages of a tracker of
// sources, a twentieth of them with an update. Pessimistic (patched
// false): every package is older than every fix. Patched: as in a fleet
// kept up to date, most packages are at or past every fix (only the CVEs
// with no fix stay open); one in ten is behind, half of those by one fix
// and with an update that reaches all fixes.
func genInventoryN(h, sources, installed int, patched bool) *model.Snapshot {
	inv := &model.ProviderInventory{Facts: map[string]string{"os": "debian", "release": "12"}}
	for i := 0; i < installed; i++ {
		s := (h*131 + i*17) % sources
		name := fmt.Sprintf("lib%05d", s)
		version, update := "1.0-1", i%20 == 0
		if patched {
			switch {
			case (h+i)%10 == 1:
				version, update = fmt.Sprintf("1.%d-%d+deb12u1", benchCVEsPerSource-2, s%7), true
			case (h+i)%10 == 6:
				version, update = "1.0-1", false
			default:
				version, update = fmt.Sprintf("1.9-%d+deb12u1", s%7), false
			}
		}
		inv.Installed = append(inv.Installed, model.Installed{ID: name, Name: name, Version: version, Source: fmt.Sprintf("src%05d", s)})
		if update {
			inv.Available = append(inv.Available, model.Update{Name: name, From: version, To: fmt.Sprintf("1.9-%d+deb12u1", s%7)})
		}
	}
	// The provider lists installed packages sorted, each name once.
	slices.SortFunc(inv.Installed, func(a, b model.Installed) int { return strings.Compare(a.ID, b.ID) })
	inv.Installed = slices.CompactFunc(inv.Installed, func(a, b model.Installed) bool { return a.ID == b.ID })
	return &model.Snapshot{Host: fmt.Sprintf("h%05d", h), Providers: map[string]*model.ProviderInventory{"apt": inv}}
}

// BenchmarkMatchFleet reads a generated tracker of the full file's size
// (its parsed copy in the feeds cache, as every run after the first does;
// cold-parse-s is the first, full parse) and matches 10,000 hosts × 1,000
// installed packages against it, twice:
// a pessimistic fleet (every package older than every fix) and a patched
// one. It reports the time jq takes to read the same file (jq length),
// and the ratio, when jq is installed.
func BenchmarkMatchFleet(b *testing.B) {
	path := genTracker(b)
	st, _ := os.Stat(path)
	// The feeds cache, where the first parse leaves its parsed copy: as
	// after tend feeds update, or any earlier plan, of the same file.
	cache := &feeds.Cache{Dir: b.TempDir()}
	cold := time.Now()
	if raw, err := os.ReadFile(path); err != nil {
		b.Fatal(err)
	} else if _, err := cache.ParseCached("debian", config.FeedDebianTracker, raw); err != nil {
		b.Fatal(err)
	}
	coldParse := time.Since(cold)
	hosts := benchHosts
	if s := os.Getenv("TEND_BENCH_HOSTS"); s != "" { // a smaller fleet while profiling
		fmt.Sscan(s, &hosts)
	}
	for _, fleet := range []struct {
		name    string
		patched bool
	}{{"pessimistic", false}, {"patched", true}} {
		b.Run(fleet.name, func(b *testing.B) {
			distinct := benchDistinctHosts
			if s := os.Getenv("TEND_BENCH_DISTINCT"); s != "" { // more distinct hosts: less of them in the caches
				fmt.Sscan(s, &distinct)
			}
			invs := make([]*model.ProviderInventory, distinct)
			for i := range invs {
				invs[i] = genInventory(i, fleet.patched).Providers["apt"]
			}
			b.ResetTimer()
			var parse, match, cpu time.Duration
			open := 0
			for n := 0; n < b.N; n++ {
				cpuStart := cpuTime()
				start := time.Now()
				raw, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				p, err := cache.ParseCached("debian", config.FeedDebianTracker, raw)
				if err != nil {
					b.Fatal(err)
				}
				db := New([]*feeds.Loaded{{Feed: &config.Feed{Name: "debian", Type: config.FeedDebianTracker}, Data: p}})
				parse += time.Since(start)
				start = time.Now()
				// The distinct inventories, matched in parallel, as often as
				// it takes to make the fleet.
				for h := 0; h < hosts; h += len(invs) {
					db.annotateAll(invs[:min(len(invs), hosts-h)])
				}
				match += time.Since(start)
				cpu += cpuTime() - cpuStart
				open = 0
				for _, inv := range invs {
					open += inv.OpenCVEs.Len()
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(st.Size())/1e6, "MB")
			b.ReportMetric(float64(open)*float64(hosts)/float64(len(invs)), "open-cves")
			b.ReportMetric(parse.Seconds()/float64(b.N), "parse-s")
			b.ReportMetric(coldParse.Seconds(), "cold-parse-s")
			b.ReportMetric(match.Seconds()/float64(b.N), "match-s")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
			// jq right after, so both see about the same load.
			if jq, err := exec.LookPath("jq"); err == nil {
				start := time.Now()
				cmd := exec.Command(jq, "length", path)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("jq: %v: %s", err, out)
				}
				jqTime := time.Since(start)
				jqCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				b.ReportMetric(jqTime.Seconds(), "jq-s")
				b.ReportMetric(jqCPU.Seconds(), "jq-cpu-s")
				b.ReportMetric((parse+match).Seconds()/float64(b.N)/jqTime.Seconds(), "ratio-to-jq")
				b.ReportMetric(cpu.Seconds()/float64(b.N)/jqCPU.Seconds(), "cpu-ratio-to-jq")
			}
		})
	}
}

// cpuTime is the CPU time the process has used (user and system, all
// threads): on a shared machine it moves less with the load than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
