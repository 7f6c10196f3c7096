package feeds

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTracker(t *testing.T) {
	tr, err := ParseTracker(fixture(t, "debian-tracker.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := tr["libwebp"]["CVE-2023-4863"].Releases["bookworm"]
	if r.Status != "resolved" || r.FixedVersion != "1.2.4-0.2+deb12u1" {
		t.Errorf("libwebp CVE-2023-4863 bookworm = %+v", r)
	}
	if r := tr["glibc"]["CVE-2019-1010022"].Releases["bookworm"]; r.Status != "open" || r.Urgency != "unimportant" {
		t.Errorf("glibc CVE-2019-1010022 bookworm = %+v", r)
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"x": {"CVE-1": {}}}`, `{"x": {"CVE-1": {"releases": {"sid": {}}}}}`, `{"x":`} {
		if _, err := ParseTracker([]byte(bad)); err == nil {
			t.Errorf("ParseTracker(%q) = nil error", bad)
		}
	}
}

// TestParseTrackerAsEncodingJSON: the fast decoder reads the tracker as
// encoding/json does, and what it refuses still fails with
// encoding/json's error.
func TestParseTrackerAsEncodingJSON(t *testing.T) {
	odd := `{"a": {"CVE-1": {"releases": {"sid": {"status": "open", "urgency": "low**", "extra": [1, {"x": null}]}}, "description": "caf\u00e9 \"q\" \ud83d\ude00"}},
	"b": {"CVE-2": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1:2.0-1", "fixed_version": "1:2.1-1"}}}, "TEMP-3": {"releases": {}}},
	"a": {"CVE-4": {"releases": {"sid": {"status": "undetermined"}}}}}`
	for name, b := range map[string][]byte{"fixture": fixture(t, "debian-tracker.json"), "2019": fixture(t, "debian-tracker-2019.json"), "odd": []byte(odd)} {
		got, err := ParseTracker(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want Tracker
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
	}
	var std Tracker
	bad := `{"x": {"CVE-1": {"releases": {"sid": {"status": 1}}}}}`
	_, err := ParseTracker([]byte(bad))
	want := json.Unmarshal([]byte(bad), &std)
	if err == nil || want == nil || err.Error() != "debian tracker JSON: "+want.Error() {
		t.Errorf("error = %v, want encoding/json's %v", err, want)
	}
}

func TestParseKEV(t *testing.T) {
	k, err := ParseKEV(fixture(t, "kev.json"))
	if err != nil {
		t.Fatal(err)
	}
	if k.CatalogVersion != "2025.08.25" || len(k.Vulnerabilities) != 4 {
		t.Fatalf("catalog %s with %d entries", k.CatalogVersion, len(k.Vulnerabilities))
	}
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !k.DateReleased.Equal(want) {
		t.Errorf("dateReleased %v, want %v", k.DateReleased, want)
	}
	var webp *KEVEntry
	for i := range k.Vulnerabilities {
		if k.Vulnerabilities[i].CVE == "CVE-2023-4863" {
			webp = &k.Vulnerabilities[i]
		}
	}
	if webp == nil || webp.DueDate != "2023-10-04" || webp.DateAdded != "2023-09-13" {
		t.Errorf("CVE-2023-4863: %+v", webp)
	}
	for _, bad := range []string{`{}`, `{"vulnerabilities": []}`, `{"count": 2, "vulnerabilities": [{"cveID": "CVE-2023-4863"}]}`,
		`{"vulnerabilities": [{"cveID": "nope"}]}`, `{"vulnerabilities": [{"cveID": "CVE-2023-4863", "dueDate": "soon"}]}`} {
		if _, err := ParseKEV([]byte(bad)); err == nil {
			t.Errorf("ParseKEV(%q) = nil error", bad)
		}
	}
}

func TestParseEPSS(t *testing.T) {
	plain := fixture(t, "epss.csv")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	for name, b := range map[string][]byte{"plain": plain, "gzip": gz.Bytes()} {
		e, err := ParseEPSS(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s := e.Scores["CVE-2023-4863"]; s.EPSS != 0.99979 || s.Percentile != 0.9998 {
			t.Errorf("%s: CVE-2023-4863 = %+v", name, s)
		}
		if e.Model != "v2026.06.15" || !e.ScoreDate.Equal(time.Date(2026, 9, 29, 12, 0, 22, 0, time.UTC)) || len(e.Scores) != 10 {
			t.Errorf("%s: model %q date %v", name, e.Model, e.ScoreDate)
		}
	}
	for _, bad := range []string{"", "cve,epss,percentile\n", "cve,epss\nCVE-2023-4863,0.1\n", "cve,epss,percentile\nCVE-2023-4863,2,0.5\n",
		"cve,epss,percentile\nCVE-2023-4863,x,0.5\n", "<html>not found</html>"} {
		if _, err := ParseEPSS([]byte(bad)); err == nil {
			t.Errorf("ParseEPSS(%q) = nil error", bad)
		}
	}
}

// TestParseRealExcerpts reads the fixtures that are copies of published
// data (see testdata/README.md) as their publishers meant them.
func TestParseRealExcerpts(t *testing.T) {
	tr, err := ParseTracker(fixture(t, "debian-tracker-2019.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r := tr["prototypejs"]["CVE-2008-7220"].Releases["buster"]; r.Status != "resolved" || r.FixedVersion != "1.6.0.2-1" || r.Urgency != "high**" {
		t.Errorf("prototypejs CVE-2008-7220 buster = %+v", r)
	}
	// "0": the release never had the flaw.
	if r := tr["prototypejs"]["CVE-2007-2383"].Releases["bullseye"]; r.FixedVersion != "0" || r.Urgency != "unimportant" {
		t.Errorf("prototypejs CVE-2007-2383 bullseye = %+v", r)
	}
	if n := len(tr["python-scipy"]["CVE-2013-4251"].Releases); n != 5 {
		t.Errorf("python-scipy CVE-2013-4251: %d releases, want 5", n)
	}
	recs, err := ParseOSV(fixture(t, "osv-debian-DSA-3029-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Its CVE is an alias (newer Debian records name it upstream).
	if len(recs) != 1 || !slices.Equal(recs[0].CVEs(), []string{"CVE-2014-3616"}) {
		t.Fatalf("DSA-3029-1: %+v", recs)
	}
	a := recs[0].Affected
	if len(a) != 1 || a[0].Package.Ecosystem != "Debian:7" || a[0].Package.Name != "nginx" ||
		len(a[0].Ranges) != 1 || a[0].Ranges[0].Events[1].Fixed != "1.2.1-2.2+wheezy3" {
		t.Errorf("DSA-3029-1 affected = %+v", a)
	}
	e, err := ParseEPSS(fixture(t, "epss.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if s := e.Scores["CVE-2014-0160"]; s.EPSS != 0.99999 || s.Percentile != 0.99997 {
		t.Errorf("CVE-2014-0160 (Heartbleed) = %+v", s)
	}
}

func TestParseOSV(t *testing.T) {
	recs, err := ParseOSV(fixture(t, "osv-debian.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if got := recs[0].CVEs(); len(got) != 1 || got[0] != "CVE-2023-4863" {
		t.Errorf("CVEs = %v", got)
	}
	// NVD scores these vectors 8.8 and 7.8.
	for i, want := range []float64{8.8, 7.8} {
		if score, vec := recs[i].CVSS(); score != want || vec == "" {
			t.Errorf("%s: CVSS %v (%s), want %v", recs[i].ID, score, vec, want)
		}
	}
	one, err := ParseOSV([]byte(`{"id": "DSA-5497-1"}`))
	if err != nil || len(one) != 1 {
		t.Errorf("single record: %v %v", one, err)
	}
	for _, bad := range []string{``, `[]`, `[{}]`, `{"id": 3}`} {
		if _, err := ParseOSV([]byte(bad)); err == nil {
			t.Errorf("ParseOSV(%q) = nil error", bad)
		}
	}
}

func TestCVSSScore(t *testing.T) {
	for vec, want := range map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H":                    10.0, // CVE-2021-44228 (Log4Shell)
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N":                    7.5,
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": 9.3,
	} {
		got, err := CVSSScore(vec)
		if err != nil || got != want {
			t.Errorf("CVSSScore(%s) = %v, %v; want %v", vec, got, err, want)
		}
	}
	if _, err := CVSSScore("AV:N/AC:L"); err == nil {
		t.Error("a vector without version parsed")
	}
}
