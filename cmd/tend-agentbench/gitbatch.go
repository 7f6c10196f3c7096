package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/daemon"
	tendfleet "github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// gitOptions configure the Git batching run (-git).
type gitOptions struct {
	clients, hostsPerClient int
	// rate is scans per second over the whole fleet, each changing its
	// host's report.
	rate float64
	// duration is how long the stream runs; interval the daemon's
	// reconcile interval and reportInterval its --report-interval.
	duration, interval, reportInterval time.Duration
}

// gitResult is what -git measured: a real daemon (tend serve's, scan-only,
// with --reports-per-client) and controller under a steady stream of scans,
// and the commits its reports branches got.
type gitResult struct {
	Clients        int     `json:"clients"`
	HostsPerClient int     `json:"hosts_per_client"`
	Duration       float64 `json:"duration_s"`
	Interval       float64 `json:"reconcile_interval_s"`
	ReportInterval float64 `json:"report_interval_s"`
	Published      int     `json:"scans_published"`
	Rate           float64 `json:"scans_per_s"`
	Reconciles     int     `json:"reconciles"`
	Held           int     `json:"reconciles_held"`
	ReconcileP50   float64 `json:"reconcile_p50_s"`
	ReconcileMax   float64 `json:"reconcile_max_s"`
	// Committing are the reconciles that committed, with their p50 and
	// max; First is the reconcile before the stream, which creates the
	// branches (not in the other figures).
	Committing int     `json:"reconciles_committing"`
	CommitP50  float64 `json:"commit_reconcile_p50_s"`
	CommitMax  float64 `json:"commit_reconcile_max_s"`
	First      float64 `json:"first_reconcile_s"`
	// FleetCommits is the fleet-wide branch's commits during the stream
	// (the first, which creates it, not counted); ClientCommits each
	// client branch's, min and max over the clients.
	FleetCommits     int `json:"fleet_commits"`
	ClientCommitsMin int `json:"client_commits_min"`
	ClientCommitsMax int `json:"client_commits_max"`
	// PerMinute is the mean commits per minute per client branch, from
	// its first commit to the last one of any branch; MaxInInterval the most commits any branch got within one
	// report interval; MinGap the shortest time between two commits of
	// one branch.
	PerMinute     float64 `json:"commits_per_minute_per_client"`
	MaxInInterval int     `json:"max_commits_in_one_interval"`
	MinGap        float64 `json:"min_gap_s"`
	// Landed is the hosts whose last scan the fleet branch holds after
	// the stream stopped and one more interval passed, of Hosts.
	Landed    int     `json:"landed"`
	Streamed  int     `json:"hosts_streamed"`
	Hosts     int     `json:"hosts"`
	LandWait  float64 `json:"land_wait_s"`
	CPU       float64 `json:"controller_cpu_s"`
	ServerCPU float64 `json:"server_cpu_s"`
	PeakRSS   int64   `json:"controller_peak_rss_bytes"`
}

// streamSnapshot is host's scan number seq: a few packages, pkg0000 at a
// version naming seq (so every scan changes the host's report) and one
// security update.
func streamSnapshot(host string, seq int, at time.Time) json.RawMessage {
	var b strings.Builder
	fmt.Fprintf(&b, `{"format_version":"1","host":%q,"scanned_at":%q,"providers":{"apt":{"facts":{"os":"debian","release":"12"},"pending_reboot":false,"installed":[`, host, at.Format(time.RFC3339))
	fmt.Fprintf(&b, `{"id":"pkg0000","name":"pkg0000","version":"1.%d.0-1","arch":"amd64"}`, seq)
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, `,{"id":"pkg%04d","name":"pkg%04d","version":"1.0.0-1","arch":"amd64"}`, i, i)
	}
	b.WriteString(`],"available":[{"id":"pkg0001","name":"pkg0001","from":"1.0.0-1","to":"1.0.1-1","classification":"security","severity":"","cves":["CVE-2026-0001"],"kb":"","released_at":"0001-01-01T00:00:00Z","reboot_required":false}]}}}`)
	return json.RawMessage(b.String())
}

// gitBatch runs the daemon against a configuration of clients ×
// hostsPerClient agent hosts while scans stream in at rate, then reads the
// commits of every reports branch from Git.
func gitBatch(ctx context.Context, logTo io.Writer, url string, js jetstream.JetStream, h *hub, o gitOptions) (*gitResult, error) {
	n := o.clients * o.hostsPerClient
	res := &gitResult{Clients: o.clients, HostsPerClient: o.hostsPerClient, Duration: o.duration.Seconds(), Interval: o.interval.Seconds(),
		ReportInterval: o.reportInterval.Seconds(), Hosts: n}
	dir, err := os.MkdirTemp("", "tend-agentbench-git-")
	if err != nil {
		return nil, err
	}
	if os.Getenv("TEND_AGENTBENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Fprintln(logTo, "keeping", dir)
	}
	log := logrus.New()
	log.SetOutput(logTo)
	log.SetLevel(logrus.WarnLevel)

	// The configuration repository: host lists per client, locked.
	work, bare := filepath.Join(dir, "work"), filepath.Join(dir, "config.git")
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = hostName(i)
	}
	clientOfHost := func(i int) string { return fmt.Sprintf("client-%03d", i/o.hostsPerClient) }
	if err := os.Mkdir(work, 0o755); err != nil {
		return nil, err
	}
	if err := fleetConfig(work, hosts, clientOfHost); err != nil {
		return nil, err
	}
	cfg, diags := config.Load(work)
	if diags.HasErrors() {
		return nil, fmt.Errorf("bench configuration: %s", diags.Error())
	}
	if _, err := lockfile.Init(ctx, cfg, log); err != nil {
		return nil, fmt.Errorf("locking the apt provider (build tend-provider-apt next to tend-agentbench, as make bench-agents does, or set TEND_PLUGIN_DIR): %w", err)
	}
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", bare},
		{"-C", work, "init", "-q", "-b", "main"},
		{"-C", work, "add", "-A"},
		{"-C", work, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "bench fleet"},
		{"-C", work, "push", "-q", bare, "main"},
	} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	state := filepath.Join(dir, "state")
	ctl, err := tendfleet.Connect(ctx, tendfleet.Options{URL: url, InventoryDir: filepath.Join(state, "agents", "inventory"), Log: log})
	if err != nil {
		return nil, err
	}
	defer ctl.Close()
	var (
		mu        sync.Mutex
		held      int
		durations []time.Duration
		committed []bool
	)
	// The daemon's own "reconciled" log lines say how long each took.
	log.SetLevel(logrus.InfoLevel)
	log.SetOutput(io.Discard)
	log.AddHook(&tookHook{levels: logrus.AllLevels, fn: func(e *logrus.Entry) {
		if e.Level <= logrus.WarnLevel && e.Message != "plan warning" { // hosts not scanned yet
			fmt.Fprintln(logTo, e.Message, e.Data)
		}
		if e.Message != "reconciled" {
			return
		}
		if took, err := time.ParseDuration(fmt.Sprint(e.Data["took"])); err == nil {
			mu.Lock()
			durations = append(durations, took)
			committed = append(committed, false)
			mu.Unlock()
		}
	}})
	d, err := daemon.New(daemon.Options{
		Git: gitsource.Options{URL: "file://" + bare, Branch: "main"}, StateDir: state, Log: log,
		Interval: o.interval, ReportInterval: o.reportInterval, ReportsPerClient: true, ScanOnly: true, Fleet: ctl,
		OnReconciled: func(out *daemon.Outcome, err error) {
			mu.Lock()
			defer mu.Unlock()
			if out.ReportsHeld {
				held++
			}
			// Its "reconciled" line came just before.
			if len(committed) > 0 && out.Committed {
				committed[len(committed)-1] = true
			}
		},
	})
	if err != nil {
		return nil, err
	}
	defer d.Close()

	// The first reconcile makes the branches, before the stream starts.
	if _, err := d.Reconcile(ctx, plumbing.ZeroHash); err != nil {
		return nil, fmt.Errorf("first reconcile: %w", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- d.Run(runCtx) }()

	cpu, server := selfCPU(), h.cpu()
	streamStart := time.Now()
	last := map[string]int{}
	seq := 0
	tick := time.NewTicker(100 * time.Millisecond)
	perTick := max(int(o.rate/10), 1)
	next := 0
	for time.Since(streamStart) < o.duration {
		<-tick.C
		for range perTick {
			// Client by client in turn, so every client's hosts stream
			// steadily: host k of client c is hosts[c*hostsPerClient+k].
			c, k := next%o.clients, (next/o.clients)%o.hostsPerClient
			host := hosts[c*o.hostsPerClient+k]
			next++
			seq++
			at := time.Now().UTC()
			body, _ := json.Marshal(agentwire.Scan{Version: agentwire.Version, Host: host, ScannedAt: at, Snapshot: streamSnapshot(host, seq, at)})
			if _, err := js.Publish(ctx, agentwire.ScansSubject(host), body, jetstream.WithMsgID(fmt.Sprintf("scan-%s-%d", host, seq))); err != nil {
				tick.Stop()
				stop()
				return res, err
			}
			last[host] = seq
			res.Published++
		}
	}
	tick.Stop()
	streamEnd := time.Now()
	res.Rate = float64(res.Published) / streamEnd.Sub(streamStart).Seconds()
	res.Streamed = len(last)

	// Every scan lands: wait for the fleet branch to hold each host's last.
	landStart := time.Now()
	for deadline := time.Now().Add(o.reportInterval*3 + 5*time.Minute); ; time.Sleep(time.Second) {
		res.Landed, err = landed(bare, last)
		if err != nil {
			stop()
			return res, err
		}
		if res.Landed == len(last) || time.Now().After(deadline) {
			break
		}
	}
	res.LandWait = time.Since(landStart).Seconds()
	res.CPU, res.ServerCPU = (selfCPU() - cpu).Seconds(), (h.cpu() - server).Seconds()
	res.PeakRSS = procStatus(os.Getpid(), "VmHWM:")
	stop()
	<-ran

	mu.Lock()
	res.Held = held
	ds, cs := slices.Clone(durations), slices.Clone(committed)
	mu.Unlock()
	if len(ds) > 0 {
		res.First, ds, cs = ds[0].Seconds(), ds[1:], cs[1:]
	}
	var commits []time.Duration
	for i, c := range cs {
		if c {
			commits = append(commits, ds[i])
		}
	}
	res.Reconciles, res.Committing = len(ds), len(commits)
	res.ReconcileP50, res.ReconcileMax = p50max(ds)
	res.CommitP50, res.CommitMax = p50max(commits)

	// The commits, from Git.
	fleetBranch := config.DefaultReportsBranch
	branches := []string{fleetBranch}
	for c := range o.clients {
		branches = append(branches, reportsbranch.ClientBranch(fleetBranch, fmt.Sprintf("client-%03d", c)))
	}
	res.ClientCommitsMin, res.MinGap = -1, -1
	var perClient []int
	var span time.Duration
	for _, b := range branches {
		times, err := commitTimes(bare, b)
		if err != nil {
			return res, err
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]).Seconds(); res.MinGap < 0 || gap < res.MinGap {
				res.MinGap = gap
			}
		}
		res.MaxInInterval = max(res.MaxInInterval, mostWithin(times, o.reportInterval))
		during := len(times) - 1 // the first made the branch
		if during > 0 {
			span = max(span, times[len(times)-1].Sub(times[0]))
		}
		if b == fleetBranch {
			res.FleetCommits = during
			continue
		}
		perClient = append(perClient, during)
	}
	slices.Sort(perClient)
	total := 0
	for _, c := range perClient {
		total += c
	}
	if len(perClient) > 0 {
		res.ClientCommitsMin, res.ClientCommitsMax = perClient[0], perClient[len(perClient)-1]
		if span > 0 {
			res.PerMinute = float64(total) / float64(len(perClient)) / span.Minutes()
		}
	}
	if res.Landed != len(last) {
		return res, fmt.Errorf("%d of %d hosts' last scans reached the reports branch", res.Landed, len(last))
	}
	return res, nil
}

// p50max is the median and the largest of ds, in seconds.
func p50max(ds []time.Duration) (p50, most float64) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Seconds(), s[len(s)-1].Seconds()
}

// landed counts the hosts of last whose inventory.json on the fleet reports
// branch of the bare repository is their scan number last[host].
func landed(bare string, last map[string]int) (int, error) {
	repo, err := gogit.PlainOpen(bare)
	if err != nil {
		return 0, err
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(config.DefaultReportsBranch), true)
	if err != nil {
		return 0, err
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return 0, err
	}
	tree, err := c.Tree()
	if err != nil {
		return 0, err
	}
	n := 0
	for host, seq := range last {
		f, err := tree.File(reportsbranch.SnapshotPath(host))
		if err != nil {
			continue
		}
		body, err := f.Contents()
		if err == nil && strings.Contains(body, fmt.Sprintf(`"1.%d.0-1"`, seq)) {
			n++
		}
	}
	return n, nil
}

// commitTimes are the committer times of branch's commits, oldest first.
func commitTimes(repo, branch string) ([]time.Time, error) {
	out, err := exec.Command("git", "-C", repo, "log", "--reverse", "--format=%ct", branch).Output()
	if err != nil {
		return nil, fmt.Errorf("git log %s: %w", branch, err)
	}
	var times []time.Time
	for _, f := range strings.Fields(string(out)) {
		sec, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		times = append(times, time.Unix(sec, 0))
	}
	return times, nil
}

// mostWithin is the most times that fall within one window shorter than
// d (two commits exactly d apart are in different windows).
func mostWithin(times []time.Time, d time.Duration) int {
	most, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// tookHook hands every log entry to fn.
type tookHook struct {
	levels []logrus.Level
	fn     func(*logrus.Entry)
}

func (h *tookHook) Levels() []logrus.Level     { return h.levels }
func (h *tookHook) Fire(e *logrus.Entry) error { h.fn(e); return nil }
