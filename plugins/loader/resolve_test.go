package loader

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestResolve: the transaction comes back through gRPC, the provider's
// commands ran through the runner, and an unsatisfiable one is an error
// carrying the provider's explanation.
func TestResolve(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	actions := []sdk.Action{{ID: "web_1/test/app", Type: sdk.ActionUpgrade, Package: "app", From: "1", To: "2"}}
	changes, warns, err := p.Resolve(ctx, "web_1", actions, local.Runner{})
	if err != nil {
		t.Fatal(err)
	}
	want := []sdk.Change{
		{Package: "liba", Kind: sdk.ChangeUpgrade, From: "1", To: "2", RequiredBy: []string{"app"}},
		{Package: "app", Kind: sdk.ChangeUpgrade, From: "1", To: "2"},
	}
	if d := cmp.Diff(want, changes); d != "" || len(warns) != 0 {
		t.Errorf("Resolve (-want +got):\n%s\nwarnings %v", d, warns)
	}
	_, _, err = p.Resolve(ctx, "web_1", []sdk.Action{{ID: "web_1/test/unsat", Package: "unsat"}}, local.Runner{})
	if err == nil || !strings.Contains(err.Error(), "Depends: nothing (>= 9)") || errors.Is(err, ErrResolveUnsupported) {
		t.Errorf("unsatisfiable: err = %v", err)
	}
}

// TestApplyExpected: Apply sends the expected transaction; the provider
// applies when it still holds and fails every action, naming the
// difference, when it does not.
func TestApplyExpected(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	actions := []sdk.Action{{ID: "web_1/test/app", Type: sdk.ActionUpgrade, Package: "app", From: "1", To: "2"}}
	planned, _, err := p.Resolve(ctx, "web_1", actions, local.Runner{})
	if err != nil {
		t.Fatal(err)
	}
	results, err := p.Apply(ctx, "web_1", actions, planned, local.Runner{}, nil)
	if err != nil || results[0].Status != sdk.StatusSucceeded {
		t.Fatalf("apply with the transaction still as planned: %+v, %v", results, err)
	}
	stale := []sdk.Change{{Package: "liba", Kind: sdk.ChangeUpgrade, From: "1", To: "1.5", RequiredBy: []string{"app"}}, planned[1]}
	results, err = p.Apply(ctx, "web_1", actions, stale, local.Runner{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != sdk.StatusFailed || !strings.Contains(results[0].Message, "liba: upgrade 1 → 1.5 in the plan, upgrade 1 → 2 now") {
		t.Errorf("apply with a changed transaction: %+v", results)
	}
}

// TestResolveOldProvider: a provider built before Resolve existed says so
// with ErrResolveUnsupported, not a failure.
func TestResolveOldProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), BinaryPrefix+"old")
	if out, err := exec.Command("go", "build", "-o", path, "./internal/oldprovider").CombinedOutput(); err != nil {
		t.Fatalf("building the old provider: %v\n%s", err, out)
	}
	p, _ := launch(t, path)
	_, _, err := p.Resolve(context.Background(), "web_1", []sdk.Action{{ID: "web_1/old/a", Package: "a"}}, local.Runner{})
	if !errors.Is(err, ErrResolveUnsupported) {
		t.Errorf("Resolve of an old provider: err = %v; want ErrResolveUnsupported", err)
	}
}
