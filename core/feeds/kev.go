package feeds

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// KEV is CISA's Known Exploited Vulnerabilities catalog
// (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json).
type KEV struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    time.Time  `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`
}

// KEVEntry is one exploited CVE; dates are YYYY-MM-DD.
type KEVEntry struct {
	CVE                        string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	Name                       string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
}

var cvePattern = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)

// ParseKEV parses and checks the catalog: entries with CVE IDs and dates,
// as many as its count says.
func ParseKEV(b []byte) (*KEV, error) {
	var k KEV
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("KEV catalog: %w", err)
	}
	if len(k.Vulnerabilities) == 0 {
		return nil, errors.New("KEV catalog: no vulnerabilities")
	}
	if k.Count != 0 && k.Count != len(k.Vulnerabilities) {
		return nil, fmt.Errorf("KEV catalog: count says %d, the file has %d (truncated?)", k.Count, len(k.Vulnerabilities))
	}
	for _, v := range k.Vulnerabilities {
		if !cvePattern.MatchString(v.CVE) {
			return nil, fmt.Errorf("KEV catalog: %q is not a CVE ID", v.CVE)
		}
		for _, d := range []string{v.DateAdded, v.DueDate} {
			if d == "" {
				continue
			}
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, fmt.Errorf("KEV catalog: %s: date %q: %w", v.CVE, d, err)
			}
		}
	}
	return &k, nil
}
