package config

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// HealthCheck is a `health_check "command"` or `health_check "http"` block.
type HealthCheck struct {
	Type         string
	Argv         []string
	URL          string
	ExpectStatus int
	Timeout      time.Duration
	DeclRange    hcl.Range
}

var healthSchemas = map[string]*hcl.BodySchema{
	"command": {Attributes: []hcl.AttributeSchema{{Name: "argv", Required: true}, {Name: "timeout"}}},
	"http": {Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "expect_status"}, {Name: "timeout"},
	}},
}

// decodeHealthCheck decodes a health_check block; nil when its type is
// unknown. An http check expects status 200 unless it says otherwise.
func decodeHealthCheck(b *hcl.Block) (*HealthCheck, hcl.Diagnostics) {
	kind := b.Labels[0]
	schema, ok := healthSchemas[kind]
	if !ok {
		return nil, hcl.Diagnostics{errorAt(b.LabelRanges[0], "Unknown health check type", "health_check type must be \"command\" or \"http\"; got %q.", kind)}
	}
	hc := &HealthCheck{Type: kind, DeclRange: b.DefRange}
	content, diags := b.Body.Content(schema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "argv":
			hc.Argv, more = attrArgv(a)
		case "url":
			hc.URL, more = attrURL(a)
		case "expect_status":
			hc.ExpectStatus, more = attrStatus(a)
		case "timeout":
			hc.Timeout, _, more = attrDuration(a)
		}
		diags = append(diags, more...)
	}
	if hc.Type == "http" && hc.ExpectStatus == 0 {
		hc.ExpectStatus = 200
	}
	return hc, diags
}

// attrArgv decodes a command to run: at least the program.
func attrArgv(a *hcl.Attribute) ([]string, hcl.Diagnostics) {
	argv, diags := attrStrings(a)
	if !diags.HasErrors() && (len(argv) == 0 || argv[0] == "") {
		diags = append(diags, errorAt(a.Expr.Range(), "Empty command", "argv needs at least the program to run."))
	}
	return argv, diags
}

// attrURL decodes an http:// or https:// URL.
func attrURL(a *hcl.Attribute) (string, hcl.Diagnostics) {
	u, diags := attrString(a)
	if !diags.HasErrors() && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid URL", "url must start with http:// or https://; got %q.", u))
	}
	return u, diags
}

// attrStatus decodes an HTTP status code.
func attrStatus(a *hcl.Attribute) (int, hcl.Diagnostics) {
	s, diags := attrInt(a)
	if !diags.HasErrors() && (s < 100 || s > 599) {
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid status", "expect_status must be an HTTP status code (100–599); got %d.", s))
	}
	return s, diags
}
