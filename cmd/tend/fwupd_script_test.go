package main

import (
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/fwupd/fwupdtest"
)

// TestScriptFwupd runs the scenarios in testdata/fwupd/*.txtar against the
// real fwupd provider, built into $TEND_PLUGIN_DIR, and a real fwupd: each
// scenario starts its own (fwupdtest: a private system D-Bus, the test
// plugin's webcam at 1.2.2 and a directory remote with release 1.2.4,
// urgency high), which tend's local transport reaches through the
// environment, and stops it at the end.
func TestScriptFwupd(t *testing.T) {
	if err := fwupdtest.Available(); err != nil {
		t.Skip("no real fwupd here: ", err)
	}
	plugins := loadertest.Install(t, "fwupd", "github.com/tend-sh/tend/providers/fwupd/cmd/tend-provider-fwupd")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/fwupd",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TEND_PLUGIN_DIR", plugins)
			env.Setenv("NO_COLOR", "")
			lab, err := fwupdtest.Start(t.TempDir(), fwupdtest.Options{Releases: []fwupdtest.Release{
				{Version: "1.2.4", Urgency: "high", Created: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
			}})
			if err != nil {
				return err
			}
			env.Defer(lab.Stop)
			for _, kv := range lab.Env {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exitcode": exitCodeCmd},
	})
}
