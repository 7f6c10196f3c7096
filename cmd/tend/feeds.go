package main

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/feeds"
)

// feedsClient fetches feeds; tests point it at their TLS server.
var feedsClient = &http.Client{Timeout: 10 * time.Minute}

func newFeeds(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feeds",
		Short: "Show and update the vulnerability feeds (CVEs, CVSS, EPSS, KEV)",
		Long: `The feed blocks of the configuration name the vulnerability sources tend
matches inventories against: the Debian Security Tracker JSON, OSV records,
CISA's Known Exploited Vulnerabilities catalog and FIRST's EPSS scores.

tend feeds lists them with how old each copy is. tend feeds update fetches
the url feeds over HTTPS into CONFIG/.tend/feeds, with conditional requests
(a server's 304 Not Modified costs nothing); a download that does not parse
is refused and a failed fetch reported, and in both cases the last good
copy stays. Plans and scans read the cached copies, offline.

Exit status: 0 success, 1 when a feed could not be updated (the others
still are).`,
		Example: `  tend feeds
  tend feeds update`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runFeedsList(g) },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "update",
		Short: "Fetch the url feeds into the cache, keeping the last good copies",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return runFeedsUpdate(g) },
	})
	return cmd
}

func sortedFeeds(cfg *config.Config) []*config.Feed {
	var out []*config.Feed
	for _, f := range cfg.Feeds {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *config.Feed) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

func runFeedsUpdate(g *globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	cache := engine.FeedCache(cfg)
	cache.Client = feedsClient
	failed := 0
	n := 0
	for _, f := range sortedFeeds(cfg) {
		if f.URL == "" {
			fmt.Fprintf(g.stdout, "%s: file %s (not fetched)\n", f.Name, f.File)
			continue
		}
		n++
		r := cache.Update(g.ctx, f)
		switch r.Outcome {
		case feeds.Updated:
			fmt.Fprintf(g.stdout, "%s: updated, %d bytes, dated %s\n", f.Name, r.Meta.Size, r.Meta.FeedDate.Format(time.DateOnly))
		case feeds.Unchanged:
			fmt.Fprintf(g.stdout, "%s: unchanged (304 Not Modified), fetched %s\n", f.Name, r.Meta.FetchedAt.Format(time.RFC3339))
		default:
			failed++
			kept := "no copy yet"
			if !r.Meta.FetchedAt.IsZero() {
				kept = "kept the copy fetched " + r.Meta.FetchedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(g.stderr, "%s: %s: %v; %s\n", f.Name, r.Outcome, r.Err, kept)
		}
	}
	if len(cfg.Feeds) == 0 {
		fmt.Fprintln(g.stdout, "No feed blocks in the configuration: nothing to update.")
	}
	if failed > 0 {
		fmt.Fprintf(g.stderr, "%d of %d feeds not updated.\n", failed, n)
		return exitError{1}
	}
	return nil
}

func runFeedsList(g *globals) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	if len(cfg.Feeds) == 0 {
		fmt.Fprintln(g.stdout, "No feed blocks in the configuration.")
		return nil
	}
	_, infos := engine.Vulns(cfg)
	now := time.Now()
	for _, in := range infos {
		switch {
		case in.Error != "":
			fmt.Fprintf(g.stdout, "%-12s %-15s %s\n", in.Name, in.Type, in.Error)
		default:
			age := feedAge(in.Date, in.FetchedAt, now)
			if in.From != "" {
				age += ", from the " + in.From
			}
			fmt.Fprintf(g.stdout, "%-12s %-15s %s\n", in.Name, in.Type, age)
		}
	}
	return nil
}

// feedAge says how old a feed copy is, e.g. "dated 2025-08-25, fetched 3h ago".
func feedAge(date, fetched *time.Time, now time.Time) string {
	s := "undated"
	if date != nil {
		s = "dated " + date.UTC().Format(time.DateOnly)
	}
	if fetched != nil {
		s += ", fetched " + ago(now.Sub(*fetched))
	}
	return s
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}
