package config

import (
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/core/internal/testfile"
)

// TestSSHShell: an ssh block's shell, posix unless it says otherwise, for
// host blocks and host lists alike.
func TestSSHShell(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "hosts.tend.hcl"), `
host "linux_1" {
  address = "10.0.0.5"
  ssh { user = "tend" }
}
host "win_cmd" {
  address = "10.0.0.7"
  ssh { shell = "cmd" }
}
hosts "win" {
  file = "win.json"
  ssh { shell = "powershell" }
}
`)
	testfile.Write(t, filepath.Join(dir, "win.json"), `[{"name": "win_ps", "address": "10.0.0.9"}]`)
	cfg, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for host, want := range map[string]string{"linux_1": ShellPOSIX, "win_cmd": ShellCmd, "win_ps": ShellPowerShell} {
		if h := cfg.Hosts[host]; h == nil || h.SSH == nil || h.SSH.Shell != want {
			t.Errorf("%s: ssh %+v, want shell %q", host, h.SSH, want)
		}
	}
}
