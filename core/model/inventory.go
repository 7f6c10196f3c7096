package model

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tend-sh/tend/core/version"
)

// SnapshotFormatVersion is the format_version written into and accepted from
// inventory snapshots.
const SnapshotFormatVersion = "1"

// Snapshot is one host's inventory as a provider scan saw it: the contract
// file hosts/<host>/inventory.json.
type Snapshot struct {
	FormatVersion string                        `json:"format_version"`
	Host          string                        `json:"host"`
	ScannedAt     time.Time                     `json:"scanned_at"`
	Providers     map[string]*ProviderInventory `json:"providers"`
}

// ProviderInventory is what one provider reports for one host.
type ProviderInventory struct {
	Facts         map[string]string `json:"facts"`
	PendingReboot bool              `json:"pending_reboot"`
	Installed     []Installed       `json:"installed"`
	Available     []Update          `json:"available"`
	// Versions lists, for packages the config pins, every version the
	// host's sources offer. Absent means "not verified".
	Versions map[string][]string `json:"versions,omitempty"`
	// Unfinished lists packages the package manager left between states
	// (dpkg's half-configured, unpacked, …, e.g. after a kill): neither
	// installed nor upgradable, so reported here rather than lost.
	Unfinished []Unfinished `json:"unfinished,omitempty"`
	// VersionScheme says how this provider's versions compare (the scheme
	// its schema declares), so a plan made from the snapshot alone orders
	// them right. Absent, as in snapshots from before schemes and from
	// providers that declare none, means version.Debian; an unknown name
	// fails to decode.
	VersionScheme version.Scheme `json:"version_scheme,omitempty"`
	// Resolution is the last transaction the provider resolved for the
	// host's planned actions (tend scan, tend plan, tend apply); absent when
	// none was, or the provider does not resolve.
	Resolution *Resolution `json:"resolution,omitempty"`
	// OpenCVEs are CVEs of installed packages that no available update
	// fixes yet, as tend matched them against the vulnerability feeds
	// (never from the provider); sorted by package and CVE. Held by
	// package (shared with other inventories, so read-only), a flat list in
	// JSON.
	OpenCVEs OpenCVEs `json:"open_cves,omitempty"`
}

// Unfinished is a package left between states; State is in the package
// manager's words ("half-configured").
type Unfinished struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	State   string `json:"state"`
}

// Installed is one installed package (or KB, or firmware) on a host.
type Installed struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Arch    string `json:"arch"`
	// Source and SourceVersion are the source package it was built from
	// and its version (dpkg's Source field), where the provider says;
	// vulnerability feeds such as Debian's are by source package.
	Source        string `json:"source,omitempty"`
	SourceVersion string `json:"source_version,omitempty"`
}

// Update is one update a host could install.
type Update struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	Classification string    `json:"classification"`
	Severity       string    `json:"severity"`
	CVEs           []string  `json:"cves"`
	KB             string    `json:"kb"`
	ReleasedAt     time.Time `json:"released_at"`
	RebootRequired bool      `json:"reboot_required"`
	// Title is the update's title where its source gives one (Windows
	// Update: "2024-10 Cumulative Update for …"; winget: the display
	// name); omitted when empty.
	Title string `json:"title,omitempty"`
}

// updateJSON is Update as it appears in JSON: released_at may be "". It
// repeats Update's fields (rather than embedding an alias) to keep the key
// order of the snapshot contract.
type updateJSON struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	Classification string   `json:"classification"`
	Severity       string   `json:"severity"`
	CVEs           []string `json:"cves"`
	KB             string   `json:"kb"`
	ReleasedAt     string   `json:"released_at"`
	RebootRequired bool     `json:"reboot_required"`
	Title          string   `json:"title,omitempty"`
}

// MarshalJSON writes released_at as "" when unknown (else in RFC 3339 with
// the fraction of a second it has, so it decodes to the same time), and
// cves as [] when empty.
func (u Update) MarshalJSON() ([]byte, error) {
	j := updateJSON{ID: u.ID, Name: u.Name, From: u.From, To: u.To, Classification: u.Classification,
		Severity: u.Severity, CVEs: u.CVEs, KB: u.KB, RebootRequired: u.RebootRequired, Title: u.Title}
	if j.CVEs == nil {
		j.CVEs = []string{}
	}
	if !u.ReleasedAt.IsZero() {
		j.ReleasedAt = u.ReleasedAt.Format(time.RFC3339Nano)
	}
	return json.Marshal(j)
}

// UnmarshalJSON accepts released_at as an RFC 3339 time, "" or null.
func (u *Update) UnmarshalJSON(b []byte) error {
	var j updateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*u = Update{ID: j.ID, Name: j.Name, From: j.From, To: j.To, Classification: j.Classification,
		Severity: j.Severity, CVEs: j.CVEs, KB: j.KB, RebootRequired: j.RebootRequired, Title: j.Title}
	if j.ReleasedAt != "" {
		t, err := time.Parse(time.RFC3339, j.ReleasedAt)
		if err != nil {
			return fmt.Errorf("update %q: released_at: %w", j.Name, err)
		}
		u.ReleasedAt = t
	}
	return nil
}
