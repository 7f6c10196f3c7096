package main

import (
	"fmt"
	"io"
)

// writeMarkdown prints one run's figures as the rows docs/benchmarks.md
// shows.
func writeMarkdown(w io.Writer, r *results) {
	mb := func(b int64) string { return fmt.Sprintf("%d MB", b>>20) }
	if g := r.Git; g != nil {
		writeGit(w, r, g)
		return
	}
	fmt.Fprintf(w, "### %d agents\n\n", r.Agents)
	fmt.Fprintf(w, "%d CPUs, load %.2f → %.2f, file limit %d, wall %.1f s; server %.1f s CPU, peak RSS %s (%s with every agent connected); agents and controller %.1f s CPU, peak RSS %s; connecting every agent %.1f s (server %.2f s CPU)\n\n",
		r.CPUs, r.LoadStart, r.LoadEnd, r.FileLimit, r.Wall, r.ServerCPU, mb(r.ServerPeakRSS), mb(r.IdleRSS), r.AgentsCPU, mb(r.AgentsRSS), r.ConnectWall, r.ConnectCPU)
	fmt.Fprintln(w, "| step | figures |")
	fmt.Fprintln(w, "|---|---|")
	for _, f := range r.Fanout {
		fmt.Fprintf(w, "| desired state rev %d (%d B) to every agent | p50 %.3f s, p100 %.3f s, missed %d; server %.2f s CPU (%.0f µs per agent) |\n",
			f.Revision, f.Bytes, f.P50, f.P100, f.Missed, f.ServerCPU, f.ServerCPU*1e6/float64(r.Agents))
	}
	if g := r.Ring; g != nil {
		fmt.Fprintf(w, "| ring of %d hosts, max_parallel %d, max_failures %d (%d hosts fail) | dispatched %d, answered %d, failures %d, halted %v, overshoot %d, max in flight %d, left queued %d; %.2f s, server %.2f s CPU |\n",
			g.Hosts, g.MaxParallel, g.MaxFailures, g.FailingHosts, g.Dispatched, g.Answered, g.Failures, g.Halted, g.Overshoot, g.MaxInFlight, g.LeftQueued, g.Wall, g.ServerCPU)
	}
	if i := r.Ingest; i != nil {
		fmt.Fprintf(w, "| scan ingest by the controller, %d × %d B (%d retried) | %.1f s, %.0f results/s, stored %d; server %.2f s CPU (%.2f ms per report), agents and controller %.2f s CPU |\n",
			i.Reports, i.Bytes, i.Retried, i.Wall, i.MsgsPerSec, i.Stored, i.ServerCPU, i.CPUPerMsgMS, i.ClientCPU)
		fmt.Fprintf(w, "| reports and %d per-client summaries from the ingested inventory | %d hosts / %d packages, %d files; %.1f s, controller %.2f s CPU, peak RSS +%s |\n",
			i.ClientSummaries, i.SummedHosts, i.SummedInstalled, i.SummaryFiles, i.SummaryWall, i.SummaryCPU, mb(i.SummaryRSSGrowth))
	}
	if c := r.Reconnect; c != nil {
		fmt.Fprintf(w, "| server restart, reconnect with %.0f s jitter | down %.2f s; all reconnected %.1f s and all revision-checked %.1f s after the server was up; missing %d, check errors %d; server %.2f s CPU, RSS after %s |\n",
			c.Jitter, c.Down, c.Reconnected, c.Checked, c.Missing, c.CheckErrors, c.ServerCPU, mb(c.ServerRSSEnd))
	}
	fmt.Fprintln(w)
}

// writeGit prints the Git batching run.
func writeGit(w io.Writer, r *results, g *gitResult) {
	fmt.Fprintf(w, "### Git: %d clients × %d hosts, --report-interval %.0f s\n\n", g.Clients, g.HostsPerClient, g.ReportInterval)
	fmt.Fprintf(w, "%d CPUs, load %.2f → %.2f, wall %.1f s; server %.1f s CPU, peak RSS %d MB\n\n", r.CPUs, r.LoadStart, r.LoadEnd, r.Wall, r.ServerCPU, r.ServerPeakRSS>>20)
	fmt.Fprintln(w, "| step | figures |")
	fmt.Fprintln(w, "|---|---|")
	fmt.Fprintf(w, "| first reconcile, creating the fleet branch and %d client branches | %.1f s |\n", g.Clients, g.First)
	fmt.Fprintf(w, "| %d scans streamed over %.0f s (%.1f/s), daemon reconciling every %.1f s | %d reconciles (p50 %.1f s, max %.1f s), %d held their reports back, %d committed (p50 %.1f s, max %.1f s); controller %.1f s CPU, peak RSS %d MB |\n",
		g.Published, g.Duration, g.Rate, g.Interval, g.Reconciles, g.ReconcileP50, g.ReconcileMax, g.Held, g.Committing, g.CommitP50, g.CommitMax, g.CPU, g.PeakRSS>>20)
	fmt.Fprintf(w, "| commits | fleet branch %d; per client %d–%d, %.2f per minute per client; at most %d per branch within one interval, shortest gap %.0f s |\n",
		g.FleetCommits, g.ClientCommitsMin, g.ClientCommitsMax, g.PerMinute, g.MaxInInterval, g.MinGap)
	fmt.Fprintf(w, "| every host's last scan on the fleet branch | %d of %d, %.0f s after the stream stopped |\n\n", g.Landed, g.Streamed, g.LandWait)
}
