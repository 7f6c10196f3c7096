package loader

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestValidateConfig(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	diags, supported, err := p.ValidateConfig(ctx, map[string]any{"greting": "hi"}, []sdk.Pin{{ID: "p", Package: "a", Version: "1"}})
	if err != nil || !supported {
		t.Fatalf("ValidateConfig: supported %v, err %v", supported, err)
	}
	if len(diags) != 1 || diags[0].Severity != sdk.SeverityError || diags[0].PinID != "" || !strings.Contains(diags[0].Detail, `has no attribute "greting"`) {
		t.Errorf("diagnostics for a misspelt attribute = %+v", diags)
	}
	diags, _, err = p.ValidateConfig(ctx, map[string]any{"greeting": "hi"}, nil)
	if err != nil || len(diags) != 0 {
		t.Errorf("a good block: %+v, %v", diags, err)
	}
}

// TestValidateConfigOldProvider: a provider built before ValidateConfig
// existed is not an error; it just has nothing to say.
func TestValidateConfigOldProvider(t *testing.T) {
	path := filepath.Join(t.TempDir(), BinaryPrefix+"old")
	if out, err := exec.Command("go", "build", "-o", path, "./internal/oldprovider").CombinedOutput(); err != nil {
		t.Fatalf("building the old provider: %v\n%s", err, out)
	}
	p, _ := launch(t, path)
	ctx := context.Background()
	if sc, err := p.Schema(ctx); err != nil || sc.Name != "old" || sc.VersionScheme != "" {
		t.Fatalf("schema = %+v, %v", sc, err)
	}
	diags, supported, err := p.ValidateConfig(ctx, map[string]any{}, []sdk.Pin{{ID: "p", Package: "a", Version: "1"}})
	if err != nil || supported || len(diags) != 0 {
		t.Errorf("ValidateConfig of an old provider: %+v, supported %v, err %v; want nothing, unsupported, no error", diags, supported, err)
	}
}
