package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

func TestJSONNilSlices(t *testing.T) {
	p := &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   *at("2026-11-23T10:00:00Z"),
		Hosts: []model.HostPlan{{
			Host: "web_1", Provider: "apt", Reboot: model.RebootNone,
			Actions: []model.Action{{ID: "web_1/apt/htop", Type: model.ActionInstall, Package: "htop", To: "3.2.2-2"}},
		}},
		Summary: model.Summary{Hosts: 1, HostsWithChanges: 1, Actions: map[string]int{model.ActionInstall: 1}},
	}
	before := clonePlan(t, p)
	var buf bytes.Buffer
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"deferred": []`, `"skipped": []`, `"cves": []`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	for _, list := range []string{"hosts", "actions", "deferred", "skipped", "cves"} {
		if strings.Contains(out, `"`+list+`": null`) {
			t.Errorf("%s is null in output:\n%s", list, out)
		}
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	actions := got["summary"].(map[string]any)["actions"].(map[string]any)
	for _, k := range []string{"install", "upgrade", "downgrade", "remove", "hold", "reboot"} {
		if _, ok := actions[k]; !ok {
			t.Errorf("summary.actions lacks %q: %v", k, actions)
		}
	}
	if diff := cmp.Diff(before, p); diff != "" {
		t.Errorf("JSON changed the caller's plan (-before +after):\n%s", diff)
	}

	// Also with no hosts and no summary map at all.
	buf.Reset()
	if err := JSON(&buf, &model.Plan{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"hosts": []`, `"install": 0`, `"reboot": 0`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("empty plan output lacks %s:\n%s", want, buf.String())
		}
	}
	if !strings.HasSuffix(buf.String(), "}\n") {
		t.Error("no trailing newline")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, p := range map[string]*model.Plan{"rich": richPlan(), "empty": emptyPlan(), "bare": {}} {
		t.Run(name, func(t *testing.T) {
			var first bytes.Buffer
			if err := JSON(&first, p); err != nil {
				t.Fatal(err)
			}
			var back model.Plan
			if err := json.Unmarshal(first.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			var second bytes.Buffer
			if err := JSON(&second, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first.String(), second.String()); diff != "" {
				t.Errorf("re-rendered JSON differs (-first +second):\n%s", diff)
			}
		})
	}
}

func TestJSONNoHTMLEscaping(t *testing.T) {
	p := richPlan()
	var buf bytes.Buffer
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Contoso <Driver> | v2 *beta*") {
		t.Error("HTML characters were escaped")
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"format_version\": \"1\",\n") {
		t.Errorf("unexpected indentation:\n%.80s", buf.String())
	}
}

func TestNilPlan(t *testing.T) {
	var buf bytes.Buffer
	for name, err := range map[string]error{
		"JSON":     JSON(&buf, nil),
		"Text":     Text(&buf, nil, nil, TextOptions{}),
		"Markdown": Markdown(&buf, nil, nil, MarkdownOptions{}),
	} {
		if err == nil {
			t.Errorf("%s(nil) gave no error", name)
		}
	}
}

// clonePlan copies what JSON normalises (host plans, actions, the summary
// map), keeping nil lists nil, so a test can tell whether they changed.
func clonePlan(t *testing.T, p *model.Plan) *model.Plan {
	t.Helper()
	c := *p
	c.Hosts = append([]model.HostPlan(nil), p.Hosts...)
	for i := range c.Hosts {
		h := &c.Hosts[i]
		if h.Actions != nil {
			h.Actions = append([]model.Action{}, h.Actions...)
		}
	}
	if p.Summary.Actions != nil {
		c.Summary.Actions = map[string]int{}
		for k, v := range p.Summary.Actions {
			c.Summary.Actions[k] = v
		}
	}
	return &c
}
