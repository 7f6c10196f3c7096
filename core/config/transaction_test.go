package config

import (
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/core/internal/testfile"
)

func TestPolicyTransaction(t *testing.T) {
	cases := map[string]struct{ attrs, deps, removals string }{
		"defaults":    {"", TransactionBlock, TransactionBlock},
		"allow both":  {"dependencies = \"allow\"\nremovals = \"allow\"", TransactionAllow, TransactionAllow},
		"block named": {"dependencies = \"block\"", TransactionBlock, TransactionBlock},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), `host "h" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.h]
  approve {}
`+tc.attrs+`
}
`)
			cfg, diags := Load(dir)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			p := cfg.Policies["p"]
			if p.Dependencies != tc.deps || p.Removals != tc.removals {
				t.Errorf("dependencies = %q, removals = %q; want %q, %q", p.Dependencies, p.Removals, tc.deps, tc.removals)
			}
		})
	}
}
