package apt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestCaptureResolve records, with -update, the output of the real
// apt-get --simulate run Resolve makes for each of resolveCases into
// testdata/resolve/NAME.stdout and NAME.stderr, for the parser tests. The
// root's and repository's temporary paths become /ROOT and /REPO.
func TestCaptureResolve(t *testing.T) {
	if !*update {
		t.Skip("run with -update to capture testdata")
	}
	for _, tc := range resolveCases {
		r := apttest.NewRoot(t, tc.opts)
		rec := realRunner()
		if _, _, err := Resolve(context.Background(), rec, Config{Root: r.Dir}, tc.actions); (err != nil) != (tc.wantErr != "") {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c, ok := rec.find("apt-get", "--simulate")
		if !ok {
			t.Fatalf("%s: no simulation in %q", tc.name, rec.argvs())
		}
		clean := strings.NewReplacer(r.Dir, "/ROOT", r.Repo, "/REPO")
		for ext, out := range map[string][]byte{"stdout": c.Res.Stdout, "stderr": c.Res.Stderr} {
			if err := os.WriteFile(filepath.Join("testdata/resolve", tc.name+"."+ext), []byte(clean.Replace(string(out))), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
