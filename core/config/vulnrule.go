package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// VulnRule holds the vulnerability criteria of an approve, fast_lane or
// deadline block; every criterion given must hold for one CVE an update
// fixes. The zero value has none.
type VulnRule struct {
	// CVEs lists CVE IDs (upper case), e.g. "CVE-2024-3094".
	CVEs []string
	CVSS *Threshold
	EPSS *Threshold
	// KEV, when set, wants the CVE in CISA's catalog (true) or not (false).
	KEV *bool
}

// Empty reports whether the rule has no criterion.
func (r VulnRule) Empty() bool {
	return len(r.CVEs) == 0 && r.CVSS == nil && r.EPSS == nil && r.KEV == nil
}

// String describes the criteria, e.g. "kev, cvss>=9.0".
func (r VulnRule) String() string {
	var parts []string
	if len(r.CVEs) > 0 {
		parts = append(parts, "cves="+strings.Join(r.CVEs, ","))
	}
	if r.CVSS != nil {
		parts = append(parts, "cvss"+r.CVSS.Text)
	}
	if r.EPSS != nil {
		parts = append(parts, "epss"+r.EPSS.Text)
	}
	if r.KEV != nil {
		if *r.KEV {
			parts = append(parts, "kev")
		} else {
			parts = append(parts, "not kev")
		}
	}
	return strings.Join(parts, ", ")
}

// Threshold is a comparison of a score, such as ">= 9.0".
type Threshold struct {
	Op    string // >=, >, <=, <, =
	Value float64
	Text  string // ">=9.0", for reasons
}

// Holds reports whether v satisfies the threshold.
func (t Threshold) Holds(v float64) bool {
	switch t.Op {
	case ">=":
		return v >= t.Value
	case ">":
		return v > t.Value
	case "<=":
		return v <= t.Value
	case "<":
		return v < t.Value
	}
	return v == t.Value
}

var cveID = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)

// vulnAttrs are the attributes of a VulnRule.
var vulnAttrs = []hcl.AttributeSchema{{Name: "cves"}, {Name: "cvss"}, {Name: "epss"}, {Name: "kev"}}

// decodeVulnAttr decodes one VulnRule attribute into r; ok is false when
// name is not one.
func decodeVulnAttr(r *VulnRule, a *hcl.Attribute) (hcl.Diagnostics, bool) {
	var diags hcl.Diagnostics
	switch a.Name {
	case "cves":
		var ids []string
		ids, diags = attrStrings(a)
		for _, id := range ids {
			up := strings.ToUpper(strings.TrimSpace(id))
			if !cveID.MatchString(up) {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid CVE ID", "%q is not a CVE ID such as \"CVE-2024-3094\".", id))
				continue
			}
			r.CVEs = append(r.CVEs, up)
		}
	case "cvss":
		r.CVSS, diags = attrThreshold(a, 10)
	case "epss":
		r.EPSS, diags = attrThreshold(a, 1)
	case "kev":
		var b bool
		if b, diags = attrBool(a); !diags.HasErrors() {
			r.KEV = &b
		}
	default:
		return nil, false
	}
	return diags, true
}

// attrThreshold decodes ">= 9.0" (a bare number means >=) within 0..max.
func attrThreshold(a *hcl.Attribute, max float64) (*Threshold, hcl.Diagnostics) {
	s, diags := attrString(a)
	if diags.HasErrors() {
		return nil, diags
	}
	text := strings.TrimSpace(s)
	op := ">="
	for _, o := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(text, o) {
			op, text = o, strings.TrimSpace(text[len(o):])
			break
		}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || v < 0 || v > max {
		return nil, append(diags, errorAt(a.Expr.Range(), "Invalid "+a.Name+" threshold",
			"%s wants a comparison with a number from 0 to %g, such as \">= %g\"; got %q.", a.Name, max, max*0.9, s))
	}
	return &Threshold{Op: op, Value: v, Text: op + strconv.FormatFloat(v, 'f', -1, 64)}, diags
}

// FastLane is a policy's `fast_lane` block: approved updates that fix a
// CVE matching Rule skip the window and the rollout's soak (still within
// max_parallel, max_failures and health checks).
type FastLane struct {
	Rule      VulnRule
	DeclRange hcl.Range
}

// Deadline is a policy's `deadline` block: a CVE matching Rule must be
// fixed within Within of when it was first seen on the host, or by CISA's
// dueDate with UseKEVDue; past it the host is overdue.
type Deadline struct {
	Index      int
	Rule       VulnRule
	Within     string
	WithinDays int
	DeclRange  hcl.Range
}

// String describes the deadline for compliance items.
func (d *Deadline) String() string {
	s := fmt.Sprintf("deadline[%d]", d.Index)
	if r := d.Rule.String(); r != "" {
		s += ": " + r
	}
	return s + ", within=" + d.Within
}

func decodeFastLane(b *hcl.Block) (*FastLane, hcl.Diagnostics) {
	fl := &FastLane{DeclRange: b.DefRange}
	content, diags := b.Body.Content(&hcl.BodySchema{Attributes: vulnAttrs})
	for _, name := range sortedKeys(content.Attributes) {
		more, _ := decodeVulnAttr(&fl.Rule, content.Attributes[name])
		diags = append(diags, more...)
	}
	if fl.Rule.Empty() && !diags.HasErrors() {
		diags = append(diags, errorAt(b.DefRange, "Empty fast_lane", "A fast_lane names the CVEs it fast-tracks: set kev = true, cves, cvss or epss."))
	}
	return fl, diags
}

func decodeDeadline(b *hcl.Block, index int) (*Deadline, hcl.Diagnostics) {
	d := &Deadline{Index: index, DeclRange: b.DefRange}
	content, diags := b.Body.Content(&hcl.BodySchema{Attributes: append([]hcl.AttributeSchema{{Name: "within", Required: true}}, vulnAttrs...)})
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		if name == "within" {
			dur, text, more := attrDuration(a)
			diags = append(diags, more...)
			d.Within, d.WithinDays = text, int(dur.Hours()/24)
			if !more.HasErrors() && (dur <= 0 || dur%(24*3600*1e9) != 0) {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid deadline", "within counts whole days, such as \"14d\"; got %q.", text))
			}
			continue
		}
		more, _ := decodeVulnAttr(&d.Rule, a)
		diags = append(diags, more...)
	}
	return d, diags
}
