package config

import (
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Feed types: the vulnerability sources tend reads.
const (
	FeedDebianTracker = "debian-tracker" // security-tracker.debian.org/tracker/data/json
	FeedOSV           = "osv"            // OSV records (one, or a JSON array of them)
	FeedKEV           = "kev"            // CISA Known Exploited Vulnerabilities JSON
	FeedEPSS          = "epss"           // FIRST EPSS scores CSV (optionally gzipped)
)

// DefaultFeedRefresh is how often tend serve fetches a feed by default.
const DefaultFeedRefresh = 6 * time.Hour

// Feed is a `feed` block: a vulnerability source, fetched from url over
// HTTPS (tend feeds update, tend serve) or read from file.
type Feed struct {
	Name string
	Type string
	// URL is fetched into the feed cache; File (relative to the
	// configuration directory) is read as is. Exactly one is set.
	URL         string
	File        string
	Refresh     time.Duration
	RefreshText string
	DeclRange   hcl.Range
}

var feedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true}, {Name: "url"}, {Name: "file"}, {Name: "refresh"},
	},
}

func decodeFeed(block *hcl.Block) (*Feed, hcl.Diagnostics) {
	f := &Feed{Name: block.Labels[0], Refresh: DefaultFeedRefresh, RefreshText: "6h", DeclRange: block.DefRange}
	content, diags := block.Body.Content(feedSchema)
	var more hcl.Diagnostics
	if a, ok := content.Attributes["type"]; ok {
		f.Type, more = attrOneOf(a, FeedDebianTracker, FeedOSV, FeedKEV, FeedEPSS)
		diags = append(diags, more...)
	}
	if a, ok := content.Attributes["url"]; ok {
		f.URL, more = attrString(a)
		diags = append(diags, more...)
		if u, err := url.Parse(f.URL); !more.HasErrors() && (err != nil || u.Scheme != "https" || u.Host == "") {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid feed URL", "url must be an https:// URL, such as \"https://security-tracker.debian.org/tracker/data/json\"; got %q.", f.URL))
		}
	}
	if a, ok := content.Attributes["file"]; ok {
		f.File, more = attrString(a)
		diags = append(diags, more...)
		if clean := filepath.ToSlash(filepath.Clean(f.File)); !more.HasErrors() && (filepath.IsAbs(f.File) || clean == ".." || strings.HasPrefix(clean, "../")) {
			diags = append(diags, errorAt(a.Expr.Range(), "Feed file outside the configuration", "file is read relative to the configuration directory and must stay inside it; got %q.", f.File))
		}
	}
	if a, ok := content.Attributes["refresh"]; ok {
		f.Refresh, f.RefreshText, more = attrDuration(a)
		diags = append(diags, more...)
		if !more.HasErrors() && f.Refresh < time.Minute {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid refresh", "refresh must be at least 1m, so a feed's server is not hammered; got %q.", f.RefreshText))
		}
	}
	if (f.URL == "") == (f.File == "") && !diags.HasErrors() {
		diags = append(diags, errorAt(block.DefRange, "Feed needs url or file", "Feed %q must set exactly one of url (fetched by tend feeds update) and file (read from the configuration directory).", f.Name))
	}
	return f, diags
}
