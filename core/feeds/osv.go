package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// OSVRecord is one record of the OSV schema (https://ossf.github.io/osv-schema/),
// the fields tend reads.
type OSVRecord struct {
	ID       string        `json:"id"`
	Modified time.Time     `json:"modified"`
	Aliases  []string      `json:"aliases"`
	Upstream []string      `json:"upstream"`
	Severity []OSVSeverity `json:"severity"`
	Affected []OSVAffected `json:"affected"`
}

// OSVSeverity is a severity vector, e.g. type CVSS_V3 with score
// "CVSS:3.1/AV:N/…".
type OSVSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// OSVAffected is the versions of one package a record affects.
type OSVAffected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges []struct {
		Type   string `json:"type"`
		Events []struct {
			Introduced string `json:"introduced,omitempty"`
			Fixed      string `json:"fixed,omitempty"`
		} `json:"events"`
	} `json:"ranges"`
	Severity []OSVSeverity `json:"severity"`
}

// ParseOSV parses one OSV record or a JSON array of them; every record
// needs an id.
func ParseOSV(b []byte) ([]OSVRecord, error) {
	var recs []OSVRecord
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		if err := json.Unmarshal(t, &recs); err != nil {
			return nil, fmt.Errorf("OSV: %w", err)
		}
	} else {
		var r OSVRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("OSV: %w", err)
		}
		recs = []OSVRecord{r}
	}
	if len(recs) == 0 {
		return nil, errors.New("OSV: no records")
	}
	for _, r := range recs {
		if r.ID == "" {
			return nil, errors.New("OSV: a record has no id")
		}
	}
	return recs, nil
}

// CVEs are the CVE IDs a record is about: its id and aliases (and upstream
// ids, for distribution records such as Ubuntu's USN-…).
func (r *OSVRecord) CVEs() []string {
	var out []string
	for _, id := range append(append([]string{r.ID}, r.Aliases...), r.Upstream...) {
		if cvePattern.MatchString(id) && !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// CVSS returns the highest base score among the record's CVSS vectors and
// the vector it comes from; 0 and "" when it has none that parses.
func (r *OSVRecord) CVSS() (float64, string) {
	best, vec := 0.0, ""
	sevs := append([]OSVSeverity{}, r.Severity...)
	for _, a := range r.Affected {
		sevs = append(sevs, a.Severity...)
	}
	for _, s := range sevs {
		if score, err := CVSSScore(s.Score); err == nil && score > best {
			best, vec = score, s.Score
		}
	}
	return best, vec
}

// CVSSScore computes the base score of a CVSS v3.0, v3.1 or v4.0 vector.
func CVSSScore(vector string) (float64, error) {
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(vector)
		if err != nil {
			return 0, err
		}
		return c.BaseScore(), nil
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(vector)
		if err != nil {
			return 0, err
		}
		return c.BaseScore(), nil
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(vector)
		if err != nil {
			return 0, err
		}
		return c.Score(), nil
	}
	return 0, fmt.Errorf("unsupported CVSS vector %q", vector)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
