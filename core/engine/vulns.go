package engine

import (
	"path/filepath"
	"slices"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/feedcopy"
	"github.com/tend-sh/tend/core/vuln"
)

// FeedCache is the feed cache of a configuration: CONFIG/.tend/feeds.
func FeedCache(cfg *config.Config) *feeds.Cache {
	return &feeds.Cache{Dir: filepath.Join(cfg.Dir, feeds.DefaultDir)}
}

// Vulns loads the configuration's vulnerability feeds (file feeds, and url
// feeds from the cache, or the copy tend serve committed to the reports
// branch when the cache has none or an older one) and indexes them; nil
// without feed blocks. The infos say, per feed, how fresh it is, where it
// came from, or why it could not be read.
func Vulns(cfg *config.Config) (*vuln.DB, []model.FeedInfo) {
	return VulnsAt(cfg, "")
}

// VulnsAt is Vulns with the reports branch's copies read at rev (a plan
// from git:REF); with rev "", from the newest copy of the branch in the
// configuration's repository.
func VulnsAt(cfg *config.Config, rev string) (*vuln.DB, []model.FeedInfo) {
	if len(cfg.Feeds) == 0 {
		return nil, nil
	}
	return VulnsWith(cfg, FeedCache(cfg), feedcopy.Copies(cfg.Dir, cfg.ReportsBranch(), rev))
}

// VulnsFrom is Vulns with the url feeds read from cache alone (tend serve
// keeps its own in the state directory).
func VulnsFrom(cfg *config.Config, cache *feeds.Cache) (*vuln.DB, []model.FeedInfo) {
	return VulnsWith(cfg, cache, nil)
}

// VulnsWith is Vulns with the url feeds read from cache, or from copies
// (nil for none) when the cache has none or an older one (feeds.LoadWith).
func VulnsWith(cfg *config.Config, cache *feeds.Cache, copies feeds.Copies) (*vuln.DB, []model.FeedInfo) {
	if len(cfg.Feeds) == 0 {
		return nil, nil
	}
	loaded, errs := feeds.LoadWith(cfg, cache, copies)
	var infos []model.FeedInfo
	byName := map[string]*feeds.Loaded{}
	for _, l := range loaded {
		byName[l.Feed.Name] = l
	}
	for _, name := range sortedFeedNames(cfg) {
		f := cfg.Feeds[name]
		info := model.FeedInfo{Name: name, Type: f.Type}
		if l := byName[name]; l != nil {
			if !l.Date.IsZero() {
				d := l.Date
				info.Date = &d
			}
			if !l.FetchedAt.IsZero() {
				t := l.FetchedAt
				info.FetchedAt = &t
			}
			info.From = l.Where
		} else {
			info.Error = errs[name].Error()
		}
		infos = append(infos, info)
	}
	return vuln.New(loaded), infos
}

func sortedFeedNames(cfg *config.Config) []string {
	names := make([]string, 0, len(cfg.Feeds))
	for n := range cfg.Feeds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Annotator matches each scanned snapshot against db (session.ScanOptions
// Annotate); nil when db is.
func Annotator(db *vuln.DB) func(*model.Snapshot) {
	if db == nil {
		return nil
	}
	return func(s *model.Snapshot) { db.Annotate(map[string]*model.Snapshot{s.Host: s}) }
}
