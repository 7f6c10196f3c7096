package apt

import (
	"context"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestCachedDeb(t *testing.T) {
	files := []string{"lock", "partial", "app_1.0-1_all.deb", "libx_2%3a1.2-3_amd64.deb", "libx_2%3a1.2-3_arm64.deb", "app_1.0-10_all.deb"}
	for _, tc := range []struct{ pkg, version, want string }{
		{"app", "1.0-1", "app_1.0-1_all.deb"},
		{"app", "1.0", ""},
		{"libx", "2:1.2-3", "libx_2%3a1.2-3_amd64.deb"},
		{"libx:arm64", "2:1.2-3", "libx_2%3a1.2-3_arm64.deb"},
		{"libx:i386", "2:1.2-3", ""},
		{"libx", "1.2-3", ""},
	} {
		got, ok := cachedDeb(files, tc.pkg, tc.version)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("cachedDeb(%s %s) = %q, %v; want %q", tc.pkg, tc.version, got, ok, tc.want)
		}
	}
}

// TestDowngradeSources: a downgrade the sources offer goes by pkg=version,
// one only the cache has by the .deb's path; one that neither has fails
// the whole transaction, which never runs.
func TestDowngradeSources(t *testing.T) {
	madison := out("       bar |        1.0 | file:/repo stable/main all Packages\n")
	cache := out("lock\npartial\nbaz_0.9_all.deb\n")
	before := "foo\t1.0\tall\tii \nbar\t2.0\tall\tii \nbaz\t1.0\tall\tii \nqux\t3.0\tall\tii \n"
	down := []sdk.Action{
		{ID: "u", Type: "upgrade", Package: "foo", From: "1.0", To: "1.1"},
		{ID: "d1", Type: "downgrade", Package: "bar", From: "2.0", To: "1.0"},
		{ID: "d2", Type: "downgrade", Package: "baz", From: "1.0", To: "0.9"},
	}
	rec := &recorder{r: new(fake).
		on("dpkg-query", out(before), out(before)).on("madison", madison).on("ls", cache)}
	if _, err := Apply(context.Background(), rec, Config{Root: "/"}, down, nil, nil); err != nil {
		t.Fatal(err)
	}
	c, ok := rec.find("apt-get", "install")
	if !ok {
		t.Fatal("no apt-get install")
	}
	if got := strings.Join(c.Cmd.Argv, " "); !strings.HasSuffix(got, "install foo=1.1 bar=1.0 /var/cache/apt/archives/baz_0.9_all.deb") {
		t.Errorf("apt-get = %s", got)
	}

	missing := append(down, sdk.Action{ID: "d3", Type: "downgrade", Package: "qux", From: "3.0", To: "2.0"})
	rec = &recorder{r: new(fake).on("dpkg-query", out(before), out(before)).on("madison", madison).on("ls", cache)}
	results, err := Apply(context.Background(), rec, Config{Root: "/"}, missing, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.count("apt-get") != 0 {
		t.Errorf("apt-get ran: %v", rec.argvs())
	}
	for _, r := range results {
		want := "not carried out: the transaction is all or nothing and qux 2.0 cannot be had"
		if r.ActionID == "d3" {
			want = "qux 2.0 cannot be had: the host's sources do not offer it and apt's package cache (/var/cache/apt/archives) has no .deb of it"
		}
		if r.Status != sdk.StatusFailed || !strings.Contains(r.Message, want) {
			t.Errorf("%s: %s %q, want failed with %q", r.ActionID, r.Status, r.Message, want)
		}
	}
}
