package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

// secret stands for what must never reach a diagnostic: the content of a
// file outside the configuration directory.
const secret = "TEND_TEST_SECRET=hunter2"

// hostileDir builds a configuration directory inside a temporary directory
// that also holds outside/secret.txt, a file the configuration must not read.
func hostileDir(t *testing.T, files map[string]string) (dir, outside string) {
	t.Helper()
	tmp := t.TempDir()
	outside = filepath.Join(tmp, "outside")
	dir = filepath.Join(tmp, "config")
	for _, d := range []string{outside, dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Invalid as HCL and as JSON, so a parser that read it would quote it.
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret+"\n{\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, outside
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// loadBounded runs Load, failing the test instead of hanging forever when a
// read blocks (a FIFO) or runs away (/dev/zero).
func loadBounded(t *testing.T, dir string) (*Config, hcl.Diagnostics) {
	t.Helper()
	type result struct {
		cfg   *Config
		diags hcl.Diagnostics
	}
	done := make(chan result, 1)
	go func() {
		cfg, diags := Load(dir)
		done <- result{cfg, diags}
	}()
	select {
	case r := <-done:
		return r.cfg, r.diags
	case <-time.After(2 * time.Minute):
		t.Fatal("Load did not return within two minutes (a blocking or unbounded read)")
		return nil, nil
	}
}

const hostsBlock = "hosts \"fleet\" {\n  file = \"hosts.json\"\n}\n"

func TestLoadConfinement(t *testing.T) {
	cases := map[string]struct {
		setup func(t *testing.T, dir, outside string)
		want  string // in the rendered diagnostics
	}{
		"hosts file is a symlink out of the directory": {
			setup: func(t *testing.T, dir, outside string) {
				symlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(dir, "hosts.json"))
			},
			want: "main.tend.hcl:2:10: error: Host list outside the configuration directory",
		},
		"hosts file is a relative symlink climbing out": {
			setup: func(t *testing.T, dir, outside string) {
				symlink(t, "../outside/secret.txt", filepath.Join(dir, "hosts.json"))
			},
			want: "Host list outside the configuration directory",
		},
		"hosts file is a directory": {
			setup: func(t *testing.T, dir, _ string) {
				if err := os.Mkdir(filepath.Join(dir, "hosts.json"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			want: "main.tend.hcl:2:10: error: Cannot read host list: hosts.json is not a regular file",
		},
		"hosts file is a FIFO": {
			setup: func(t *testing.T, dir, _ string) {
				if err := syscall.Mkfifo(filepath.Join(dir, "hosts.json"), 0o644); err != nil {
					t.Skip("no FIFOs here:", err)
				}
			},
			want: "hosts.json is not a regular file",
		},
		"hosts file is a symlink to /dev/zero": {
			setup: func(t *testing.T, dir, _ string) {
				symlink(t, "/dev/zero", filepath.Join(dir, "hosts.json"))
			},
			want: "Host list outside the configuration directory",
		},
		"hosts file is too large": {
			setup: func(t *testing.T, dir, _ string) {
				f, err := os.Create(filepath.Join(dir, "hosts.json"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if err := f.Truncate(MaxHostListSize + 1); err != nil { // sparse: no disk used
					t.Fatal(err)
				}
			},
			want: "Host list too large",
		},
		"a configuration file is a symlink out of the directory": {
			setup: func(t *testing.T, dir, outside string) {
				symlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(dir, "leak.tend.hcl"))
				writeFile(t, filepath.Join(dir, "hosts.json"), "[]")
			},
			want: "leak.tend.hcl:1:1: error: Configuration file outside the configuration directory",
		},
		"a configuration file in a subdirectory links to /etc/shadow": {
			setup: func(t *testing.T, dir, _ string) {
				if err := os.MkdirAll(filepath.Join(dir, "clients"), 0o755); err != nil {
					t.Fatal(err)
				}
				symlink(t, "/etc/shadow", filepath.Join(dir, "clients", "acme.tend.hcl"))
				writeFile(t, filepath.Join(dir, "hosts.json"), "[]")
			},
			want: "acme.tend.hcl:1:1: error: Configuration file outside the configuration directory",
		},
		"a configuration file is a FIFO": {
			setup: func(t *testing.T, dir, _ string) {
				if err := syscall.Mkfifo(filepath.Join(dir, "pipe.tend.hcl"), 0o644); err != nil {
					t.Skip("no FIFOs here:", err)
				}
				writeFile(t, filepath.Join(dir, "hosts.json"), "[]")
			},
			want: "pipe.tend.hcl:1:1: error: Cannot read configuration file: pipe.tend.hcl is not a regular file but a FIFO",
		},
		"a configuration file is too large": {
			setup: func(t *testing.T, dir, _ string) {
				writeFile(t, filepath.Join(dir, "hosts.json"), "[]")
				writeFile(t, filepath.Join(dir, "big.tend.hcl"), "# big\n"+strings.Repeat(" ", MaxFileSize))
			},
			want: "big.tend.hcl:1:1: error: Configuration file too large",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir, outside := hostileDir(t, map[string]string{"main.tend.hcl": hostsBlock})
			tc.setup(t, dir, outside)
			cfg, diags := loadBounded(t, dir)
			var buf bytes.Buffer
			var sources map[string][]byte
			if cfg != nil {
				sources = cfg.Sources
			}
			if err := diagnostics.Write(&buf, diags, sources); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if !diags.HasErrors() || !strings.Contains(out, tc.want) {
				t.Errorf("diagnostics:\n%s\nwant an error containing %q", out, tc.want)
			}
			if strings.Contains(out, "hunter2") || strings.Contains(out, "root:") {
				t.Errorf("diagnostics quote a file outside the configuration directory:\n%s", out)
			}
			for p := range sources {
				if rel, err := filepath.Rel(dir, p); err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("Sources holds %s, outside %s", p, dir)
				}
			}
		})
	}
}

// TestLoadSymlinksInside: links that stay inside the directory are fine,
// for host lists and configuration files alike.
func TestLoadSymlinksInside(t *testing.T) {
	dir, _ := hostileDir(t, map[string]string{
		"main.tend.hcl":    hostsBlock,
		"shared/list.json": `[{"name": "web_1", "address": "10.0.0.5"}]`,
		"shared/w.hcl":     "window \"w\" {\n  schedule = \"0 22 * * SAT\"\n  duration = \"6h\"\n}\n",
	})
	symlink(t, "shared/list.json", filepath.Join(dir, "hosts.json"))
	symlink(t, "shared/w.hcl", filepath.Join(dir, "windows.tend.hcl"))
	cfg, diags := loadBounded(t, dir)
	if diags.HasErrors() {
		var buf bytes.Buffer
		_ = diagnostics.Write(&buf, diags, cfg.Sources)
		t.Fatalf("unexpected errors:\n%s", buf.String())
	}
	if cfg.Hosts["web_1"] == nil || cfg.Windows["w"] == nil {
		t.Errorf("hosts %v windows %v", cfg.Hosts, cfg.Windows)
	}
}

// TestDeepNestingIsADiagnostic: ~200 KB of nested brackets used to overflow
// the HCL parser's stack, a fatal error no recover() catches.
func TestDeepNestingIsADiagnostic(t *testing.T) {
	for name, src := range map[string]string{
		"brackets":  "host \"a\" {\n  labels = " + strings.Repeat("[", 200_000) + "\n}\n",
		"blocks":    strings.Repeat("b {\n", 100_000),
		"unary":     "tend {\n  reports_branch = " + strings.Repeat("!", 200_000) + "true\n}\n",
		"binary":    "tend {\n  reports_branch = 1" + strings.Repeat("+1", 200_000) + "\n}\n",
		"ternary":   "tend {\n  reports_branch = " + strings.Repeat("true ? 1 : ", 50_000) + "2\n}\n",
		"templates": "tend {\n  reports_branch = " + strings.Repeat(`"${`, 100_000) + "\n}\n",
		"index":     "tend {\n  reports_branch = x" + strings.Repeat("[0]", 70_000) + "\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := LoadSources("d", map[string][]byte{"d/deep.tend.hcl": []byte(src)}, os.ReadFile)
			if len(diags) != 1 || diags[0].Summary != "Configuration nested too deeply" || diags[0].Subject == nil {
				t.Fatalf("diagnostics = %v; want one \"Configuration nested too deeply\" with a position", diags)
			}
			if r := diags[0].Subject; r.Filename != "d/deep.tend.hcl" || r.Start.Line < 1 {
				t.Errorf("subject = %+v", r)
			} else if c := src[r.Start.Byte]; !strings.ContainsRune(`[{(!+?b"$`, rune(c)) {
				t.Errorf("subject at %q, not at the token that nests too deep", c)
			}
			var buf bytes.Buffer
			_ = diagnostics.Write(&buf, diags, map[string][]byte{"d/deep.tend.hcl": []byte(src)})
			for _, line := range strings.Split(buf.String(), "\n")[1:] {
				if n := utf8.RuneCountInString(line); n > diagnostics.SnippetWidth+20 {
					t.Errorf("a snippet line of %d characters: %.80s…", n, line)
				}
			}
			if !strings.Contains(buf.String(), "^") {
				t.Errorf("no caret in\n%s", buf.String())
			}
			if _, diags := Format("deep.tend.hcl", []byte(src)); !diags.HasErrors() {
				t.Error("Format accepted it")
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
