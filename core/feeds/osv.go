package feeds

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// OSVRecord is one record of the OSV schema (https://ossf.github.io/osv-schema/),
// the fields tend reads.
type OSVRecord struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	// Withdrawn is set on a record its database took back; ParseOSV
	// drops those.
	Withdrawn *time.Time    `json:"withdrawn,omitempty"`
	Aliases   []string      `json:"aliases"`
	Upstream  []string      `json:"upstream"`
	Severity  []OSVSeverity `json:"severity"`
	Affected  []OSVAffected `json:"affected"`
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
			// LastAffected closes a range with no fix: versions up to
			// and including it are affected, later ones are not.
			LastAffected string `json:"last_affected,omitempty"`
		} `json:"events"`
	} `json:"ranges"`
	Severity []OSVSeverity `json:"severity"`
}

// ParseOSV parses one OSV record, a JSON array of them, or a zip archive
// of record files (osv.dev's per-ecosystem all.zip, e.g.
// https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip);
// every record needs an id. Withdrawn records are dropped.
func ParseOSV(b []byte) ([]OSVRecord, error) {
	var recs []OSVRecord
	t := bytes.TrimSpace(b)
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		var err error
		if recs, err = parseOSVZip(b); err != nil {
			return nil, err
		}
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &recs); err != nil {
			return nil, fmt.Errorf("OSV: %w", err)
		}
	default:
		var r OSVRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("OSV: %w", err)
		}
		recs = []OSVRecord{r}
	}
	if len(recs) == 0 {
		return nil, errors.New("OSV: no records")
	}
	kept := recs[:0]
	for _, r := range recs {
		if r.ID == "" {
			return nil, errors.New("OSV: a record has no id")
		}
		if r.Withdrawn == nil {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// parseOSVZip reads every .json file of a zip archive as one record (or
// an array of them), at most MaxFeedSize bytes in all once decompressed.
func parseOSVZip(b []byte) ([]OSVRecord, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("OSV zip: %w", err)
	}
	var recs []OSVRecord
	left := int64(MaxFeedSize)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || path.Ext(f.Name) != ".json" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("OSV zip %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, left+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("OSV zip %s: %w", f.Name, err)
		}
		if left -= int64(len(data)); left < 0 {
			return nil, fmt.Errorf("OSV zip: larger than %d bytes decompressed", MaxFeedSize)
		}
		var one []OSVRecord
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
			err = json.Unmarshal(t, &one)
		} else {
			one = make([]OSVRecord, 1)
			err = json.Unmarshal(data, &one[0])
		}
		if err != nil {
			return nil, fmt.Errorf("OSV zip %s: %w", f.Name, err)
		}
		recs = append(recs, one...)
	}
	return recs, nil
}

// CVEs are the CVE IDs a record is about: its id and aliases (and upstream
// ids, for distribution records such as Ubuntu's USN-…). A database's own
// id for a CVE counts as the CVE: Ubuntu's UBUNTU-CVE-2023-4911 (the
// upstream of its USNs), osv.dev's DEBIAN-CVE-2023-4911.
func (r *OSVRecord) CVEs() []string {
	var out []string
	for _, id := range append(append([]string{r.ID}, r.Aliases...), r.Upstream...) {
		if i := strings.Index(id, "-CVE-"); i > 0 && !strings.Contains(id[:i], "-") {
			id = id[i+1:]
		}
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
