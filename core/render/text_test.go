package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

func TestViewsDoNotChangeThePlan(t *testing.T) {
	p := richPlan()
	var buf bytes.Buffer
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	if err := Text(&buf, p, richWarnings(), TextOptions{Color: true, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&buf, p, richWarnings(), MarkdownOptions{Limit: 2000}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(richPlan(), p); diff != "" {
		t.Errorf("rendering changed the plan (-before +after):\n%s", diff)
	}
}

func TestTextHostileStrings(t *testing.T) {
	p := emptyPlan()
	p.Hosts[0].Errors = []string{"bad\x1b[2Jthing\nsecond line"}
	p.Hosts[0].Skipped = []model.Skipped{{Package: "evil\x1b]0;title\x07", To: "1", Reason: "x"}}
	for _, o := range []TextOptions{{}, {Verbose: true}} {
		var buf bytes.Buffer
		if err := Text(&buf, p, []model.Warning{{Message: "w\r\x1b[1A"}}, o); err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(buf.Bytes(), "\x1b\r\x07") {
			t.Errorf("control characters reached the output:\n%q", buf.String())
		}
		if !strings.Contains(buf.String(), "error: bad\uFFFD[2Jthing second line\n") {
			t.Errorf("error not shown on one line:\n%s", buf.String())
		}
	}
}

func TestTextSummaryLine(t *testing.T) {
	tests := []struct {
		name string
		s    model.Summary
		want string
	}{
		{"changes", model.Summary{Hosts: 3, HostsWithChanges: 2, Deferred: 5, Skipped: 17,
			Actions: map[string]int{"install": 1, "upgrade": 4, "downgrade": 1, "remove": 0, "hold": 0, "reboot": 1}},
			"Plan: 3 hosts, 2 with changes: 1 to install, 4 to upgrade, 1 to downgrade, 1 reboot; 5 deferred, 17 skipped.\n"},
		{"one host", model.Summary{Hosts: 1, HostsWithChanges: 1, Actions: map[string]int{"upgrade": 1, "unhold": 2}},
			"Plan: 1 host, 1 with changes: 1 to upgrade, 2 to unhold.\n"},
		{"up to date", model.Summary{Hosts: 12000}, "No changes. 12,000 hosts up to date.\n"},
		{"waiting", model.Summary{Hosts: 2, Deferred: 1}, "No changes. 2 hosts, nothing to do now; 1 deferred.\n"},
		{"no hosts", model.Summary{}, "No changes. The plan covers no hosts.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, &model.Plan{Summary: tt.s}, nil, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(buf.String(), "\n"+tt.want) {
				t.Errorf("got\n%s\nwant it to end with\n%s", buf.String(), tt.want)
			}
		})
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 9870: "9,870", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}
