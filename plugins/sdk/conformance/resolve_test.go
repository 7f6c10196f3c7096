package conformance

import (
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance/internal/fakepkg"
)

// resolverCase is goodCase for the fakepkg binary serving a Resolver.
func resolverCase(t *testing.T, bug string) TestCase {
	tc := goodCase(t, bug)
	t.Setenv(fakepkg.EnvResolve, "1")
	a := sdk.Action{ID: "h/fakepkg/a", Type: "upgrade", Package: "a", From: "1", To: "3"}
	tc.Resolve = []ResolveStep{
		{Name: "upgrade_a", Actions: []sdk.Action{a}, Want: []sdk.Change{{Package: "a", Kind: sdk.ChangeUpgrade, From: "1", To: "3"}}},
		{Name: "not_offered", Actions: []sdk.Action{{ID: "h/fakepkg/c", Type: "install", Package: "c", To: "9"}}, WantError: true},
	}
	tc.Apply[0].Actions = []sdk.Action{a}
	tc.Apply[0].Want = map[string]sdk.Status{a.ID: sdk.StatusSucceeded}
	return tc
}

func TestResolvingProviderPasses(t *testing.T) {
	tc := resolverCase(t, fakepkg.BugNone)
	rep := checkFake(tc) // records
	if len(rep.failures) > 0 {
		t.Fatalf("recording: the kit failed a correct provider:\n%s", strings.Join(rep.failures, "\n"))
	}
	for _, l := range rep.logs {
		if strings.Contains(l, "not checked") || strings.Contains(l, "no Resolve") {
			t.Errorf("a check was skipped: %s", l)
		}
	}
	tc.Record = nil
	if rep := checkFake(tc); len(rep.failures) > 0 {
		t.Fatalf("replaying: the kit failed a correct provider:\n%s", strings.Join(rep.failures, "\n"))
	}
}

func TestBrokenResolversFail(t *testing.T) {
	for _, c := range []struct {
		bug  string
		want []failure
	}{
		{fakepkg.BugResolveBadChanges, []failure{
			fail("resolve/upgrade_a", `change of "x": kind "update" is not install, upgrade, downgrade or remove`),
			fail("resolve/upgrade_a", `change of "y": 3 → 2 is not an upgrade in the dotted version order`),
			fail("resolve/upgrade_a", `change of "y" is required by "nobody", which is not a planned package`),
			fail("resolve/upgrade_a", "Resolve (-want +got)"),
		}},
		{fakepkg.BugResolveWrites, []failure{fail("resolve", "the inventory changed across Resolve")}},
		{fakepkg.BugIgnoreExpected, []failure{fail("stale_expected", `action "h/fakepkg/a" is succeeded; every action must fail`)}},
	} {
		t.Run(c.bug, func(t *testing.T) {
			wantFailures(t, checkFake(resolverCase(t, c.bug)), c.want...)
		})
	}
}
