package feeds

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// EPSS is FIRST's Exploit Prediction Scoring System scores
// (https://epss.empiricalsecurity.com/epss_scores-current.csv.gz).
type EPSS struct {
	Model string
	// ScoreDate is the day the scores are for.
	ScoreDate time.Time
	Scores    map[string]EPSSScore
}

// EPSSScore is one CVE's probability of exploitation in the next 30 days
// and its percentile among all scored CVEs.
type EPSSScore struct {
	EPSS, Percentile float64
}

// ParseEPSS parses the CSV, gzipped or not: a "#model_version:…,
// score_date:…" line, the header cve,epss,percentile, then one row per CVE.
func ParseEPSS(b []byte) (*EPSS, error) {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("EPSS: %w", err)
		}
		if b, err = io.ReadAll(io.LimitReader(zr, MaxFeedSize)); err != nil {
			return nil, fmt.Errorf("EPSS: %w", err)
		}
	}
	e := &EPSS{Scores: map[string]EPSSScore{}}
	if line, rest, ok := bytes.Cut(b, []byte("\n")); ok && bytes.HasPrefix(line, []byte("#")) {
		for _, kv := range strings.Split(strings.TrimSpace(string(line[1:])), ",") {
			k, v, _ := strings.Cut(kv, ":")
			switch k {
			case "model_version":
				e.Model = v
			case "score_date":
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					return nil, fmt.Errorf("EPSS: score_date %q: %w", v, err)
				}
				e.ScoreDate = t
			}
		}
		b = rest
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 3
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("EPSS: %w", err)
	}
	if head[0] != "cve" || head[1] != "epss" || head[2] != "percentile" {
		return nil, fmt.Errorf("EPSS: header %q, want cve,epss,percentile", strings.Join(head, ","))
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("EPSS: %w", err)
		}
		p, err1 := strconv.ParseFloat(rec[1], 64)
		q, err2 := strconv.ParseFloat(rec[2], 64)
		if err1 != nil || err2 != nil || p < 0 || p > 1 || q < 0 || q > 1 || !cvePattern.MatchString(rec[0]) {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("EPSS: line %d: bad row %q", line, strings.Join(rec, ","))
		}
		e.Scores[rec[0]] = EPSSScore{EPSS: p, Percentile: q}
	}
	if len(e.Scores) == 0 {
		return nil, errors.New("EPSS: no scores")
	}
	return e, nil
}
