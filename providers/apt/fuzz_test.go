package apt

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The seeds of these fuzz targets are real outputs: those TestCapture
// captured from the test root (testdata/*.txt) and excerpts of a Debian 12
// machine's (testdata/debian12/: grep of /var/lib/dpkg/status, dpkg-query,
// apt list --upgradable, apt-cache madison and show, head of os-release).

// seeds adds the testdata files named name in testdata/ and
// testdata/debian12/, and extra, as seeds of f.
func seeds(f *testing.F, name string, extra ...string) {
	for _, dir := range []string{"testdata", "testdata/debian12"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range extra {
		f.Add(s)
	}
}

// FuzzParseStatus: dpkg-query output that parses names every package,
// has no field with a tab or newline, and renders back to itself.
func FuzzParseStatus(f *testing.F) {
	seeds(f, "dpkg-query.txt", "foo\t1.0\tall\tiF \n\nbar\t\tamd64\tun\n", "a\tb\tc\tdd\te\n", "\t1\tall\tii \n")
	f.Fuzz(func(t *testing.T, out string) {
		pkgs, err := parseStatus(out)
		if err != nil {
			return
		}
		var b strings.Builder
		for i := range pkgs {
			pkgs[i].Source = "" // dpkg-query -f statusFormat does not show it
		}
		for _, p := range pkgs {
			if p.Name == "" || len(p.Abbrev) < 2 {
				t.Fatalf("accepted %+v from %q", p, out)
			}
			_, _ = p.Describe(), p.Unfinished()
			b.WriteString(p.Name + "\t" + p.Version + "\t" + p.Arch + "\t" + p.Abbrev + "\n")
		}
		back, err := parseStatus(b.String())
		if err != nil {
			t.Fatalf("%q parsed, its rendering %q does not: %v", out, b.String(), err)
		}
		if diff := cmp.Diff(pkgs, back); diff != "" {
			t.Fatalf("round trip of %q (-first +again):\n%s", out, diff)
		}
	})
}

// FuzzParseStatusFile: status file lines that parse name every package
// and give what dpkg-query gives for the same packages.
func FuzzParseStatusFile(f *testing.F) {
	seeds(f, "dpkg-status.txt", "Package: a\nStatus: hold reinstreq half-installed\n",
		"Status: install ok installed\n", "Package: a\n")
	seeds(f, "apt-cache-show.txt")
	f.Fuzz(func(t *testing.T, out string) {
		pkgs, err := parseStatusFile(out)
		if err != nil {
			return
		}
		var b strings.Builder
		for i := range pkgs {
			pkgs[i].Source = "" // dpkg-query -f statusFormat does not show it
		}
		for _, p := range pkgs {
			if p.Name == "" || len(p.Abbrev) != 3 {
				t.Fatalf("accepted %+v from %q", p, out)
			}
			if strings.ContainsAny(p.Name+p.Version+p.Arch, "\t\n") {
				return // dpkg-query's output could not say it
			}
			b.WriteString(p.Name + "\t" + p.Version + "\t" + p.Arch + "\t" + p.Abbrev + "\n")
		}
		query, err := parseStatus(b.String())
		if err != nil {
			t.Fatalf("%q parsed, dpkg-query's lines %q do not: %v", out, b.String(), err)
		}
		if diff := cmp.Diff(pkgs, query, cmp.Comparer(func(a, b []pkgState) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) })); diff != "" {
			t.Fatalf("status file %q and dpkg-query %q differ (-file +query):\n%s", out, b.String(), diff)
		}
	})
}

// FuzzParseUpgradable: every line of apt list's output is a candidate
// with a name and a version, or a problem; candidates render back to
// their line.
func FuzzParseUpgradable(f *testing.F) {
	seeds(f, "apt-list-upgradable.txt", "a\tall\t1\t2\t\n", "a\tall\t1\t\tstable\n", "x/stable 2 amd64 [upgradable from: 1]\n")
	f.Fuzz(func(t *testing.T, out string) {
		cands, problems := parseUpgradable(out)
		lines := 0
		for line := range strings.Lines(out) {
			if line != "\n" {
				lines++
			}
		}
		if len(cands)+len(problems) != lines {
			t.Fatalf("%q: %d lines, %d candidates and %d problems", out, lines, len(cands), len(problems))
		}
		for _, c := range cands {
			if c.Name == "" || c.To == "" {
				t.Fatalf("accepted %+v from %q", c, out)
			}
			line := strings.Join([]string{c.Name, c.Arch, c.From, c.To, strings.Join(c.Archives, ",")}, "\t")
			back, p := parseUpgradable(line)
			if len(p) != 0 || len(back) != 1 || !cmp.Equal(back[0], c) {
				t.Fatalf("%+v renders as %q, which parses as %+v %q", c, line, back, p)
			}
		}
	})
}

// FuzzParseMadison: every name and version madison's output gives is
// non-empty and trimmed, and no version is listed twice.
func FuzzParseMadison(f *testing.F) {
	seeds(f, "apt-cache-madison.txt", " a | 1 | x Sources\n", "|||\n | 1 | x\n")
	f.Fuzz(func(t *testing.T, out string) {
		for name, vers := range parseMadison(out) {
			if name == "" || name != strings.TrimSpace(name) || len(vers) == 0 {
				t.Fatalf("%q: name %q with %q", out, name, vers)
			}
			for i, v := range vers {
				if v == "" || v != strings.TrimSpace(v) || slices.Contains(vers[:i], v) {
					t.Fatalf("%q: %s has version %q in %q", out, name, v, vers)
				}
			}
		}
	})
}

// FuzzHeadFiles: head -v output of two files gives each file's content
// back, whatever it is, as long as no line of it is the other's header.
func FuzzHeadFiles(f *testing.F) {
	for _, dir := range []string{"testdata", "testdata/debian12"} {
		if b, err := os.ReadFile(filepath.Join(dir, "head.txt")); err == nil {
			f.Add(string(b), "ID=debian\n", "")
		}
	}
	f.Add("==> /a <==\n", "no newline", "\n\n")
	f.Add("", "==> /b <==\n", "x")
	f.Fuzz(func(t *testing.T, out, a, b string) {
		_ = headFiles(out, []string{"/etc/os-release", "/run/reboot-required", "/a"})
		paths := []string{"/a", "/b"}
		for line := range strings.Lines(a + "\n" + b) {
			if strings.TrimSuffix(line, "\n") == "==> /a <==" || strings.TrimSuffix(line, "\n") == "==> /b <==" {
				return // a file that spoofs a header: head's output is ambiguous
			}
		}
		// head puts an empty line before every header but the first.
		got := headFiles("==> /a <==\n"+a+"\n==> /b <==\n"+b, paths)
		if diff := cmp.Diff(map[string]string{"/a": a, "/b": b}, got); diff != "" {
			t.Fatalf("(-files +parsed):\n%s", diff)
		}
	})
}

// FuzzParseOSRelease: any os-release parses, and an ID written in double
// quotes with os-release's escapes reads back as itself.
func FuzzParseOSRelease(f *testing.F) {
	for _, dir := range []string{"testdata", "testdata/debian12"} {
		if b, err := os.ReadFile(filepath.Join(dir, "head.txt")); err == nil {
			f.Add(string(b), "debian")
		}
	}
	f.Add("ID='a b'\nVERSION_ID=\"1\\\"2\"\n#ID=x\n=\nID=\"\n", `a"b\c$d`+"`")
	f.Fuzz(func(t *testing.T, content, id string) {
		_ = parseOSRelease(content)
		if strings.ContainsAny(id, "\n") {
			return
		}
		var b strings.Builder
		for i := 0; i < len(id); i++ {
			if strings.IndexByte("\"\\$`", id[i]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(id[i])
		}
		line := `ID="` + b.String() + `"`
		if got := parseOSRelease(content + "\n" + line + "\n")["ID"]; got != id {
			t.Fatalf("%q after %q reads as ID %q, want %q", line, content, got, id)
		}
	})
}

// FuzzParseSteps: every step apt-get's output gives names a package and
// a version, and its line is in the output.
func FuzzParseSteps(f *testing.F) {
	seeds(f, "apt-get-install-broken.txt")
	seeds(f, "apt-get-install-downgrade.txt")
	f.Fuzz(func(t *testing.T, out string) {
		for _, s := range parseSteps(out) {
			if s.Name == "" || s.Version == "" || !strings.Contains(out, s.Line) {
				t.Fatalf("%q: step %+v", out, s)
			}
		}
	})
}

// FuzzParseArchFile: architectures that parse are dpkg's words, and
// parse again the same when written one a line.
func FuzzParseArchFile(f *testing.F) {
	f.Add("amd64\ni386\n")
	f.Add("arm64")
	f.Add("amd64 -x\n")
	f.Fuzz(func(t *testing.T, content string) {
		archs, err := parseArchFile(content)
		if err != nil {
			return
		}
		for _, a := range archs {
			if !archRE.MatchString(a) {
				t.Fatalf("%q: accepted architecture %q", content, a)
			}
		}
		back, err := parseArchFile(strings.Join(archs, "\n"))
		if err != nil || !slices.Equal(archs, back) {
			t.Fatalf("%q: %q then %q (%v)", content, archs, back, err)
		}
	})
}

// FuzzTail: the tail of any output has at most n lines, none empty, none
// with a carriage return.
func FuzzTail(f *testing.F) {
	seeds(f, "apt-get-install-broken.txt")
	f.Add("a\r\nb\rc\n\n(Reading database ... 5%\r(Reading database ... 100%\n")
	f.Fuzz(func(t *testing.T, out string) {
		for _, n := range []int{0, 1, tailLines} {
			got := tail(out, n)
			if got == "" {
				continue
			}
			lines := strings.Split(got, "\n")
			if len(lines) > n {
				t.Fatalf("tail(%q, %d) = %d lines", out, n, len(lines))
			}
			for _, l := range lines {
				if l == "" || strings.Contains(l, "\r") {
					t.Fatalf("tail(%q, %d) has line %q", out, n, l)
				}
			}
		}
	})
}

// FuzzInventory: the inventory a scan assembles from the head of the
// files, the status file and apt list's output names every package and
// every update is for an installed package, from its installed version.
func FuzzInventory(f *testing.F) {
	for _, dir := range []string{"testdata", "testdata/debian12"} {
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(dir, name))
			return string(b)
		}
		f.Add(read("head.txt"), read("dpkg-status.txt"), read("apt-list-upgradable.txt"))
	}
	f.Add("==> /run/reboot-required.pkgs <==\nlinux-image-6.1.0-28-amd64 \n", "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n"+
		"Package: a\nStatus: install ok installed\nArchitecture: i386\nVersion: 1\n", "a\ti386\t1\t2\tstable-security\n")
	f.Fuzz(func(t *testing.T, head, status, list string) {
		files := headFiles(head, slices.Sorted(maps.Values(scanFiles(target{root: "/"}))))
		pkgs, err := parseStatusFile(status)
		if err != nil {
			return
		}
		inv, _ := inventory(target{root: "/"}, files, pkgs, list)
		// Repeated entries are passed on: core reports them (model.Deduplicated).
		versions := map[string][]string{}
		for _, it := range inv.Installed {
			if it.Name == "" || it.ID == "" {
				t.Fatalf("installed %+v from %q", it, status)
			}
			versions[it.ID] = append(versions[it.ID], it.Version)
		}
		for _, u := range inv.Available {
			if u.Name == "" || u.To == "" || !slices.Contains(versions[u.ID], u.From) {
				t.Fatalf("update %+v (installed: %v) from %q and %q", u, versions, status, list)
			}
		}
	})
}
