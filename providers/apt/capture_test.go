package apt

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

var update = flag.Bool("update", false, "capture testdata/*.txt from real apt runs")

// TestCapture records real apt and dpkg outputs into testdata/ (with
// -update), for the parser tests. The root's and repository's temporary
// paths become /ROOT and /REPO.
func TestCapture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to capture testdata")
	}
	r := apttest.NewRoot(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "1:1.0-1"},
			{Name: "good", Version: "1.0"}, {Name: "broken", Version: "1.0"}, {Name: "kept", Version: "1.0"}},
		Stable: []apttest.Pkg{{Name: "foo", Version: "1.1"}, {Name: "bar", Version: "1:1.0-1"}, {Name: "bar", Version: "1:2.0-1"},
			{Name: "good", Version: "1.1"}, {Name: "broken", Version: "1.1", Postinst: "echo broken: configure failed >&2\nexit 1"},
			{Name: "kept", Version: "1.1"}},
		Security: []apttest.Pkg{{Name: "foo", Version: "1.1"}},
	})
	write(t, filepath.Join(r.Dir, "run/reboot-required"), "*** System restart required ***\n")
	write(t, filepath.Join(r.Dir, "run/reboot-required.pkgs"), "linux-image-6.1.0-28-amd64\n")
	cfg := Config{Root: r.Dir}
	rec := realRunner()
	ctx := t.Context()
	apply(t, rec, cfg, sdk.Action{ID: "h", Type: "hold", Package: "kept"})
	apply(t, rec, cfg, sdk.Action{ID: "g", Type: "upgrade", Package: "good", To: "1.1"},
		sdk.Action{ID: "b", Type: "upgrade", Package: "broken", To: "1.1"})
	if _, _, err := Scan(ctx, rec, cfg, []string{"bar", "foo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := queryStatus(ctx, rec, target{root: r.Dir}); err != nil {
		t.Fatal(err)
	}
	apply(t, rec, cfg, sdk.Action{ID: "u", Type: "upgrade", Package: "bar", To: "1:2.0-1"})
	apply(t, rec, cfg, sdk.Action{ID: "d", Type: "downgrade", Package: "bar", To: "1:1.0-1"})

	clean := func(s string) string {
		return strings.NewReplacer(r.Dir, "/ROOT", r.Repo, "/REPO").Replace(s)
	}
	// capture writes the output of the first call whose argv ends with
	// last and has all of words.
	capture := func(name string, stderr bool, last string, words ...string) {
		var c call
		for _, cl := range rec.calls {
			if argv := cl.Cmd.Argv; argv[len(argv)-1] == last && containsAll(argv, words) {
				c = cl
				break
			}
		}
		if c.Cmd.Argv == nil {
			t.Fatalf("no call ending %q with %q in %q", last, words, rec.argvs())
		}
		s := string(c.Res.Stdout)
		if stderr {
			s += string(c.Res.Stderr)
		}
		if err := os.WriteFile(filepath.Join("testdata", name), []byte(clean(s)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	capture("head.txt", false, r.Dir+dpkgJournal, "head")
	capture("dpkg-query.txt", false, statusFormat, "dpkg-query")
	capture("dpkg-status.txt", false, r.Dir+statusFile, "grep")
	capture("apt-list-upgradable.txt", false, "APT::Cmd::format="+listFormat, "apt", "list")
	capture("apt-cache-madison.txt", false, "foo", "apt-cache", "madison")
	capture("apt-get-install-broken.txt", true, "broken=1.1", "apt-get", "install")
	capture("apt-get-install-downgrade.txt", true, "bar=1:1.0-1", "apt-get", "install")
}
