package feeds

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// A feed copy is a url feed kept outside the cache: tend serve commits the
// feeds it matched with to the reports branch (core/reportsbranch/feedcopy),
// and offline plans without a cached copy, such as a pull request's in CI,
// read them there.

// Forms of a copy's data.
const (
	// FormAsFetched is the file as downloaded.
	FormAsFetched = "as-fetched"
	// FormReduced is a file of the feed's own type with only what tend
	// reads: a Debian tracker's status and fixed_version per source
	// package, CVE and release; OSV records' id, modified, aliases,
	// upstream, severity and affected package ranges.
	FormReduced = "reduced"
)

// Compact returns a feed's data (of type typ, as fetched, parsed as p) in
// the form a copy keeps it, gzip-compressed, and the form's name. Debian
// trackers and OSV records are reduced (the full tracker is some 70 MB of
// JSON, most of it descriptions and package lists tend never reads); KEV
// and EPSS files are kept as fetched. The output depends only on the
// input, so the same feed gives the same bytes.
func Compact(typ string, data []byte, p *Parsed) ([]byte, string, error) {
	form := FormAsFetched
	switch {
	case typ == config.FeedDebianTracker && p != nil && p.TrackerFixes != nil:
		data, form = ReduceTracker(p.TrackerFixes), FormReduced
	case typ == config.FeedOSV && p != nil && p.OSV != nil:
		b, err := json.Marshal(p.OSV)
		if err != nil {
			return nil, "", err
		}
		data, form = b, FormReduced
	}
	if isGzip(data) {
		return data, form, nil // a gzipped EPSS file
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil, "", err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), form, nil
}

// ReadCompact returns the file a copy made by Compact holds, decompressed
// (at most MaxFeedSize bytes): what Parse reads.
func ReadCompact(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("feed copy: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxFeedSize+1))
	if err != nil {
		return nil, fmt.Errorf("feed copy: %w", err)
	}
	if len(out) > MaxFeedSize {
		return nil, fmt.Errorf("feed copy: larger than %d bytes decompressed", MaxFeedSize)
	}
	return out, nil
}

func isGzip(b []byte) bool { return len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b }

// reducedRelease is a release's state in a reduced tracker.
type reducedRelease struct {
	Status       string `json:"status"`
	FixedVersion string `json:"fixed_version,omitempty"`
}

// ReduceTracker writes what matching reads of a tracker as a tracker
// JSON file: per source package, CVE and release, "resolved" with its
// fixed_version, or "open" when no fixing version is known. ParseTracker
// reads it back to the same TrackerFixes rows (sources without any left
// out).
func ReduceTracker(t *TrackerFixes) []byte {
	out := make(map[string]map[string]map[string]map[string]reducedRelease, len(t.Sources))
	start := uint32(0)
	for i, end := range t.SourceEnds {
		if end == start {
			continue
		}
		src := map[string]map[string]map[string]reducedRelease{}
		for r := start; r < end; r++ {
			cve := t.Str(t.CVE[r])
			if src[cve] == nil {
				src[cve] = map[string]map[string]reducedRelease{"releases": {}}
			}
			rel := reducedRelease{Status: "open"}
			if fixed := t.Str(t.Fixed[r]); fixed != "" {
				rel = reducedRelease{Status: "resolved", FixedVersion: fixed}
			}
			src[cve]["releases"][t.Str(t.Release[r])] = rel
		}
		out[t.Str(t.Sources[i])] = src
		start = end
	}
	b, _ := json.Marshal(out) // maps of strings: cannot fail
	return b
}

// Copy is a url feed's copy kept outside the cache, with what the cache
// would record of it.
type Copy struct {
	// URL is where it was fetched from: a copy of another URL is not used.
	URL string
	// Date is the feed's date (as Meta.FeedDate); FetchedAt when it was
	// downloaded.
	Date, FetchedAt time.Time
	// Where names it for people: "reports branch origin/tend/reports".
	Where string
	// Read returns the data, as Parse reads it.
	Read func() ([]byte, error)
}

// Copies finds the copy of a feed by name; nil, nil when there is none.
type Copies func(name string) (*Copy, error)
