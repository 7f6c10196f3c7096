package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/NAME.golden, or rewrites that file with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		render func(w *bytes.Buffer) error
	}{
		{"json_rich", func(w *bytes.Buffer) error { return JSON(w, richPlan()) }},
		{"json_empty", func(w *bytes.Buffer) error { return JSON(w, emptyPlan()) }},
		{"text_rich", func(w *bytes.Buffer) error {
			return Text(w, richPlan(), richWarnings(), TextOptions{})
		}},
		{"text_rich_color", func(w *bytes.Buffer) error {
			return Text(w, richPlan(), richWarnings(), TextOptions{Color: true})
		}},
		{"text_rich_verbose", func(w *bytes.Buffer) error {
			return Text(w, richPlan(), richWarnings(), TextOptions{Verbose: true})
		}},
		{"text_empty", func(w *bytes.Buffer) error { return Text(w, emptyPlan(), nil, TextOptions{}) }},
		{"md_rich", func(w *bytes.Buffer) error {
			return Markdown(w, richPlan(), richWarnings(), MarkdownOptions{})
		}},
		{"md_rich_truncated", func(w *bytes.Buffer) error {
			return Markdown(w, richPlan(), richWarnings(), MarkdownOptions{
				Title: "tend plan: acme", Limit: 3000, Artifact: "plan.json artifact of this CI run",
			})
		}},
		{"md_empty", func(w *bytes.Buffer) error { return Markdown(w, emptyPlan(), nil, MarkdownOptions{}) }},
		{"text_delta", func(w *bytes.Buffer) error {
			return DeltaText(w, plandiff.Diff(basePlan(), richPlan()), "origin/main (9f2c1ab)", TextOptions{})
		}},
		{"text_delta_none", func(w *bytes.Buffer) error {
			return DeltaText(w, plandiff.Diff(richPlan(), richPlan()), "origin/main (9f2c1ab)", TextOptions{})
		}},
		{"md_clients", func(w *bytes.Buffer) error {
			return Markdown(w, richPlan(), nil, MarkdownOptions{Clients: map[string]string{"web_1": "acme", "web_2": "acme", "win_1": "globex"}})
		}},
		{"md_delta", func(w *bytes.Buffer) error {
			return Markdown(w, richPlan(), nil, MarkdownOptions{Base: plandiff.Diff(basePlan(), richPlan()), BaseLabel: "origin/main (9f2c1ab)"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.render(&buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tt.name, "color") && bytes.Contains(buf.Bytes(), []byte("\x1b")) {
				t.Error("ANSI escape in output without colour")
			}
			golden(t, tt.name, buf.Bytes())

			var again bytes.Buffer
			if err := tt.render(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("output differs between two runs")
			}
		})
	}
}

// basePlan is richPlan as the base configuration planned it: the first
// host with actions lacked its first one, and the last host was not
// targeted.
func basePlan() *model.Plan {
	p := richPlan()
	for i := range p.Hosts {
		if len(p.Hosts[i].Actions) > 0 {
			p.Hosts[i].Actions = p.Hosts[i].Actions[1:]
			break
		}
	}
	p.Hosts = p.Hosts[:len(p.Hosts)-1]
	return p
}
