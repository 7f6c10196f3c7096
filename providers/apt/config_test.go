package apt

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestParseConfig(t *testing.T) {
	for _, c := range []struct {
		in   map[string]any
		want Config
	}{
		{nil, Config{Root: "/"}},
		{map[string]any{"root": "/srv/image/", "refresh": true}, Config{Root: "/srv/image", Refresh: true}},
		{map[string]any{"root": "/a/../b", "refresh": false}, Config{Root: "/b"}},
		{map[string]any{"root": nil}, Config{Root: "/"}},
	} {
		got, err := ParseConfig(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseConfig(%v) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"root": "relative"}, `root: "relative" is not an absolute path`},
		{map[string]any{"root": ""}, `root: "" is not an absolute path`},
		{map[string]any{"root": "/a\nb"}, "contains control characters"},
		{map[string]any{"root": 1.0}, "root: want a string, got float64"},
		{map[string]any{"refresh": "yes"}, "refresh: want a bool, got string"},
		{map[string]any{"roots": "/"}, `unknown attribute "roots" (apt takes root, refresh)`},
	} {
		if _, err := ParseConfig(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseConfig(%v) = %v, want %q", c.in, err, c.want)
		}
	}
	// Every problem is reported.
	_, err := ParseConfig(map[string]any{"a": 1, "refresh": 1, "root": "x"})
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("three problems: %v", err)
	}
}

func TestSchema(t *testing.T) {
	want := &sdk.SchemaResponse{
		Name:    "apt",
		Version: "0.1.0",
		Attributes: []sdk.Attribute{
			{Name: "root", Type: "string", Description: `directory apt and dpkg act on; default "/" (the running system)`},
			{Name: "refresh", Type: "bool", Description: "run apt-get update before scanning; default false"},
		},
		Actions:       []string{"install", "upgrade", "downgrade", "hold", "unhold", "reboot"},
		VersionScheme: "debian",
	}
	if diff := cmp.Diff(want, Schema()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
