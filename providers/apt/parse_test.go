package apt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The testdata files are real outputs captured by TestCapture (-update).

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseStatus(t *testing.T) {
	got, err := parseStatus(testdata(t, "dpkg-query.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := []pkgState{
		{Name: "bar", Version: "1:1.0-1", Arch: "all", Abbrev: "ii "},
		{Name: "broken", Version: "1.1", Arch: "all", Abbrev: "iF "},
		{Name: "foo", Version: "1.0", Arch: "all", Abbrev: "ii "},
		{Name: "good", Version: "1.1", Arch: "all", Abbrev: "ii "},
		{Name: "kept", Version: "1.0", Arch: "all", Abbrev: "hi "},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		p                           pkgState
		ok, held, unfinished, known bool
		describe                    string
	}{
		{got[0], true, false, false, true, "1:1.0-1 (installed)"},
		{got[1], false, false, true, true, "1.1 (half-configured)"},
		{got[4], true, true, false, true, "1.0 (installed, on hold)"},
		{pkgState{Version: "2", Abbrev: "rc "}, false, false, false, true, "2 (config-files)"},
		{pkgState{Version: "2", Abbrev: "un "}, false, false, false, false, "2 (not installed)"},
		{pkgState{Version: "2", Abbrev: "iiR"}, false, false, true, true, "2 (installed, reinstall required)"},
	} {
		if c.p.OK() != c.ok || c.p.Held() != c.held || c.p.Unfinished() != c.unfinished || c.p.Known() != c.known || c.p.Describe() != c.describe {
			t.Errorf("%q: ok %v held %v unfinished %v known %v %q", c.p.Abbrev, c.p.OK(), c.p.Held(), c.p.Unfinished(), c.p.Known(), c.p.Describe())
		}
	}
	if _, err := parseStatus("foo\t1.0\n"); err == nil {
		t.Error("short line: no error")
	}
}

// TestParseStatusFile: the status file's lines say what dpkg-query says.
func TestParseStatusFile(t *testing.T) {
	got, err := parseStatusFile(testdata(t, "dpkg-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseStatus(testdata(t, "dpkg-query.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-dpkg-query +status file):\n%s", diff)
	}
	got, err = parseStatusFile("Package: a\nStatus: deinstall ok config-files\nVersion: 1\n" +
		"Package: b\nStatus: install reinstreq half-installed\nArchitecture: amd64\n" +
		"Package: c\nStatus: purge ok not-installed\n")
	want = []pkgState{{Name: "a", Version: "1", Abbrev: "rc "}, {Name: "b", Arch: "amd64", Abbrev: "iHR"}, {Name: "c", Abbrev: "pn "}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("parseStatusFile = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{
		"Status: install ok installed\n",
		"Package: a\nStatus: install ok\n",
		"Package: a\nStatus: install ok wobbly\n",
		"Package: a\nVersion: 1\n",
		"garbage\n",
	} {
		if _, err := parseStatusFile(bad); err == nil {
			t.Errorf("parseStatusFile(%q): no error", bad)
		}
	}
}

func TestParseUpgradable(t *testing.T) {
	got, problems := parseUpgradable(testdata(t, "apt-list-upgradable.txt") + "garbage line\n")
	want := []candidate{
		{Name: "bar", Arch: "all", From: "1:1.0-1", To: "1:2.0-1", Archives: []string{"stable"}},
		{Name: "foo", Arch: "all", From: "1.0", To: "1.1", Archives: []string{"stable", "stable-security"}},
		{Name: "kept", Arch: "all", From: "1.0", To: "1.1", Archives: []string{"stable"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "garbage line") {
		t.Errorf("problems = %q", problems)
	}
	for archives, want := range map[string]bool{
		"stable": false, "stable,stable-security": true, "jammy-updates,jammy-security": true,
		"bookworm-security": true, "securityish": false, "now": false,
	} {
		if got := (candidate{Archives: strings.Split(archives, ",")}).security(); got != want {
			t.Errorf("security(%s) = %v, want %v", archives, got, want)
		}
	}
}

func TestParseMadison(t *testing.T) {
	got := parseMadison(testdata(t, "apt-cache-madison.txt") +
		"       bar |    1:2.0-1 | http://deb.example/debian stable/main Sources\n" +
		"       bar |    1:2.0-1 | http://mirror.example/debian stable/main amd64 Packages\n")
	want := map[string][]string{"bar": {"1:2.0-1", "1:1.0-1"}, "foo": {"1.1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestHeadFiles(t *testing.T) {
	paths := []string{"/ROOT/etc/os-release", "/ROOT/run/reboot-required", "/ROOT/run/reboot-required.pkgs",
		"/ROOT/usr/lib/os-release", "/ROOT/var/lib/dpkg/arch"}
	got := headFiles(testdata(t, "head.txt"), paths)
	want := map[string]string{
		"/ROOT/etc/os-release":           "PRETTY_NAME=\"tend test root\"\nID=debian\nVERSION_ID=\"12\"\n",
		"/ROOT/run/reboot-required":      "*** System restart required ***\n",
		"/ROOT/run/reboot-required.pkgs": "linux-image-6.1.0-28-amd64\n",
		"/ROOT/var/lib/dpkg/arch":        "amd64\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// An empty file exists; a file without a final newline keeps its text.
	got = headFiles("==> /a <==\n\n==> /b <==\nno newline", []string{"/a", "/b", "/c"})
	if diff := cmp.Diff(map[string]string{"/a": "", "/b": "no newline"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseOSRelease(t *testing.T) {
	got := parseOSRelease("# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID='12'\nX=\"a \\\"q\\\" \\$b\"\nBAD\n")
	want := map[string]string{"NAME": "Debian GNU/Linux", "ID": "debian", "VERSION_ID": "12", "X": `a "q" $b`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseSteps(t *testing.T) {
	got := parseSteps(testdata(t, "apt-get-install-downgrade.txt"))
	want := []dpkgStep{
		{Line: "Unpacking bar (1:1.0-1) over (1:2.0-1)", Name: "bar", Version: "1:1.0-1"},
		{Line: "Setting up bar (1:1.0-1)", Name: "bar", Version: "1:1.0-1"},
		{Line: "Setting up broken (1.1)", Name: "broken", Version: "1.1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := parseSteps("Setting up libc6:amd64 (2.36-9+deb12u9) ...\r\n"); len(got) != 1 || got[0].Name != "libc6" {
		t.Errorf("multi-arch step = %+v", got)
	}
}

func TestTail(t *testing.T) {
	got := tail(testdata(t, "apt-get-install-broken.txt"), 6)
	want := strings.Join([]string{
		"dpkg: error processing package broken (--configure):",
		" installed broken package post-installation script subprocess returned error exit status 1",
		"Errors were encountered while processing:",
		" broken",
		"W: Download is performed unsandboxed as root as file '/ROOT/var/cache/apt/archives/partial/broken_1.1_all.deb' couldn't be accessed by user '_apt'. - pkgAcquire::Run (13: Permission denied)",
		"E: Sub-process /usr/bin/dpkg returned an error code (1)",
	}, "\n")
	if got != want {
		t.Errorf("tail:\n%s\nwant:\n%s", got, want)
	}
	if got := tail("(Reading database ... \r(Reading database ... 100%\r(Reading database ... 5 files.)\r\nok\n", 5); got != "ok" {
		t.Errorf("tail of progress = %q", got)
	}
}
