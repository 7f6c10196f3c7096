package conformance

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestCase describes one provider under test and what it should do with
// the recorded fixtures.
type TestCase struct {
	// Binary is the provider executable to test, launched as tend launches
	// providers (BuildBinary builds one from a main package).
	Binary string
	// Name is the name tend knows the provider by (tend-provider-NAME);
	// when set, the schema must report it. Default: taken from Binary's
	// file name when that starts with tend-provider-.
	Name string
	// Config is the provider block's attributes, as decoded JSON values
	// (string, bool, float64, []any).
	Config map[string]any
	// Fixtures is the directory of recorded commands (see Recorder) the
	// provider's commands are answered from; nothing runs for real.
	Fixtures string
	// Placeholders maps a name to a value that differs between runs, such
	// as a temporary directory in Config: the fixtures hold ${NAME} in its
	// place, in commands and in output, and replay puts this run's value
	// back. Values should be long enough not to occur by chance.
	Placeholders map[string]string
	// Record, when set, runs the scans and apply steps through this Runner
	// and records them into Fixtures (emptied first) instead of replaying;
	// the checks that need no real commands then replay what was recorded.
	// RecordLocally returns a local runner when TEND_CONFORMANCE_RECORD=1.
	Record sdk.Runner
	// Host is the host name passed in requests (default "conformance").
	Host string
	// Pins are passed to Scan; the inventory may list offered versions
	// for them, and only for them.
	Pins []string
	// ValidPins and InvalidPins are pins ValidateConfig (tend validate)
	// must accept and refuse, for a provider that implements
	// sdk.ConfigValidator; give each an ID.
	ValidPins, InvalidPins []sdk.Pin
	// Resolve lists transactions to resolve after the scans, before the
	// apply steps, for a provider that implements sdk.Resolver; empty
	// resolves the first apply step's actions, checking only that the
	// answer is sane.
	Resolve []ResolveStep
	// Apply lists action sets applied in order after the scans, each
	// against the state the previous ones left in the fixtures. For a
	// provider that resolves, each step is resolved first and applied with
	// that transaction as ApplyRequest.Expected, as tend does.
	Apply []ApplyStep
}

// ApplyStep is one Apply call and the status expected for each action.
type ApplyStep struct {
	Name    string
	Actions []sdk.Action
	// Want maps every action id to its expected status (sdk.Status*).
	Want map[string]sdk.Status
}

// rpcTimeout bounds every call to the provider, so a hung provider fails
// the test instead of hanging it.
const rpcTimeout = 60 * time.Second

// Run checks the provider described by tc, each check a subtest:
//
//   - handshake: the provider starts through tend's loader (go-plugin
//     handshake, protocol 1, checksum), and a binary started by hand exits
//     with a note instead of hanging;
//   - schema: name, x.y.z version, attribute and action types, a version
//     scheme tend knows (or none, which is debian);
//   - configure: tc.Config is accepted, an unknown attribute is refused;
//   - validate_config: when the provider has ValidateConfig, tc.Config and
//     ValidPins pass, an unknown attribute and each of InvalidPins do not;
//   - scan: two scans give identical inventories, and the inventory is
//     sane, in the version scheme the schema declares;
//   - resolve/NAME: when the provider has Resolve, each resolve step:
//     every change of a known kind, versions that fit it (an upgrade goes
//     up), each package once, RequiredBy naming only planned packages,
//     the wanted transaction or error when the step says; and a scan
//     after the steps equals the scan before (Resolve is read-only);
//   - apply/NAME: each step in order: one result per action, each with
//     the wanted status, and progress only about those actions;
//   - cancel: Apply cancelled after the first progress event returns
//     within 10s and claims no success it did not earn;
//   - stale_expected: when the provider has Resolve, the first apply
//     step applied with an Expected transaction that is not what the
//     provider resolves fails every action and changes nothing;
//   - apply_errors: when every command fails, no action succeeds;
//   - scan_errors: when every command fails (or exits non-zero), Scan
//     returns an error, and the provider process survives.
//
// On failure the provider's log is printed.
func Run(t *testing.T, tc TestCase) {
	t.Helper()
	check(testingT{t}, tc)
}

// check is Run for any tb.
func check(t tb, tc TestCase) {
	t.Helper()
	if err := tc.prepare(); err != nil {
		t.Fatalf("conformance: invalid TestCase: %v", err)
	}
	var p *launched
	if !t.Run("handshake", func(t tb) { p = checkHandshake(t, &tc) }) || p == nil {
		return
	}
	t.Cleanup(func() {
		p.Close()
		if t.Failed() {
			t.Logf("the provider's log (last lines):\n%s", p.logs.tail(60))
		}
	})
	t.Run("schema", func(t tb) { checkSchema(t, p, &tc) })
	if !t.Run("configure", func(t tb) { checkConfigure(t, p, &tc) }) {
		return
	}
	t.Run("validate_config", func(t tb) { checkValidateConfig(t, p, &tc) })

	runner, done, err := tc.mainRunner()
	if err != nil {
		t.Fatalf("conformance: %v", err)
	}
	var scanned *sdk.Inventory
	if !runChecks(t, p, []namedCheck{
		{"scan", func(t tb) { scanned = checkScan(t, p, &tc, runner) }},
		{"resolve", func(t tb) { checkResolve(t, p, &tc, runner, scanned) }},
		{"apply", func(t tb) { checkApplySteps(t, p, &tc, runner) }},
	}) {
		return
	}
	done(t)
	runChecks(t, p, []namedCheck{
		{"cancel", func(t tb) { checkCancel(t, p, &tc) }},
		{"stale_expected", func(t tb) { checkStaleExpected(t, p, &tc) }},
		{"apply_errors", func(t tb) { checkApplyErrors(t, p, &tc) }},
		{"scan_errors", func(t tb) { checkScanErrors(t, p, &tc) }},
	})
}

// namedCheck is one subtest.
type namedCheck struct {
	name string
	f    func(t tb)
}

// runChecks runs checks in order as subtests; it stops, returning false,
// when the provider process has died.
func runChecks(t tb, p *launched, checks []namedCheck) bool {
	t.Helper()
	for _, c := range checks {
		if !t.Run(c.name, c.f) && p.Exited() {
			t.Errorf("the provider process exited during the %s check; the remaining checks are skipped", c.name)
			return false
		}
	}
	return true
}

// prepare fills in defaults and checks the test case itself.
func (tc *TestCase) prepare() error {
	if tc.Binary == "" {
		return fmt.Errorf("the Binary field is required: the provider executable (see BuildBinary)")
	}
	if tc.Fixtures == "" {
		return fmt.Errorf("the Fixtures field is required: the directory of recorded commands")
	}
	if tc.Host == "" {
		tc.Host = "conformance"
	}
	if tc.Name == "" {
		tc.Name, _ = strings.CutPrefix(filepath.Base(tc.Binary), loader.BinaryPrefix)
		if tc.Name == filepath.Base(tc.Binary) {
			tc.Name = ""
		}
	}
	if _, err := newPlaceholders(tc.Placeholders); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, s := range tc.Apply {
		if s.Name == "" || strings.Contains(s.Name, "/") || names[s.Name] {
			return fmt.Errorf("step Apply[%d]: every step needs a unique name without /, got %q", i, s.Name)
		}
		names[s.Name] = true
		ids := map[string]bool{}
		for _, a := range s.Actions {
			if a.ID == "" || ids[a.ID] {
				return fmt.Errorf("apply step %q: action ids must be unique and non-empty, got %q", s.Name, a.ID)
			}
			ids[a.ID] = true
			if _, ok := s.Want[a.ID]; !ok {
				return fmt.Errorf("apply step %q: Want has no status for action %q", s.Name, a.ID)
			}
		}
		for id, st := range s.Want {
			if !ids[id] {
				return fmt.Errorf("apply step %q: Want names %q, which is not one of its actions", s.Name, id)
			}
			if !validStatus(st) {
				return fmt.Errorf("apply step %q: Want[%q] = %q is not a status", s.Name, id, st)
			}
		}
	}
	names = map[string]bool{}
	for i, s := range tc.Resolve {
		if s.Name == "" || strings.Contains(s.Name, "/") || names[s.Name] {
			return fmt.Errorf("step Resolve[%d]: every step needs a unique name without /, got %q", i, s.Name)
		}
		names[s.Name] = true
	}
	return nil
}

// mainRunner returns the runner of the scans and apply steps: a Recorder
// when recording, else a Replayer; done reports what was recorded, or the
// commands the fixtures lacked.
func (tc *TestCase) mainRunner() (sdk.Runner, func(tb), error) {
	if tc.Record != nil {
		rec, err := NewRecorder(tc.Record, tc.Fixtures, tc.Placeholders)
		if err != nil {
			return nil, nil, err
		}
		return rec, func(t tb) {
			t.Logf("conformance: recorded %d command runs into %s; review and commit them", rec.recorded(), tc.Fixtures)
		}, nil
	}
	rp, err := tc.replay()
	if err != nil {
		return nil, nil, err
	}
	return rp, func(tb) {}, nil
}

// replay returns a fresh Replayer over tc's fixtures.
func (tc *TestCase) replay() (*Replayer, error) {
	rp, err := Replay(tc.Fixtures, tc.Placeholders)
	if err != nil {
		return nil, fmt.Errorf("%w (record them with TestCase.Record set, e.g. %s=1 go test -run YourConformanceTest)", err, EnvRecord)
	}
	return rp, nil
}

// reportMisses fails t when the provider asked for commands the fixtures
// do not have.
func reportMisses(t tb, r sdk.Runner) {
	t.Helper()
	rp, ok := r.(*Replayer)
	if !ok {
		return
	}
	if m := rp.takeMisses(); len(m) > 0 {
		t.Errorf("the provider ran commands that are not in the fixtures (record them again with TestCase.Record set):\n  %s", strings.Join(m, "\n  "))
	}
}

func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), rpcTimeout)
}

func validStatus(s sdk.Status) bool {
	switch s {
	case sdk.StatusSucceeded, sdk.StatusFailed, sdk.StatusSkipped, sdk.StatusInterrupted:
		return true
	}
	return false
}
