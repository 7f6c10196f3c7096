package feeds

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	gojson "github.com/goccy/go-json"
)

// Tracker is the Debian Security Tracker's JSON
// (https://security-tracker.debian.org/tracker/data/json): per source
// package, per CVE (or TEMP- id), the state in each release.
type Tracker map[string]map[string]TrackerIssue

// TrackerIssue is one CVE of one source package.
type TrackerIssue struct {
	Releases map[string]TrackerRelease `json:"releases"`
}

// TrackerRelease is a CVE's state in one release (codename): Status is
// "resolved" (FixedVersion fixes it; "0" means never affected), "open"
// (no fix yet) or "undetermined".
type TrackerRelease struct {
	Status       string `json:"status"`
	FixedVersion string `json:"fixed_version"`
	Urgency      string `json:"urgency"`
}

// ParseTracker parses and checks a tracker file: a JSON object of source
// packages whose issues all have releases. An empty or malformed file is
// an error, so a broken download never replaces a good copy.
func ParseTracker(b []byte) (Tracker, error) {
	// The full tracker is tens of megabytes: goccy/go-json decodes it
	// several times faster than encoding/json. What it refuses is decoded
	// again by encoding/json, the reference, whose error users see.
	var t Tracker
	if err := gojson.Unmarshal(b, &t); err != nil {
		t = nil
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("debian tracker JSON: %w", err)
		}
	}
	if len(t) == 0 {
		return nil, errors.New("debian tracker JSON: no source packages")
	}
	for pkg, issues := range t {
		for id, is := range issues {
			if is.Releases == nil {
				return nil, fmt.Errorf("debian tracker JSON: %s %s has no releases", pkg, id)
			}
			for rel, r := range is.Releases {
				if r.Status == "" {
					return nil, fmt.Errorf("debian tracker JSON: %s %s %s has no status", pkg, id, rel)
				}
			}
		}
	}
	return t, nil
}

// IsCVE reports whether a tracker id is a CVE (not a TEMP- entry).
func IsCVE(id string) bool { return strings.HasPrefix(id, "CVE-") }
