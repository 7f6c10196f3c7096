package diagnostics

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/config"
)

func TestWrite(t *testing.T) {
	src := []byte("window \"w\" {\n\tschedule = \"0 25 * * SAT\"\n  duration = \"6h\"\n}\n")
	_, diags := config.LoadSources(".", map[string][]byte{"w.tend.hcl": src}, os.ReadFile)
	var buf bytes.Buffer
	if err := Write(&buf, diags, map[string][]byte{"w.tend.hcl": src}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	lines := strings.Split(got, "\n")
	if !strings.HasPrefix(lines[0], "w.tend.hcl:2:13: error: Invalid cron schedule: ") {
		t.Errorf("first line = %q", lines[0])
	}
	if lines[1] != "  2 | \tschedule = \"0 25 * * SAT\"" || lines[2] != "    | \t           ^^^^^^^^^^^^^^" {
		t.Errorf("snippet =\n%s\n%s", lines[1], lines[2])
	}
}

func TestLine(t *testing.T) {
	at := &hcl.Range{Filename: "/state/config/clients/lab.tend.hcl", Start: hcl.Pos{Line: 3, Column: 1}}
	tests := []struct {
		name string
		diag *hcl.Diagnostic
		dir  string
		want string
	}{
		{"inside dir", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unclosed configuration block", Subject: at},
			"/state/config", "clients/lab.tend.hcl:3:1: error: Unclosed configuration block"},
		{"outside dir", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unclosed configuration block", Subject: at},
			"/elsewhere", "/state/config/clients/lab.tend.hcl:3:1: error: Unclosed configuration block"},
		{"no dir", &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Expired exclusion", Detail: "ends 2026-01-31", Subject: at},
			"", "/state/config/clients/lab.tend.hcl:3:1: warning: Expired exclusion: ends 2026-01-31"},
		{"no position", &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No configuration files", Detail: "none under ."},
			"/state/config", "error: No configuration files: none under ."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.diag, tt.dir); got != tt.want {
				t.Errorf("Line = %q, want %q", got, tt.want)
			}
		})
	}
}
