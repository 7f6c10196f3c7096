package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/render/diagnostics"
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
		if err := diagnostics.Write(&buf, diags, cfg.Sources); err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if d.Summary == "" {
				t.Fatalf("diagnostic without summary: %+v", d)
			}
		}
	})
}

// FuzzHostList feeds arbitrary bytes to the host list reader, as the file
// of a hosts block. It must never panic, every error must point into the
// host list or at the block, and only files of the configuration may be
// kept as sources.
func FuzzHostList(f *testing.F) {
	if b, err := os.ReadFile("testdata/valid/hosts.json"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		`[]`,
		`[{"name": "web_1", "address": "10.0.0.5", "transport": "ssh", "labels": {"client": "acme"}}]`,
		"[\n  {\"name\": \"a\"},\n  {\"name\": \"9b\"}\n]",
		`[{"name": "a", "adress": "x"}]`,
		`[{"name": "w\u0435b_1"}, {"name": "web_1\u200b"}, {"name": "a", "labels": {"k": "v\u200d"}}]`,
		`[{"name": "a", "labels": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]`,
		`{"name": "not an array"}`,
		`[{"name": "a"}, {"name":`,
		"[\"\\\"{[{[\"]",
		"\xff\xfe[]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const block = "hosts \"fleet\" {\n  file = \"hosts.json\"\n}\n"
		read := func(p string) ([]byte, error) {
			if p != filepath.Join("fuzz", "hosts.json") {
				return nil, errors.New("unexpected read of " + p)
			}
			return data, nil
		}
		cfg, diags := LoadSources("fuzz", map[string][]byte{"fuzz/f.tend.hcl": []byte(block)}, read)
		var buf bytes.Buffer
		if err := diagnostics.Write(&buf, diags, cfg.Sources); err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if d.Summary == "" || d.Severity == hcl.DiagError && d.Subject == nil {
				t.Fatalf("diagnostic without summary or position: %+v", d)
			}
			if d.Subject != nil && d.Subject.Filename != "fuzz/hosts.json" && d.Subject.Filename != "fuzz/f.tend.hcl" {
				t.Fatalf("diagnostic in %s", d.Subject.Filename)
			}
		}
		for p := range cfg.Sources {
			if !strings.HasPrefix(p, "fuzz/") {
				t.Fatalf("source %s outside the configuration", p)
			}
		}
		for name, h := range cfg.Hosts {
			if nameProblem(name) != "" || h.List != "fleet" {
				t.Fatalf("host %+q accepted from the list: %+v", name, h)
			}
		}
	})
}
