package wuhost

import (
	"context"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
	"github.com/tend-sh/tend/providers/windowsupdate"
)

// TestContractChecks: a command that breaks the script contract fails
// with the reason instead of being answered.
func TestContractChecks(t *testing.T) {
	s := &State{}
	scan := winscript.EncodeCommand(windowsupdate.ScanScript.Text())
	argv := func(last ...string) []string {
		return append(append([]string{winscript.Program}, winscript.Flags...), last...)
	}
	for _, tc := range []struct {
		name string
		cmd  sdk.Cmd
		want string
	}{
		{"ok", sdk.Cmd{Argv: argv(scan), Stdin: []byte(`{"server_selection":0,"service_id":""}`)}, ""},
		{"flags", sdk.Cmd{Argv: []string{"powershell.exe", "-Command", "Get-HotFix"}}, "is not"},
		{"other script", sdk.Cmd{Argv: argv(winscript.EncodeCommand("Get-HotFix")), Stdin: []byte(`{}`)}, "none of the windowsupdate provider's scripts"},
		{"unknown parameter", sdk.Cmd{Argv: argv(scan), Stdin: []byte(`{"server":"wsus"}`)}, `unknown field "server"`},
		{"no parameters", sdk.Cmd{Argv: argv(scan)}, "scan parameters: EOF"},
		{"other program", sdk.Cmd{Argv: []string{"wuauclt.exe", "/detectnow"}}, "not replayed"},
	} {
		res, err := s.Run(context.Background(), tc.cmd)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == "" {
			if res.ExitCode != 0 {
				t.Errorf("%s: exit %d: %s", tc.name, res.ExitCode, res.Stderr)
			}
			continue
		}
		if res.ExitCode == 0 || !strings.Contains(string(res.Stderr), tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to contain %q", tc.name, res.ExitCode, res.Stderr, tc.want)
		}
	}
}
