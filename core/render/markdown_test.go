package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

// checkMarkdown asserts what must hold for any Markdown output.
func checkMarkdown(t *testing.T, out string, limit int) {
	t.Helper()
	if len(out) > limit {
		t.Errorf("output is %d bytes, over the limit of %d", len(out), limit)
	}
	if !utf8.ValidString(out) {
		t.Error("output is not valid UTF-8")
	}
	open, closed := strings.Count(out, "<details>"), strings.Count(out, "</details>")
	if open != closed {
		t.Errorf("%d <details> but %d </details>", open, closed)
	}
}

func TestMarkdownHugeFleet(t *testing.T) {
	p := bigPlan(10000, 30)
	var buf bytes.Buffer
	if err := Markdown(&buf, p, nil, MarkdownOptions{Artifact: "plan.json artifact of this CI run"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkMarkdown(t, out, MaxMarkdown)
	shown := strings.Count(out, "<details>")
	if shown == 0 {
		t.Fatal("no host shown")
	}
	if next := hostBlock(&p.Hosts[shown]); len(out)+len(next) < MaxMarkdown {
		t.Errorf("output is %d bytes, yet the next host (%d bytes) would have fit", len(out), len(next))
	}
	footer := fmt.Sprintf("_… %s more hosts not shown (%s with changes). The full plan is in the plan.json artifact of this CI run._\n",
		commas(10000-shown), commas(10000-shown))
	if !strings.HasSuffix(out, footer) {
		t.Errorf("output does not end with the truncation footer %q:\n%s", footer, out[len(out)-300:])
	}
	for _, want := range []string{
		"# tend plan\n",
		"**Plan:** 10,000 hosts, 10,000 with changes: 300,000 to upgrade; 10,000 deferred, 10,000 skipped.",
		"| policy_0 | canary | 834 | 834 | 0 | 25,020 | 0 | 0 | 834 | 834 |",
		"| upgrade | package-00 | 1.0-1\\~deb12u2 | security | CVE-2026-0000 | 2,000 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestMarkdownHugeTables(t *testing.T) {
	// A policy per host: the policy table alone is far over the budget.
	p := bigPlan(5000, 2)
	var warnings []model.Warning
	for i := range p.Hosts {
		p.Hosts[i].Policy = fmt.Sprintf("policy_%04d", i)
		warnings = append(warnings, model.Warning{Message: strings.Repeat("long warning ", 100)})
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, p, warnings, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkMarkdown(t, out, MaxMarkdown)
	if strings.Contains(out, "<details>") {
		t.Error("hosts shown although the policy table did not fit")
	}
	if !strings.HasSuffix(out, "_… the policy table is cut short; 5,000 hosts not shown (5,000 with changes). The full plan is in the output of tend plan --json._\n") {
		t.Errorf("unexpected end of output:\n%s", out[len(out)-300:])
	}
	if !strings.Contains(out, "- … and 4,980 more warnings\n") {
		t.Error("warnings not capped")
	}
}

func TestMarkdownAnyLimit(t *testing.T) {
	p := richPlan()
	for _, limit := range []int{1, 2, 5, 20, 100, 200, 250, 300, 500, 800, 1000, 1500, 2000, 2500, 3000, 4000, 6000, 100000} {
		var buf bytes.Buffer
		if err := Markdown(&buf, p, richWarnings(), MarkdownOptions{Limit: limit, Artifact: "plan.json artifact"}); err != nil {
			t.Fatal(err)
		}
		checkMarkdown(t, buf.String(), min(limit, MaxMarkdown))
	}
}

func TestMarkdownEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, richPlan(), richWarnings(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{" <Driver>", " <see", " *beta*", " `contoso", "1~deb12u1"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in output", bad)
		}
	}
	for _, want := range []string{
		`| unhold | Contoso \<Driver\> \| v2 \*beta\* | 2.0 | Drivers |  | unhold \` + "`" + `contoso\_\*\` + "`" + ` |`,
		"| policy | ring | hosts | with changes | install | upgrade | downgrade | remove | hold | unhold | reboot | deferred | skipped | errors |",
		"| linux_security | canary | 1 | 1 | 1 | 2 | 1 | 1 | 1 | 0 | 1 | 2 | 5 | 1 |",
		"<details><summary>win_2 — windowsupdate — 1 action, reboot suppressed</summary>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestHTMLText(t *testing.T) {
	got := htmlText("a<b>&c|d`e\nf")
	want := "a&lt;b&gt;&amp;c&#124;d&#96;e f"
	if got != want {
		t.Errorf("htmlText = %q, want %q", got, want)
	}
}

// A comparison with a base that planned nothing lists 300,000 changes: the
// table is capped and the comment still fits.
func TestMarkdownHugeDelta(t *testing.T) {
	p := bigPlan(10000, 30)
	d := plandiff.Diff(&model.Plan{}, p)
	var buf bytes.Buffer
	if err := Markdown(&buf, p, nil, MarkdownOptions{Base: d, BaseLabel: "origin/main"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkMarkdown(t, out, MaxMarkdown)
	for _, want := range []string{
		"**This change:** 320,000 updates change on 10,000 hosts: 300,000 actions added.",
		"… and 319,900 more changes, in the full plan",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
