package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as a configuration file (and
// as the host list it may name). It must never panic, and every error must
// carry a position or explain itself.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.tend.hcl")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b, []byte(`[{"name": "web_2", "address": "10.0.0.6"}]`))
		}
	}
	f.Add([]byte(`hosts "x" { file = "h.json" }`), []byte(`[{"name": "a"}, {"name":`))
	f.Add([]byte(`policy "p" { provider = "apt" targets = [host.a] rollout { ring "r" { percent = 1e400 } } }`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, src, hostList []byte) {
		read := func(string) ([]byte, error) {
			if hostList == nil {
				return nil, errors.New("no such file")
			}
			return hostList, nil
		}
		cfg, diags := LoadSources("fuzz", map[string][]byte{"fuzz/f.tend.hcl": src}, read)
		var buf bytes.Buffer
		if err := WriteDiagnostics(&buf, diags, cfg.Sources); err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if d.Summary == "" {
				t.Fatalf("diagnostic without summary: %+v", d)
			}
		}
	})
}
