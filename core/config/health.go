package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// HealthCheck is a `health_check "command"` or `health_check "http"` block.
type HealthCheck struct {
	Type string
	Argv []string
	// URL is the url as written; when it names the host (a template with
	// ${host.address} or ${host.name}), URLFor fills it in.
	URL          string
	urlExpr      hcl.Expression
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
			hc.URL, hc.urlExpr, more = attrURLTemplate(a)
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

// URLHostAttrs are the attributes of host an http health check's url may
// name: ${host.address} (the host's address, "localhost" for a local
// host) and ${host.name}.
var URLHostAttrs = []string{"address", "name"}

// attrURLTemplate decodes an http health check's url: a literal, or an
// HCL template naming the host's address or name, which is checked here
// with a stand-in host (it must make an http:// or https:// URL) and
// filled in per host by URLFor. The returned string is the url as
// written, the expression nil for a literal.
func attrURLTemplate(a *hcl.Attribute) (string, hcl.Expression, hcl.Diagnostics) {
	vars := a.Expr.Variables()
	if len(vars) == 0 {
		u, diags := attrURL(a)
		return u, nil, diags
	}
	var diags hcl.Diagnostics
	for _, tr := range vars {
		if d := checkHostTraversal(tr); d != nil {
			diags = append(diags, d)
		}
	}
	if diags.HasErrors() {
		return "", nil, diags
	}
	v, more := a.Expr.Value(hostEvalContext("example", "example.invalid"))
	diags = append(diags, more...)
	if more.HasErrors() {
		return "", nil, diags
	}
	if v.IsNull() || !v.Type().Equals(cty.String) {
		return "", nil, append(diags, errorAt(a.Expr.Range(), "Incorrect attribute value type", "url must be a string."))
	}
	if u := v.AsString(); !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return "", nil, append(diags, errorAt(a.Expr.Range(), "Invalid URL", "url must start with http:// or https://; got %q.", u))
	}
	// As written, for messages: the template with its references shown.
	shown, _ := a.Expr.Value(hostEvalContext("${host.name}", "${host.address}"))
	return shown.AsString(), a.Expr, diags
}

// checkHostTraversal accepts host.address and host.name.
func checkHostTraversal(tr hcl.Traversal) *hcl.Diagnostic {
	root := tr.RootName()
	if root != "host" {
		detail := fmt.Sprintf("url may name only the host: ${host.address} or ${host.name}; %q is not known here.", root)
		if s := suggest(root, []string{"host"}); s != "" {
			detail += " Did you mean host?"
		}
		return errorAt(tr.SourceRange(), "Unknown variable", "%s", detail)
	}
	if len(tr) == 2 {
		if attr, ok := tr[1].(hcl.TraverseAttr); ok {
			if slices.Contains(URLHostAttrs, attr.Name) {
				return nil
			}
			detail := fmt.Sprintf("host has the attributes address and name; not %q.", attr.Name)
			if s := suggest(attr.Name, URLHostAttrs); s != "" {
				detail += fmt.Sprintf(" Did you mean host.%s?", s)
			}
			return errorAt(tr.SourceRange(), "Unsupported attribute", "%s", detail)
		}
	}
	return errorAt(tr.SourceRange(), "Invalid reference", "url may use ${host.address} or ${host.name}.")
}

func hostEvalContext(name, address string) *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{
		"host": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "address": cty.StringVal(address)}),
	}}
}

// URLFor is the http check's URL for host h: the url with ${host.address}
// (h's address, "localhost" for a host without one) and ${host.name}
// filled in.
func (hc *HealthCheck) URLFor(h *Host) (string, error) {
	if hc.urlExpr == nil || h == nil {
		return hc.URL, nil
	}
	addr := h.Address
	if addr == "" {
		addr = "localhost"
	}
	v, diags := hc.urlExpr.Value(hostEvalContext(h.Name, addr))
	if diags.HasErrors() {
		return "", diags
	}
	if v.IsNull() || !v.Type().Equals(cty.String) {
		return "", fmt.Errorf("url of the health check at %s is not a string for host %s", pos(hc.DeclRange), h.Name)
	}
	return v.AsString(), nil
}

// attrStatus decodes an HTTP status code.
func attrStatus(a *hcl.Attribute) (int, hcl.Diagnostics) {
	s, diags := attrInt(a)
	if !diags.HasErrors() && (s < 100 || s > 599) {
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid status", "expect_status must be an HTTP status code (100–599); got %d.", s))
	}
	return s, diags
}
