package apt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
)

// TestParseSimulation reads the recorded simulations of resolveCases
// (testdata/resolve, made by TestCaptureResolve -update from real apt
// 2.6 runs on hermetic roots) as Resolve would.
func TestParseSimulation(t *testing.T) {
	for _, tc := range resolveCases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr := readFixture(t, tc.name+".stdout"), readFixture(t, tc.name+".stderr")
			if tc.wantErr != "" {
				err := simulationError([]string{"install", "app=2.0"}, sdk.Result{Stdout: []byte(stdout), Stderr: []byte(stderr), ExitCode: 100})
				checkResolved(t, tc, nil, err)
				if strings.Contains(err.Error(), "Building dependency tree") || strings.Contains(err.Error(), "can't be satisfied!") {
					t.Errorf("the message keeps progress or debug lines: %v", err)
				}
				return
			}
			var planned []string
			for _, a := range tc.actions {
				planned = append(planned, a.Package)
			}
			checkResolved(t, tc, parseSimulation(stdout, stderr, planned), nil)
		})
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/resolve", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParseSimulationLines: the line forms apt prints for other
// architectures and the reasons that reach a planned package only through
// others, or not at all.
func TestParseSimulationLines(t *testing.T) {
	stdout := `Inst libc6:i386 [2.36-9] (2.36-9+deb12u9 Debian-Security:12/stable-security [i386]) []
Inst orphan (1.0 tend:stable [all])
Remv gone:i386 [1.0]
Inst same [1.0] (1.0 tend:stable [all])
Conf libc6:i386 (2.36-9+deb12u9 Debian-Security:12/stable-security [i386])
`
	stderr := `  MarkInstall app:amd64 < 1.0 -> 2.0 @ii puU Ib > FU=1
  Installing libx:i386 as Depends of app:amd64
    Installing libc6:i386 as PreDepends of libx:i386
   Removing: gone:i386 as upgrade is not an option for libc6:i386 (2.36-9+deb12u9)
`
	want := []sdk.Change{
		{Package: "libc6:i386", Kind: sdk.ChangeUpgrade, From: "2.36-9", To: "2.36-9+deb12u9", RequiredBy: []string{"app"}},
		{Package: "orphan", Kind: sdk.ChangeInstall, To: "1.0"},
		{Package: "gone:i386", Kind: sdk.ChangeRemove, From: "1.0", RequiredBy: []string{"app"}},
	}
	if d := cmp.Diff(want, parseSimulation(stdout, stderr, []string{"app"})); d != "" {
		t.Errorf("parseSimulation (-want +got):\n%s", d)
	}
}
