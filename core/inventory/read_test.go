package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/reportsbranch"
)

const good = `{"format_version": "1", "host": "web_1", "scanned_at": "2026-11-23T09:59:58Z",
 "providers": {"apt": {"facts": {"os": "debian"}, "pending_reboot": false,
   "installed": [{"id": "openssl", "name": "openssl", "version": "3.0.11-1~deb12u1", "arch": "amd64"}],
   "available": [{"id": "openssl", "name": "openssl", "from": "3.0.11-1~deb12u1", "to": "3.0.11-1~deb12u2",
     "classification": "security", "severity": "", "cves": ["CVE-2024-0727"], "kb": "",
     "released_at": "2026-11-20T00:00:00Z", "reboot_required": false}]}}}`

func write(t *testing.T, dir, host, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, host), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, host, reportsbranch.SnapshotFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "web_1", good)
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["web_1"] == nil {
		t.Fatalf("got %v, want web_1 only", got)
	}
	u := got["web_1"].Providers["apt"].Available[0]
	if u.To != "3.0.11-1~deb12u2" || u.CVEs[0] != "CVE-2024-0727" || u.ReleasedAt.Day() != 20 {
		t.Errorf("decoded update = %+v", u)
	}
}

func TestReadDirErrors(t *testing.T) {
	cases := map[string]struct{ host, body, want string }{
		"bad json":          {"web_1", `{"format_version": "1",`, "unexpected EOF"},
		"wrong version":     {"web_1", strings.Replace(good, `"format_version": "1"`, `"format_version": "9"`, 1), `format_version "9" is not supported`},
		"host mismatch":     {"web_2", good, `snapshot is for host "web_1", but lies in the directory of host "web_2"`},
		"no scanned_at":     {"web_1", strings.Replace(good, `"scanned_at": "2026-11-23T09:59:58Z",`, ``, 1), "scanned_at is missing"},
		"update without to": {"web_1", strings.Replace(good, `"to": "3.0.11-1~deb12u2",`, ``, 1), "available[0]: name and to are required"},
		"unknown scheme":    {"web_1", strings.Replace(good, `"pending_reboot": false,`, `"pending_reboot": false, "version_scheme": "rpm",`, 1), `unknown version scheme "rpm"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.host, tc.body)
			_, err := ReadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tc.host, reportsbranch.SnapshotFile)) {
				t.Errorf("err = %v, want it to name the file", err)
			}
		})
	}
	if _, err := ReadDir(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing dir: want error")
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	s, err := Parse("good", []byte(good), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, s); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Encode(s)
	b, _ := Encode(back["web_1"])
	if string(a) != string(b) || !strings.HasPrefix(string(a), "{\n  \"format_version\": \"1\",\n  \"host\": \"web_1\",") {
		t.Errorf("round trip differs or not in contract order:\n%s", a)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "web_1"))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
