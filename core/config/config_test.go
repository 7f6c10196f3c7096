package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

var errorMark = regexp.MustCompile(`#\s*ERROR:\s*(.+?)\s*$`)

// TestInvalid loads each testdata/invalid file on its own and compares the
// error diagnostics with the "# ERROR: <summary>" marks on its lines.
func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.tend.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for i, line := range strings.Split(string(src), "\n") {
				if m := errorMark.FindStringSubmatch(line); m != nil {
					want = append(want, fmt.Sprintf("%d: %s", i+1, m[1]))
				}
			}
			_, diags := LoadSources(filepath.Dir(f), map[string][]byte{f: src}, os.ReadFile)
			var got []string
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				if d.Subject == nil {
					t.Errorf("diagnostic without a position: %s: %s", d.Summary, d.Detail)
					continue
				}
				if d.Subject.Filename != f {
					t.Errorf("diagnostic in %s, want %s", d.Subject.Filename, f)
				}
				got = append(got, fmt.Sprintf("%d: %s", d.Subject.Start.Line, d.Summary))
			}
			sort.Strings(want)
			sort.Strings(got)
			if diff := cmp.Diff(want, got); diff != "" {
				var buf bytes.Buffer
				_ = diagnostics.Write(&buf, diags, map[string][]byte{f: src})
				t.Errorf("diagnostics differ from the # ERROR marks (-want +got):\n%s\nall diagnostics:\n%s", diff, buf.String())
			}
		})
	}
}

func TestValidFull(t *testing.T) {
	cfg, diags := Load("testdata/valid")
	if diags.HasErrors() {
		var buf bytes.Buffer
		_ = diagnostics.Write(&buf, diags, cfg.Sources)
		t.Fatalf("unexpected errors:\n%s", buf.String())
	}
	if got := cfg.ReportsBranch(); got != "tend/reports" {
		t.Errorf("reports branch = %q", got)
	}
	if got := cfg.Tend.RequiredProviders["apt"]; got != ">= 0.1.0" {
		t.Errorf("required apt = %q", got)
	}
	if got := cfg.Providers["apt"].Attributes["root"].AsString(); got != "/" {
		t.Errorf("apt root = %q", got)
	}
	web1 := cfg.Hosts["web_1"]
	if web1.Transport != TransportSSH || web1.SSH.Port != 2222 || !web1.SSH.Sudo || web1.Labels["role"] != "web" {
		t.Errorf("web_1 = %+v ssh %+v", web1, web1.SSH)
	}
	web3 := cfg.Hosts["web_3"]
	if web3 == nil || web3.Transport != TransportSSH || web3.Labels["client"] != "acme" || web3.List != "acme_fleet" {
		t.Errorf("web_3 from the host list = %+v", web3)
	}
	if lab := cfg.Hosts["lab_1"]; lab == nil || lab.Transport != TransportLocal {
		t.Errorf("lab_1 = %+v", lab)
	}
	p := cfg.Policies["linux_security"]
	if diff := cmp.Diff([]string{"web_1", "web_2", "web_3"}, p.Hosts); diff != "" {
		t.Errorf("policy hosts (-want +got):\n%s", diff)
	}
	if len(p.Approve) != 2 || p.Approve[0].After != 72*time.Hour || p.Approve[1].Index != 1 {
		t.Errorf("approve = %+v", p.Approve)
	}
	if want := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC); !p.Approve[1].Until.Equal(want) {
		t.Errorf("approve[1].until = %v, want %v (inclusive date)", p.Approve[1].Until, want)
	}
	if p.Pin[0].Package != "nginx" || p.Pin[0].Version != "1.22.1-9" {
		t.Errorf("pin = %+v", p.Pin[0])
	}
	if p.Exclude[0].Reason != "waiting for vendor certification" || p.Exclude[0].Hosts != nil {
		t.Errorf("exclude = %+v", p.Exclude[0])
	}
	if p.Window == nil || p.Window.Name != "weekend_nights" || cfg.Windows["weekend_nights"].Schedule.Cutoff != time.Hour {
		t.Errorf("window = %+v", p.Window)
	}
	r := p.Rollout
	if len(r.Rings) != 2 || !r.Rings[0].Hosts["web_1"] || r.Rings[0].Soak != 24*time.Hour || *r.Rings[1].Percent != 100 {
		t.Errorf("rings = %+v %+v", r.Rings[0], r.Rings[1])
	}
	if r.MaxParallel.Of(100) != 10 || r.MaxFailures.Of(100) != 5 || r.MaxFailures.Of(3) != 1 {
		t.Errorf("limits = %+v %+v", r.MaxParallel, r.MaxFailures)
	}
	if len(p.Health) != 2 || p.Health[0].Timeout != 30*time.Second || p.Health[1].ExpectStatus != 200 {
		t.Errorf("health checks = %+v", p.Health)
	}
	if !strings.HasPrefix(cfg.Digest, "sha256:") || len(cfg.Sources) != 2 {
		t.Errorf("digest %q over %d sources", cfg.Digest, len(cfg.Sources))
	}
}

func TestHostListErrors(t *testing.T) {
	cases := map[string]struct{ json, want string }{
		"syntax":         {"[\n  {\"name\": \"a\",}\n]", "hosts.json:2:"},
		"unknown":        {"[\n  {\"name\": \"a\", \"labels\": {\"x\": \"y\"},\n   \"adress\": \"x\"}\n]", `hosts.json:3:4: error: Unknown host list field: hosts.json: a host entry has no field "adress"; the fields are name, address, transport, labels, suspend. Did you mean "address"?`},
		"suspend field":  {"[\n  {\"name\": \"a\", \"labels\": {\"untill\": \"x\"},\n   \"suspend\": {\"untill\": \"2026-12-31\", \"reason\": \"r\"}}\n]", `hosts.json:3:16: error: Unknown host list field: hosts.json: a host entry's suspend has no field "untill"; the fields are until, reason. Did you mean "until"?`},
		"suspend date":   {"[{\"name\": \"a\"},\n {\"name\": \"b\", \"suspend\": {\"until\": \"31.12.2026\", \"reason\": \"r\"}}]", `hosts.json:2:16: error: Invalid date: Host "b" in hosts.json: suspend's until must be a date like "2027-01-31"`},
		"suspend until":  {`[{"name": "a", "suspend": {"reason": "r"}}]`, `hosts.json:1:16: error: Missing suspend until: Host "a" in hosts.json: suspend needs "until"`},
		"suspend reason": {`[{"name": "a", "suspend": {"until": "2026-12-31", "reason": " "}}]`, `hosts.json:1:16: error: Missing reason: Host "a" in hosts.json: suspend needs a "reason"`},
		"suspend type":   {`[{"name": "a", "suspend": "2026-12-31"}]`, `Invalid host list`},
		"unknown 2nd":    {"[{\"name\": \"a\"},\n {\"name\": \"b\", \"tags\": [\"x\"]}]", `hosts.json:2:16: error: Unknown host list field: hosts.json: a host entry has no field "tags"`},
		"bad name":       {`[{"name": "9a"}]`, "is not a valid host name"},
		"position":       {"[\n  {\"name\": \"a\"},\n  {\"name\": \"9b\"}\n]", "hosts.json:3:3: error: Invalid host name"},
		"transport":      {`[{"name": "a", "transport": "telnet", "address": "x"}]`, `transport must be "local", "ssh" or "agent"`},
		"duplicates":     {`[{"name": "a"}, {"name": "a"}]`, `Duplicate host "a"`},
		"homoglyph":      {"[{\"name\": \"w\u0435b_1\"}]", `hosts.json:1:2: error: Invalid host name: Entry 0 of hosts.json: "w\u0435b_1"`},
		"zero-width":     {`[{"name": "web_1\u200b"}]`, `"web_1\u200b" is not a valid host name`},
		"label key":      {`[{"name": "a", "labels": {"r\u043ele": "db"}}]`, "Invalid label"},
		"label":          {`[{"name": "a", "labels": {"client": "acme\u200d"}}]`, `Invalid label: Host "a" in hosts.json: the value of label "client"`},
		"deep":           {`[{"name": "a", "labels": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}]", "hosts.json:1:88: error: Host list nested too deeply"},
		"too large":      {"[" + strings.Repeat(" ", MaxHostListSize) + "]", "Host list too large"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			src := map[string][]byte{"dir/list.tend.hcl": []byte("hosts \"l\" {\n  file = \"hosts.json\"\n}\n")}
			read := func(p string) ([]byte, error) {
				if p != filepath.Join("dir", "hosts.json") {
					return nil, fmt.Errorf("unexpected read of %s", p)
				}
				return []byte(tc.json), nil
			}
			cfg, diags := LoadSources("dir", src, read)
			var buf bytes.Buffer
			_ = diagnostics.Write(&buf, diags, cfg.Sources)
			if !diags.HasErrors() || !strings.Contains(buf.String(), tc.want) {
				t.Errorf("diagnostics = %s; want %q", buf.String(), tc.want)
			}
		})
	}
}

// TestHostListSuspend: a host list entry's "suspend" object suspends the
// host as a suspend block does, until the end of its date, with the
// field's position for warnings; the list's other hosts are not.
func TestHostListSuspend(t *testing.T) {
	src := map[string][]byte{"dir/list.tend.hcl": []byte("hosts \"l\" {\n  file = \"hosts.json\"\n}\n")}
	list := "[\n  {\"name\": \"a\"},\n  {\"name\": \"b\",\n   \"suspend\": {\"until\": \"2026-12-31\", \"reason\": \"disk swap\"}}\n]"
	cfg, diags := LoadSources("dir", src, func(string) ([]byte, error) { return []byte(list), nil })
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if cfg.Hosts["a"].Suspend != nil {
		t.Errorf("a suspended: %+v", cfg.Hosts["a"].Suspend)
	}
	s := cfg.Hosts["b"].Suspend
	if s == nil {
		t.Fatal("b not suspended")
	}
	if want := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); !s.Until.Equal(want) || s.UntilText != "2026-12-31" || s.Reason != "disk swap" {
		t.Errorf("suspend = %+v", s)
	}
	if pos := fmt.Sprintf("%s:%d:%d", s.DeclRange.Filename, s.DeclRange.Start.Line, s.DeclRange.Start.Column); pos != filepath.Join("dir", "hosts.json")+":4:4" {
		t.Errorf("suspend at %s", pos)
	}
	if !s.ActiveAt(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)) || s.ActiveAt(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("suspension span")
	}
}

func TestFormat(t *testing.T) {
	out, diags := Format("x.tend.hcl", []byte("host \"a\" {\ntransport=\"local\"\n  labels = {a=\"b\"}\n}\n"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := "host \"a\" {\n  transport = \"local\"\n  labels    = { a = \"b\" }\n}\n"
	if string(out) != want {
		t.Errorf("Format =\n%s\nwant\n%s", out, want)
	}
	if _, diags := Format("x.tend.hcl", []byte("host {")); !diags.HasErrors() {
		t.Error("want syntax error")
	}
}

func TestConstraint(t *testing.T) {
	cases := []struct {
		c, v string
		want bool
	}{
		{">= 0.1.0", "0.1.0", true},
		{">= 0.1.0", "v0.0.9", false},
		{">= 0.1.0, < 1.0.0", "0.9.3", true},
		{"~> 1.2", "1.9.0", true},
		{"~> 1.2", "2.0.0", false},
		{"~> 1.2.3", "1.2.9", true},
		{"~> 1.2.3", "1.3.0", false},
		{"!= 1.0.0", "1.0.0", false},
		{"1.0.0", "1.0.0-rc1", true},
	}
	for _, tc := range cases {
		c, err := ParseConstraint(tc.c)
		if err != nil {
			t.Fatalf("%q: %v", tc.c, err)
		}
		if got := c.Check(tc.v); got != tc.want {
			t.Errorf("%q.Check(%q) = %v, want %v", tc.c, tc.v, got, tc.want)
		}
	}
	for _, bad := range []string{"", ">= ", ">= one", "1.2.3.4", ">=1.0,"} {
		if _, err := ParseConstraint(bad); err == nil {
			t.Errorf("ParseConstraint(%q): want error", bad)
		}
	}
}

// TestRelatedLocations checks that a diagnostic naming a second place
// writes it as file:line:col, as diagnostics' own locations are.
func TestRelatedLocations(t *testing.T) {
	f := "testdata/invalid/duplicates.tend.hcl"
	src, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	_, diags := LoadSources(filepath.Dir(f), map[string][]byte{f: src}, os.ReadFile)
	want := map[string]string{
		`Duplicate host "web_1"`: f + ":1:1.",
		"Duplicate tend block":   f + ":17:1.",
	}
	for _, d := range diags {
		if w, ok := want[d.Summary]; ok {
			if !strings.HasSuffix(d.Detail, w) {
				t.Errorf("%s: detail %q, want it to end in %q", d.Summary, d.Detail, w)
			}
			delete(want, d.Summary)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing diagnostics: %v", want)
	}
}

// TestDigestIgnoresCommentsAndLayout checks that a comment edit or a
// reformat keeps the configuration digest (a saved plan stays fresh) and
// that any change of a value or name does not.
func TestDigestIgnoresCommentsAndLayout(t *testing.T) {
	digest := func(src string) string {
		t.Helper()
		cfg, diags := LoadSources("dir", map[string][]byte{"dir/main.tend.hcl": []byte(src)}, os.ReadFile)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		return cfg.Digest
	}
	base := digest("host \"web_1\" {\n  transport = \"local\"\n}\n")
	for _, same := range []string{
		"# the web server\nhost \"web_1\" {\n  transport = \"local\" // local for now\n}\n",
		"host \"web_1\" {\n\n\n    transport   =   \"local\"\n}\n/* trailing */\n",
	} {
		if got := digest(same); got != base {
			t.Errorf("digest changed for a comment or layout edit:\n%s", same)
		}
	}
	for _, other := range []string{
		"host \"web_2\" {\n  transport = \"local\"\n}\n",
		"host \"web_1\" {\n  transport = \"ssh\"\n  address = \"x\"\n}\n",
	} {
		if got := digest(other); got == base {
			t.Errorf("digest unchanged for a real edit:\n%s", other)
		}
	}
}

// TestAgentTransport: transport = "agent" is accepted in host blocks and
// hosts files and needs no address.
func TestAgentTransport(t *testing.T) {
	src := map[string][]byte{"dir/main.tend.hcl": []byte("host \"laptop_1\" {\n  transport = \"agent\"\n}\nhosts \"l\" {\n  file = \"hosts.json\"\n}\n")}
	list := `[{"name": "laptop_2", "transport": "agent"}]`
	cfg, diags := LoadSources("dir", src, func(string) ([]byte, error) { return []byte(list), nil })
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, name := range []string{"laptop_1", "laptop_2"} {
		if h := cfg.Hosts[name]; h == nil || h.Transport != TransportAgent || h.Address != "" {
			t.Errorf("%s = %+v", name, h)
		}
	}
}
