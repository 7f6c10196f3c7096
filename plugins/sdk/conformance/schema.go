package conformance

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/sdk"
)

// unknownAttribute is the attribute configure must refuse.
const unknownAttribute = "conformance_no_such_attribute"

// checkHandshake launches the provider; nil means it did not start.
func checkHandshake(t tb, tc *TestCase) *launched {
	t.Helper()
	if err := checkRefusesManualStart(tc.Binary); err != nil {
		t.Errorf("%s: %v", tc.Binary, err)
	}
	p, err := launch(tc)
	if err != nil {
		t.Errorf("the provider does not start through tend's loader (go-plugin handshake, protocol %d): %v\n"+
			"A provider's main must call sdk.Serve and print nothing else on stdout.", loader.ProtocolVersion, err)
		return nil
	}
	// loader.Launch refuses any protocol but loader.ProtocolVersion.
	return p
}

var (
	semver   = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	nameRule = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

var attributeTypes = map[string]bool{sdk.TypeString: true, sdk.TypeBool: true, sdk.TypeNumber: true, sdk.TypeStringList: true}

var actionTypes = map[string]bool{
	model.ActionInstall: true, model.ActionUpgrade: true, model.ActionDowngrade: true, model.ActionRemove: true,
	model.ActionHold: true, model.ActionUnhold: true, model.ActionReboot: true,
}

func checkSchema(t tb, p *launched, tc *TestCase) {
	t.Helper()
	ctx, cancel := withTimeout()
	defer cancel()
	sc, err := p.Schema(ctx)
	if err != nil {
		t.Fatalf("GetSchema: %v", err)
	}
	for _, problem := range schemaProblems(sc, tc.Name) {
		t.Errorf("schema: %s", problem)
	}
}

// schemaProblems lists what is wrong with a schema; want is the name tend
// knows the provider by ("" when unknown).
func schemaProblems(sc *sdk.SchemaResponse, want string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	switch {
	case sc.Name == "":
		add("the name is empty")
	case !nameRule.MatchString(sc.Name):
		add("name %q is not usable in a policy (letters, digits, _ and -, starting with a letter)", sc.Name)
	case want != "" && sc.Name != want:
		add("the provider says it is %q, but tend knows it as %q (tend-provider-%s); tend init refuses the mismatch", sc.Name, want, want)
	}
	if !semver.MatchString(sc.Version) {
		add("version %q is not a semantic version x.y.z (tend checks it against required_providers)", sc.Version)
	}
	seen := map[string]bool{}
	for _, a := range sc.Attributes {
		switch {
		case a.Name == "":
			add("an attribute has no name")
		case seen[a.Name]:
			add("attribute %q is declared twice", a.Name)
		}
		seen[a.Name] = true
		if !attributeTypes[a.Type] {
			add("attribute %q has type %q; use one of %s", a.Name, a.Type, strings.Join(slices.Sorted(maps.Keys(attributeTypes)), ", "))
		}
	}
	seenAction := map[string]bool{}
	for _, a := range sc.Actions {
		if !actionTypes[a] {
			add("action type %q is not one tend plans (%s)", a, strings.Join(slices.Sorted(maps.Keys(actionTypes)), ", "))
		}
		if seenAction[a] {
			add("action type %q is listed twice", a)
		}
		seenAction[a] = true
	}
	return out
}

func checkConfigure(t tb, p *launched, tc *TestCase) {
	t.Helper()
	ctx, cancel := withTimeout()
	defer cancel()
	bad := maps.Clone(tc.Config)
	if bad == nil {
		bad = map[string]any{}
	}
	bad[unknownAttribute] = "x"
	err := p.Configure(ctx, bad)
	switch {
	case err == nil:
		t.Errorf("Configure accepted the unknown attribute %q; unknown attributes must be refused (sdk.Serve does it with sdk.CheckConfig)", unknownAttribute)
	case !strings.Contains(err.Error(), unknownAttribute):
		t.Errorf("Configure refused the unknown attribute %q, but the error does not name it: %v", unknownAttribute, err)
	}
	if err := p.Configure(ctx, tc.Config); err != nil {
		t.Fatalf("Configure refused TestCase.Config: %v", err)
	}
}
