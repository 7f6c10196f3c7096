package conformance

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance/internal/fakepkg"
)

// fakeT is a tb that records failures instead of failing the real test,
// so the kit's own tests can show that broken providers fail it.
type fakeT struct {
	name     string
	rep      *report
	mu       sync.Mutex
	failed   bool
	cleanups []func()
}

// report collects the failures of a fakeT tree as "subtest: message".
type report struct {
	mu       sync.Mutex
	failures []string
	logs     []string
}

func newFakeT() *fakeT { return &fakeT{rep: &report{}} }

func (f *fakeT) Helper() {}

func (f *fakeT) Logf(format string, args ...any) {
	f.rep.mu.Lock()
	defer f.rep.mu.Unlock()
	f.rep.logs = append(f.rep.logs, f.name+": "+fmt.Sprintf(format, args...))
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.rep.mu.Lock()
	f.rep.failures = append(f.rep.failures, f.name+": "+fmt.Sprintf(format, args...))
	f.rep.mu.Unlock()
	f.mu.Lock()
	f.failed = true
	f.mu.Unlock()
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeT) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// Run runs fn on its own goroutine, as testing does, so Fatalf can end it.
func (f *fakeT) Run(name string, fn func(t tb)) bool {
	sub := &fakeT{name: strings.TrimPrefix(f.name+"/"+name, "/"), rep: f.rep}
	sub.run(fn)
	if sub.Failed() {
		f.mu.Lock()
		f.failed = true
		f.mu.Unlock()
	}
	return !sub.Failed()
}

func (f *fakeT) run(fn func(t tb)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for _, c := range slices.Backward(f.cleanups) {
				c()
			}
		}()
		fn(f)
	}()
	<-done
}

// checkFake runs the kit on tc with a fakeT and returns its report.
func checkFake(tc TestCase) *report {
	root := newFakeT()
	root.run(func(t tb) { check(t, tc) })
	return root.rep
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// testBinary builds internal/testprovider once per test run.
func testBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "tend-conformance-test"); buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, "tend-provider-fakepkg"), "./internal/testprovider").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the test provider: %v", buildErr)
	}
	return filepath.Join(buildDir, "tend-provider-fakepkg")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// goodCase is a test case for the fakepkg binary that a correct provider
// passes, recording through a fresh in-memory host into a temporary
// directory. The binary's bug comes from $FAKEPKG_BUG, set with bug.
func goodCase(t *testing.T, bug string) TestCase {
	t.Setenv(fakepkg.EnvBug, bug)
	return TestCase{
		Binary:   testBinary(t),
		Fixtures: t.TempDir(),
		Record:   fakepkg.NewHost(),
		Pins:     []string{"b"},
		Apply: []ApplyStep{
			{
				Name: "upgrade",
				Actions: []sdk.Action{
					{ID: "h/fakepkg/a", Type: "upgrade", Package: "a", From: "1", To: "3"},
					{ID: "h/fakepkg/c", Type: "install", Package: "c", To: "9"},
				},
				Want: map[string]sdk.Status{"h/fakepkg/a": sdk.StatusSucceeded, "h/fakepkg/c": sdk.StatusFailed},
			},
			{
				Name:    "downgrade",
				Actions: []sdk.Action{{ID: "h/fakepkg/a", Type: "downgrade", Package: "a", From: "3", To: "2"}},
				Want:    map[string]sdk.Status{"h/fakepkg/a": sdk.StatusSucceeded},
			},
		},
	}
}

func TestGoodProviderPasses(t *testing.T) {
	tc := goodCase(t, fakepkg.BugNone)
	tc.Binary = BuildBinary(t, "./internal/testprovider")
	tc.Name = "fakepkg"
	rep := checkFake(tc) // records
	if len(rep.failures) > 0 {
		t.Fatalf("recording: the kit failed a correct provider:\n%s", strings.Join(rep.failures, "\n"))
	}
	if !slices.ContainsFunc(rep.logs, func(l string) bool { return strings.Contains(l, "recorded 9 command runs") }) {
		t.Errorf("logs = %q; want a note of what was recorded", rep.logs)
	}
	tc.Record = nil // replays what was recorded
	if rep := checkFake(tc); len(rep.failures) > 0 {
		t.Fatalf("replaying: the kit failed a correct provider:\n%s", strings.Join(rep.failures, "\n"))
	}
	// The real *testing.T path, too.
	Run(t, tc)
}

// failure is a failure expected in subtest sub, its message containing
// each of msgs.
type failure struct {
	sub  string
	msgs []string
}

// wantFailures asserts that rep has each failure.
func wantFailures(t *testing.T, rep *report, want ...failure) {
	t.Helper()
next:
	for _, w := range want {
		for _, f := range rep.failures {
			name, msg, _ := strings.Cut(f, ": ")
			if name == w.sub && !slices.ContainsFunc(w.msgs, func(m string) bool { return !strings.Contains(msg, m) }) {
				continue next
			}
		}
		t.Errorf("no failure in %q containing %q; failures:\n%s", w.sub, w.msgs, strings.Join(rep.failures, "\n"))
	}
}

func fail(sub string, msgs ...string) failure { return failure{sub, msgs} }

func TestBrokenProvidersFail(t *testing.T) {
	for _, c := range []struct {
		bug  string
		want []failure
	}{
		{fakepkg.BugBadSchema, []failure{
			fail("schema", `version "1.0" is not a semantic version`),
			fail("schema", `attribute "mirror" is declared twice`),
			fail("schema", `attribute "mirror" has type "map(string)"`),
			fail("schema", `action type "patch" is not one tend plans`),
		}},
		{fakepkg.BugNondeterministic, []failure{fail("scan", "two scans of the same host state differ", `"scan"`)}},
		{fakepkg.BugBadInventory, []failure{
			fail("scan", `installed[2] (id "d") needs a name and a version`),
			fail("scan", "update e from 4 to 5: no installed item e at version 4"),
			fail("scan", "update a to 3 is listed twice"),
			fail("scan", `versions lists "zzz", which is not among the requested pins`),
		}},
		{fakepkg.BugWrongID, []failure{fail("apply/upgrade", `action "h/fakepkg/a": status failed, want succeeded`, "no result for this action")}},
		{fakepkg.BugSilentFailure, []failure{fail("apply/upgrade", `action "h/fakepkg/c" is failed without a message`)}},
		{fakepkg.BugIgnoreErrors, []failure{
			fail("apply_errors", `every command failed, yet action "h/fakepkg/a" is reported succeeded`),
			fail("scan_errors/runner_error", "returns an error (the command could not be run), yet Scan returned no error"),
			fail("scan_errors/exit_status", "every command exits 1, yet Scan returned no error"),
		}},
		{fakepkg.BugCrashOnScanError, []failure{
			fail("scan_errors/runner_error", "the provider process exited after a scan whose every command returns an error"),
			fail("", "the provider process exited during the scan_errors check; the remaining checks are skipped"),
		}},
		{fakepkg.BugUnknownScheme, []failure{
			fail("schema", "GetSchema", `unknown version scheme "semvr": tend knows debian, semver, dotted, winget, fwupd, opaque`),
			fail("scan", "scan 1 of 2", `unknown version scheme "semvr"`),
		}},
		{fakepkg.BugOtherScheme, []failure{fail("scan", "scan 1 of 2", `the scan reports version scheme "semver", but the schema of provider "fakepkg" declares "dotted"`)}},
		{fakepkg.BugCrashOnCancel, []failure{
			fail("cancel", "the provider process exited after a cancelled Apply"),
			fail("", "the provider process exited during the cancel check; the remaining checks are skipped"),
		}},
	} {
		t.Run(c.bug, func(t *testing.T) {
			wantFailures(t, checkFake(goodCase(t, c.bug)), c.want...)
		})
	}
}

func TestWrongName(t *testing.T) {
	tc := goodCase(t, fakepkg.BugNone)
	tc.Name = "otherpkg"
	wantFailures(t, checkFake(tc), fail("schema", `the provider says it is "fakepkg", but tend knows it as "otherpkg"`))
}

func TestNotAProvider(t *testing.T) {
	tc := goodCase(t, fakepkg.BugNone)
	tc.Binary = "/bin/true"
	rep := checkFake(tc)
	wantFailures(t, rep,
		fail("handshake", "started by hand (without tend's handshake cookie) it exited 0"),
		fail("handshake", "does not start through tend's loader"))
}

func TestBadTestCases(t *testing.T) {
	for name, mutate := range map[string]func(*TestCase){
		"no binary":     func(tc *TestCase) { tc.Binary = "" },
		"no fixtures":   func(tc *TestCase) { tc.Fixtures = "" },
		"want missing":  func(tc *TestCase) { delete(tc.Apply[0].Want, "h/fakepkg/c") },
		"want unknown":  func(tc *TestCase) { tc.Apply[0].Want["x"] = sdk.StatusFailed },
		"bad status":    func(tc *TestCase) { tc.Apply[0].Want["h/fakepkg/c"] = "ok" },
		"step name":     func(tc *TestCase) { tc.Apply[1].Name = tc.Apply[0].Name },
		"placeholder":   func(tc *TestCase) { tc.Placeholders = map[string]string{"A B": "x"} },
		"duplicate ids": func(tc *TestCase) { tc.Apply[1].Actions = append(tc.Apply[1].Actions, tc.Apply[1].Actions[0]) },
	} {
		tc := goodCase(t, fakepkg.BugNone)
		mutate(&tc)
		rep := checkFake(tc)
		if len(rep.failures) != 1 || !strings.Contains(rep.failures[0], "invalid TestCase") {
			t.Errorf("%s: failures = %q; want one about the invalid TestCase", name, rep.failures)
		}
	}
}

func TestReplayMisses(t *testing.T) {
	tc := goodCase(t, fakepkg.BugNone)
	tc.Record = nil
	rep := checkFake(tc)
	if len(rep.failures) != 1 || !strings.Contains(rep.failures[0], "no fixtures") || !strings.Contains(rep.failures[0], EnvRecord+"=1") {
		t.Errorf("empty fixtures dir: failures = %q", rep.failures)
	}

	tc = goodCase(t, fakepkg.BugNone)
	checkFake(tc) // record with pins [b]
	tc.Record = nil
	tc.Pins = []string{"a"}
	wantFailures(t, checkFake(tc), fail("scan", "not in the fixtures", `["pkg" "versions" "a"]`))
}
