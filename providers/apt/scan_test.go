package apt

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tend-sh/tend/plugins/sdk"
)

// rootOpts are the apt options for the alternate root /ROOT (amd64).
var rootOpts = []string{
	"-c", "/dev/stdin",
	"-o", "Dir=/ROOT",
	"-o", "Dir::State::status=/ROOT/var/lib/dpkg/status",
	"-o", "Dir::Log=/ROOT/var/log/apt",
	"-o", "APT::Architecture=amd64",
	"-o", "APT::Architectures=amd64",
	"-o", "DPkg::Options::=--root=/ROOT",
	"-o", "DPkg::Options::=--log=/ROOT/var/log/dpkg.log",
	"-o", "DPkg::Options::=--force-script-chrootless",
}

func argv(words ...any) []string {
	var out []string
	for _, w := range words {
		switch w := w.(type) {
		case string:
			out = append(out, w)
		case []string:
			out = append(out, w...)
		}
	}
	return out
}

var (
	headRoot = argv("head", "-v", "-n", "1000", "/ROOT/etc/os-release", "/ROOT/run/reboot-required",
		"/ROOT/run/reboot-required.pkgs", "/ROOT/usr/lib/os-release", "/ROOT/var/lib/dpkg/arch",
		"/ROOT/var/lib/dpkg/updates/0000")
	grepRoot  = argv("grep", "-E", "^(Package|Status|Version|Architecture|Source): ", "/ROOT/var/lib/dpkg/status")
	queryRoot = argv("dpkg-query", "--admindir=/ROOT/var/lib/dpkg", "-W", "-f", statusFormat)
	listRoot  = argv("apt", rootOpts, "list", "-qq", "--upgradable",
		"-o", "APT::Cmd::use-format=true", "-o", "APT::Cmd::format="+listFormat)
)

// scanFake answers a scan of /ROOT with the captured outputs.
func scanFake(t *testing.T) *fake {
	return new(fake).
		on("head", out(testdata(t, "head.txt"))).
		on("grep", out(testdata(t, "dpkg-status.txt"))).
		on("dpkg-query", out(testdata(t, "dpkg-query.txt"))).
		on("list --upgradable", out(testdata(t, "apt-list-upgradable.txt"))).
		on("madison", out(testdata(t, "apt-cache-madison.txt")))
}

// sorted sorts argvs whose order does not matter (commands run at once).
func sorted(argvs [][]string) [][]string {
	argvs = slices.Clone(argvs)
	slices.SortFunc(argvs, func(a, b []string) int { return strings.Compare(strings.Join(a, " "), strings.Join(b, " ")) })
	return argvs
}

func TestScanAlternateRoot(t *testing.T) {
	rec := &recorder{r: scanFake(t)}
	inv, warnings, err := Scan(context.Background(), rec, Config{Root: "/ROOT"}, []string{"foo", "bar", "Bad Pin", "foo"})
	if err != nil {
		t.Fatal(err)
	}
	want := &sdk.Inventory{
		Facts:         map[string]string{"os": "debian", "release": "12", "kernel": ""},
		PendingReboot: true,
		Installed: []sdk.Installed{
			{ID: "bar", Name: "bar", Version: "1:1.0-1", Arch: "all"},
			{ID: "foo", Name: "foo", Version: "1.0", Arch: "all"},
			{ID: "good", Name: "good", Version: "1.1", Arch: "all"},
			{ID: "kept", Name: "kept", Version: "1.0", Arch: "all"},
		},
		Available: []sdk.Update{ // kept is on hold
			{ID: "bar", Name: "bar", From: "1:1.0-1", To: "1:2.0-1", Classification: ClassUpdates},
			{ID: "foo", Name: "foo", From: "1.0", To: "1.1", Classification: ClassSecurity},
		},
		Versions:   map[string][]string{"foo": {"1.1"}, "bar": {"1:2.0-1", "1:1.0-1"}},
		Unfinished: []sdk.Unfinished{{Name: "broken", Version: "1.1", State: "half-configured"}},
	}
	if diff := cmp.Diff(want, inv, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
	wantWarnings := []string{
		`pin "Bad Pin" left out: invalid package name "Bad Pin"`,
		"reboot required by: linux-image-6.1.0-28-amd64",
		"broken is not fully installed: 1.1 (half-configured)",
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	calls := rec.argvs()
	if len(calls) != 4 {
		t.Fatalf("calls = %q", calls)
	}
	if diff := cmp.Diff(headRoot, calls[0]); diff != "" {
		t.Errorf("first call (-want +got):\n%s", diff)
	}
	wantAtOnce := sorted([][]string{
		grepRoot,
		listRoot,
		argv("apt-cache", rootOpts, "madison", "foo", "bar"),
	})
	if diff := cmp.Diff(wantAtOnce, sorted(calls[1:])); diff != "" {
		t.Errorf("concurrent calls (-want +got):\n%s", diff)
	}
	for _, c := range rec.calls {
		wantStdin := ""
		if strings.HasPrefix(c.Cmd.Argv[0], "apt") {
			wantStdin = ClearHooks
		}
		if string(c.Cmd.Stdin) != wantStdin {
			t.Errorf("%s: stdin %q, want %q", c.Cmd.Argv[0], c.Cmd.Stdin, wantStdin)
		}
		if !slices.Equal(c.Cmd.Env, []string{"DEBIAN_FRONTEND=noninteractive", "APT_LISTCHANGES_FRONTEND=none", "LC_ALL=C"}) {
			t.Errorf("%s: env %q", c.Cmd.Argv[0], c.Cmd.Env)
		}
	}
}

func TestScanRunningSystem(t *testing.T) {
	rec := &recorder{r: new(fake).
		on("head", out("==> /etc/os-release <==\nID=debian\nVERSION_ID=\"12\"\n\n==> /proc/sys/kernel/osrelease <==\n6.1.0-27-amd64\n\n"+
			"==> /proc/version <==\n"+readFixture(t, "testdata/kernel/proc-version-debian12.txt"))).
		on("grep", out("Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n"+
			"Package: libc6\nStatus: install ok installed\nArchitecture: i386\nVersion: 2.36-9\n"+
			"Package: linux-image-6.1.0-27-amd64\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.1.115-1\n"+
			"Package: old\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1\n")).
		on("list", out("libc6\ti386\t2.36-9\t2.36-9+deb12u9\tstable-security\nlinux-image-6.1.0-27-amd64\tamd64\t6.1.115-1\t6.1.119-1\tstable-security,stable\n"))}
	inv, warnings, err := Scan(context.Background(), rec, Config{Root: "/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &sdk.Inventory{
		Facts: map[string]string{"os": "debian", "release": "12", "kernel": "6.1.0-27-amd64"},
		Installed: []sdk.Installed{
			{ID: "libc6:amd64", Name: "libc6", Version: "2.36-9", Arch: "amd64"},
			{ID: "libc6:i386", Name: "libc6", Version: "2.36-9", Arch: "i386"},
			{ID: "linux-image-6.1.0-27-amd64", Name: "linux-image-6.1.0-27-amd64", Version: "6.1.115-1", Arch: "amd64"},
		},
		Available: []sdk.Update{
			{ID: "libc6:i386", Name: "libc6", From: "2.36-9", To: "2.36-9+deb12u9", Classification: ClassSecurity, RebootRequired: true},
			{ID: "linux-image-6.1.0-27-amd64", Name: "linux-image-6.1.0-27-amd64", From: "6.1.115-1", To: "6.1.119-1",
				Classification: ClassSecurity, RebootRequired: true},
		},
	}
	if diff := cmp.Diff(want, inv, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %q", warnings)
	}
	// All at once: nothing needs to be known first for root "/".
	wantCalls := [][]string{
		{"apt", "list", "-qq", "--upgradable", "-o", "APT::Cmd::use-format=true", "-o", "APT::Cmd::format=" + listFormat},
		{"grep", "-E", statusFields, "/var/lib/dpkg/status"},
		{"head", "-v", "-n", "1000", "/etc/os-release", "/proc/sys/kernel/osrelease", "/proc/version", "/run/reboot-required",
			"/run/reboot-required.pkgs", "/usr/lib/os-release", "/var/lib/dpkg/updates/0000"},
	}
	if diff := cmp.Diff(wantCalls, sorted(rec.argvs())); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	for _, c := range rec.calls {
		if c.Cmd.Stdin != nil {
			t.Errorf("%s: stdin %q for root /", c.Cmd.Argv[0], c.Cmd.Stdin)
		}
	}
}

func TestScanRefreshAndArch(t *testing.T) {
	// No arch file: the machine's architecture; apt-get update fails: a warning.
	rec := &recorder{r: new(fake).
		on("head", sdk.Result{Stdout: []byte("==> /ROOT/etc/os-release <==\nID=debian\n"), ExitCode: 1}).
		on("--print-architecture", out("arm64\n")).
		on("update", sdk.Result{Stderr: []byte("E: Failed to fetch file:/nowhere/dists/stable/Release\n"), ExitCode: 100})}
	inv, warnings, err := Scan(context.Background(), rec, Config{Root: "/ROOT", Refresh: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := slices.Clone(rootOpts)
	opts[9], opts[11] = "APT::Architecture=arm64", "APT::Architectures=arm64"
	wantFirst := [][]string{
		headRoot,
		{"dpkg", "--print-architecture"},
		argv("apt-get", opts, "-q", "update"),
	}
	calls := rec.argvs()
	if diff := cmp.Diff(wantFirst, calls[:3]); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if want := argv("apt", opts, "list", "-qq", "--upgradable", "-o", "APT::Cmd::use-format=true", "-o", "APT::Cmd::format="+listFormat); !slices.ContainsFunc(calls, func(c []string) bool { return slices.Equal(c, want) }) {
		t.Errorf("no %q in %q", want, calls)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "apt-get update failed (exit status 100)") || !strings.Contains(warnings[0], "Failed to fetch") {
		t.Errorf("warnings = %q", warnings)
	}
	if inv.Facts["os"] != "debian" || inv.PendingReboot {
		t.Errorf("inventory = %+v", inv)
	}
}

func TestScanErrors(t *testing.T) {
	boom := errors.New("connection lost")
	for name, f := range map[string]*fake{
		"head":      new(fake).fail("head", boom, nil),
		"grep":      new(fake).fail("grep", boom, nil).on("head", out("==> /ROOT/var/lib/dpkg/arch <==\namd64\n")),
		"grep exit": new(fake).on("grep", sdk.Result{ExitCode: 2}).on("head", out("==> /ROOT/var/lib/dpkg/arch <==\namd64\n")),
		"apt list exit": new(fake).on("head", out("==> /ROOT/var/lib/dpkg/arch <==\namd64\n")).
			on("list", sdk.Result{Stderr: []byte("E: broken lists"), ExitCode: 100}),
		"bad arch": new(fake).on("head", out("==> /ROOT/var/lib/dpkg/arch <==\nam d64;\n")),
	} {
		if _, _, err := Scan(context.Background(), f, Config{Root: "/ROOT"}, []string{"foo"}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A host that cannot be reached says so first, not which files the
	// provider was after.
	_, _, err := Scan(context.Background(), new(fake).fail("head", boom, nil), Config{Root: "/ROOT"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "connection lost") || !errors.Is(err, boom) {
		t.Errorf("unreachable host: err = %v, want it to lead with the cause", err)
	}
}

func TestAvailable(t *testing.T) {
	pkgs := []pkgState{
		{Name: "libc6", Version: "2.36-9", Arch: "amd64", Abbrev: "ii "},
		{Name: "libc6", Version: "2.36-8", Arch: "i386", Abbrev: "ii "},
		{Name: "tzdata", Version: "2024a-0", Arch: "all", Abbrev: "ii "},
		{Name: "gone", Version: "1", Arch: "all", Abbrev: "rc "},
	}
	cands := []candidate{
		// An apt without ${Architecture} in its list format prints it as is.
		{Name: "tzdata", Arch: "${Architecture}", From: "2024a-0", To: "2024b-0", Archives: []string{"stable-updates"}},
		{Name: "libc6", Arch: "${Architecture}", From: "2.36-9", To: "2.36-10", Archives: []string{"stable"}}, // ambiguous
		{Name: "libc6", Arch: "i386", From: "2.36-8", To: "2.36-10", Archives: []string{"stable"}},
		{Name: "gone", Arch: "all", From: "1", To: "2", Archives: []string{"stable"}}, // not installed
	}
	want := []sdk.Update{
		{ID: "libc6:i386", Name: "libc6", From: "2.36-8", To: "2.36-10", Classification: ClassUpdates, RebootRequired: true},
		{ID: "tzdata", Name: "tzdata", From: "2024a-0", To: "2024b-0", Classification: ClassUpdates},
	}
	if diff := cmp.Diff(want, available(pkgs, cands, nameCounts(pkgs))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBadRoot(t *testing.T) {
	rec := &recorder{r: new(fake)}
	if _, _, err := Scan(context.Background(), rec, Config{Root: "relative/dir"}, nil); err == nil {
		t.Error("Scan of a relative root: no error")
	}
	results, err := Apply(context.Background(), rec, Config{Root: "relative/dir"}, []sdk.Action{{ID: "r", Type: "reboot"}}, nil, nil)
	if err != nil || results[0].Status != sdk.StatusFailed || !strings.Contains(results[0].Message, "not an absolute path") {
		t.Errorf("Apply on a relative root = %+v, %v", results, err)
	}
	if len(rec.argvs()) != 0 {
		t.Errorf("commands ran: %q", rec.argvs())
	}
}

// TestScanJournal: with dpkg journal entries pending, the status file is
// not the whole truth: dpkg-query is asked.
func TestScanJournal(t *testing.T) {
	head := testdata(t, "head.txt") + "\n==> /ROOT/var/lib/dpkg/updates/0000 <==\nPackage: foo\nStatus: install ok unpacked\n"
	rec := &recorder{r: new(fake).
		on("head", out(head)).
		on("grep", out("Package: foo\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n")).
		on("dpkg-query", out("foo\t1.1\tall\tiU \n"))}
	inv, warnings, err := Scan(context.Background(), rec, Config{Root: "/ROOT"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.argvs()
	if diff := cmp.Diff(queryRoot, calls[len(calls)-1]); diff != "" {
		t.Errorf("last call (-want +got):\n%s", diff)
	}
	if len(inv.Installed) != 0 || !slices.Contains(warnings, "foo is not fully installed: 1.1 (unpacked)") {
		t.Errorf("installed %+v, warnings %q", inv.Installed, warnings)
	}
}

func TestGrepStatusEmpty(t *testing.T) {
	// grep exits 1 when nothing matches: an empty database.
	rec := &recorder{r: new(fake).on("grep", sdk.Result{ExitCode: 1}).on("head", out("==> /ROOT/var/lib/dpkg/arch <==\namd64\n"))}
	inv, _, err := Scan(context.Background(), rec, Config{Root: "/ROOT"}, nil)
	if err != nil || len(inv.Installed) != 0 {
		t.Errorf("Scan of an empty root = %+v, %v", inv, err)
	}
}
