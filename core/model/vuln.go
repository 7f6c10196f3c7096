package model

import "time"

// Vuln is what the vulnerability feeds say about one CVE: how severe
// (CVSS), how likely to be exploited (EPSS) and whether it is (CISA's
// Known Exploited Vulnerabilities catalog). Zero values mean unknown.
type Vuln struct {
	ID string `json:"id"`
	// CVSS is the base score computed from CVSSVector (v3.0, v3.1 or v4.0).
	CVSS       float64 `json:"cvss,omitempty"`
	CVSSVector string  `json:"cvss_vector,omitempty"`
	// EPSS is the probability of exploitation in the next 30 days (0–1),
	// with its percentile; HasEPSS says the feed scored the CVE.
	EPSS           float64 `json:"epss,omitempty"`
	EPSSPercentile float64 `json:"epss_percentile,omitempty"`
	HasEPSS        bool    `json:"-"`
	// KEV says CISA lists the CVE as exploited; KEVAdded and KEVDue are
	// its dateAdded and dueDate (YYYY-MM-DD), KEVRansomware its
	// knownRansomwareCampaignUse = "Known".
	KEV           bool   `json:"kev"`
	KEVAdded      string `json:"kev_added,omitempty"`
	KEVDue        string `json:"kev_due,omitempty"`
	KEVRansomware bool   `json:"kev_ransomware,omitempty"`
	// Urgency is the distribution's urgency (Debian tracker: low, medium,
	// high, unimportant, not yet assigned).
	Urgency string `json:"urgency,omitempty"`
}

// OpenVuln is a CVE a host is exposed to that no available update fixes
// yet, in an installed package, with the feeds' facts.
type OpenVuln struct {
	Package string `json:"package"`
	Version string `json:"version"`
	Vuln    Vuln   `json:"vuln"`
}

// Overdue is a CVE past the remediation deadline a policy sets for it.
type Overdue struct {
	Package string    `json:"package"`
	CVE     string    `json:"cve"`
	Due     time.Time `json:"due"`
	// Rule says which deadline: "deadline[0]: kev, within=14d" or "KEV dueDate".
	Rule string `json:"rule"`
}

// FeedInfo is a vulnerability feed a plan used, with its date (the feed's
// own, else when it was fetched), when the cache fetched it (nil for a
// file), and Error when it could not be read (the plan went on without).
type FeedInfo struct {
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	Date      *time.Time `json:"date,omitempty"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// From says where a url feed was read when not from the cache: the
	// copy tend serve committed ("reports branch origin/tend/reports").
	From  string `json:"from,omitempty"`
	Error string `json:"error,omitempty"`
}

// VulnSummary is summary.json's view of the fleet's CVEs, made when the
// plan used vulnerability feeds: the CVEs an available update fixes that are
// not installed (Missing), and those no update fixes yet (NoFix), each
// KEV-listed first, then by CVSS (highest first), then ID.
type VulnSummary struct {
	Missing []CVESummary `json:"missing"`
	NoFix   []CVESummary `json:"no_fix"`
	// Exposure counts what is open at the summary's time; the reports
	// branch's summaries make its history (tend report --html's trend).
	Exposure VulnExposure `json:"exposure"`
}

// VulnExposure counts the fleet's open exposure: host × CVE pairs with a
// fix missing (all, KEV-listed, past a deadline), distinct CVEs, and pairs
// with no fix yet.
type VulnExposure struct {
	HostCVEs        int `json:"host_cves"`
	KEVHostCVEs     int `json:"kev_host_cves"`
	OverdueHostCVEs int `json:"overdue_host_cves"`
	CVEs            int `json:"cves"`
	KEVCVEs         int `json:"kev_cves"`
	NoFixHostCVEs   int `json:"no_fix_host_cves"`
}

// CVESummary is one CVE across the fleet: the feeds' facts, the sorted
// hosts exposed, how many per "client" label ("" for none), and the hosts
// past a remediation deadline for it.
type CVESummary struct {
	Vuln
	Hosts   []string       `json:"hosts"`
	Clients map[string]int `json:"clients"`
	Overdue []string       `json:"overdue_hosts"`
	// FirstSeen is the earliest time a fix was released or first seen on
	// an exposed host (the update's released_at, else its first-seen
	// record, else the snapshot's scan), DaysOpen the whole days from then
	// to the summary's time; absent for CVEs with no fix.
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	DaysOpen  *int       `json:"days_open,omitempty"`
	// Due is the last day (YYYY-MM-DD, inclusive) of the earliest
	// remediation deadline an exposed host has missed, else CISA's
	// dueDate for a KEV-listed CVE; empty when none is known.
	Due string `json:"due,omitempty"`
}
