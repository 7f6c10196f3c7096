package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance"
)

// TestConformance runs tend's conformance kit against the built binary,
// answering its commands from testdata/conformance. To record them again
// (after changing the commands the provider runs, or the steps below):
//
//	TEND_CONFORMANCE_RECORD=1 go test -run TestConformance ./examples/provider-example
//
// Recording copies testdata/state and testdata/catalog into a temporary
// directory and really runs cat, tee and mv there; the fixtures hold
// ${ROOT} for that directory.
func TestConformance(t *testing.T) {
	root := t.TempDir()
	record := conformance.RecordLocally()
	if record != nil {
		for _, name := range []string{"state", "catalog"} {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	id := func(pkg string) string { return "conformance/textpkg/" + pkg }
	conformance.Run(t, conformance.TestCase{
		Binary:       conformance.BuildBinary(t, "."),
		Name:         "textpkg",
		Config:       map[string]any{"state": root + "/state", "catalog": root + "/catalog"},
		Fixtures:     filepath.Join("testdata", "conformance"),
		Placeholders: map[string]string{"ROOT": root},
		Record:       record,
		Pins:         []string{"openssl"},
		Apply: []conformance.ApplyStep{
			{
				Name: "upgrade",
				Actions: []sdk.Action{
					{ID: id("openssl"), Type: "upgrade", Package: "openssl", From: "3.0.1", To: "3.1.0"},
					{ID: id("jq"), Type: "install", Package: "jq", To: "1.7.1"},
					{ID: id("zlib"), Type: "hold", Package: "zlib"},
					{ID: id("curl"), Type: "upgrade", Package: "curl", From: "8.4.0", To: "9.0"},
				},
				Want: map[string]sdk.Status{
					id("openssl"): sdk.StatusSucceeded,
					id("jq"):      sdk.StatusSucceeded,
					id("zlib"):    sdk.StatusFailed, // hold is not supported
					id("curl"):    sdk.StatusFailed, // not in the catalog
				},
			},
			{
				Name: "downgrade",
				Actions: []sdk.Action{
					{ID: id("openssl"), Type: "downgrade", Package: "openssl", From: "3.1.0", To: "3.0.2"},
					{ID: id("jq"), Type: "install", Package: "jq", To: "1.7.1"},
					{ID: id("zlib"), Type: "upgrade", Package: "zlib", From: "1.2.10", To: "1.3"},
					{ID: id("curl"), Type: "remove", Package: "curl", From: "8.4.0"},
				},
				Want: map[string]sdk.Status{
					id("openssl"): sdk.StatusSucceeded,
					id("jq"):      sdk.StatusSkipped, // already installed by the first step
					id("zlib"):    sdk.StatusFailed,  // installed at 1.2.11, not 1.2.10
					id("curl"):    sdk.StatusSucceeded,
				},
			},
			{
				Name: "nothing_to_write",
				Actions: []sdk.Action{
					{ID: id("reboot"), Type: "reboot"},
					{ID: id("openssl"), Type: "upgrade", Package: "openssl", From: "3.0.2", To: "3.0.2"},
				},
				Want: map[string]sdk.Status{
					id("reboot"):  sdk.StatusFailed,
					id("openssl"): sdk.StatusSkipped,
				},
			},
		},
	})
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"1.2", "1.2.0", 0},
		{"1.3", "1.2.13", 1},
		{"1.2.9", "1.2.10", -1},
		{"10", "9.9.9", 1},
		{"0.0.1", "0.1", -1},
	} {
		if got := compareVersions(c.a, c.b); got != c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := compareVersions(c.b, c.a); got != -c.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
}

func TestParseState(t *testing.T) {
	got, err := parseState([]byte("# comment\n\nzlib 1.2.11\n  curl   8.4.0  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"zlib": "1.2.11", "curl": "8.4.0"}, got); diff != "" {
		t.Errorf("parseState (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ in, want string }{
		{"zlib\n", `line 1: want NAME VERSION, got "zlib"`},
		{"zlib 1.2 extra\n", "want NAME VERSION"},
		{"Zlib 1.2\n", `invalid package name "Zlib"`},
		{"zlib 1.2-3\n", `invalid version "1.2-3"`},
		{"zlib 1\n# x\nzlib 2\n", "line 3: package zlib is listed twice"},
	} {
		if _, err := parseState([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseState(%q): err = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestParseCatalog(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := parseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.versions("zlib"); strings.Join(got, " ") != "1.2.11 1.2.13 1.3" {
		t.Errorf("zlib versions = %v, want oldest first", got)
	}
	if o, _ := cat.newest("openssl"); o != (offer{Version: "3.1.0", Classification: "feature"}) {
		t.Errorf("newest openssl = %+v", o)
	}
	if got := cat.versions("nothere"); got == nil || len(got) != 0 {
		t.Errorf("versions of an unknown package = %#v, want an empty list (known: nothing offered)", got)
	}
	for _, c := range []struct{ in, want string }{
		{"jq 1.6 security extra\n", "want NAME VERSION [CLASSIFICATION]"},
		{"jq 1.6 Security\n", `invalid classification "Security"`},
		{"jq 1.6\njq 1.6\n", "line 2: jq 1.6 is listed twice"},
	} {
		if _, err := parseCatalog([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseCatalog(%q): err = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestCheckPath(t *testing.T) {
	if err := checkPath("state", "/var/lib/textpkg/state"); err != nil {
		t.Error(err)
	}
	for _, p := range []string{"", "state", "-rf", "/var/../etc/passwd", "/a//b", "/a\nb"} {
		if checkPath("state", p) == nil {
			t.Errorf("checkPath(%q) = nil, want an error", p)
		}
	}
}

func TestDecide(t *testing.T) {
	cat, err := parseCatalog([]byte("a 1\na 2\na 3\nb 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		action sdk.Action
		status sdk.Status // "" = carried out
		msg    string
		after  string // a's version afterwards
	}{
		{"upgrade", sdk.Action{Type: "upgrade", Package: "a", From: "2", To: "3"}, "", "", "3"},
		{"downgrade", sdk.Action{Type: "downgrade", Package: "a", From: "2", To: "1"}, "", "", "1"},
		{"upgrade that is a downgrade", sdk.Action{Type: "upgrade", Package: "a", From: "2", To: "1"}, sdk.StatusFailed, "that is a downgrade", "2"},
		{"stale from", sdk.Action{Type: "upgrade", Package: "a", From: "1", To: "3"}, sdk.StatusFailed, "installed at 2, not 1", "2"},
		{"not offered", sdk.Action{Type: "upgrade", Package: "a", From: "2", To: "4"}, sdk.StatusFailed, "does not offer a 4", "2"},
		{"already there", sdk.Action{Type: "upgrade", Package: "a", From: "2", To: "2"}, sdk.StatusSkipped, "already installed", "2"},
		{"install over installed", sdk.Action{Type: "install", Package: "a", To: "3"}, sdk.StatusFailed, "already installed at 2", "2"},
		{"hold", sdk.Action{Type: "hold", Package: "a"}, sdk.StatusFailed, `cannot carry out "hold"`, "2"},
		{"bad name", sdk.Action{Type: "install", Package: "-rf", To: "1"}, sdk.StatusFailed, "invalid package name", "2"},
		{"bad version", sdk.Action{Type: "install", Package: "b", To: "1;x"}, sdk.StatusFailed, "invalid version", "2"},
		{"remove", sdk.Action{Type: "remove", Package: "a"}, "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := map[string]string{"a": "2"}
			status, msg := decide(state, cat, c.action)
			if status != c.status || !strings.Contains(msg, c.msg) {
				t.Errorf("decide = %q, %q; want %q, containing %q", status, msg, c.status, c.msg)
			}
			if state["a"] != c.after {
				t.Errorf("a is %q afterwards, want %q", state["a"], c.after)
			}
		})
	}
}

func TestRenderState(t *testing.T) {
	state := map[string]string{"zlib": "1.3", "curl": "8.4.0"}
	data := renderState(state)
	back, err := parseState(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(string(data), "curl 8.4.0\nzlib 1.3\n") {
		t.Errorf("renderState =\n%s", data)
	}
}
