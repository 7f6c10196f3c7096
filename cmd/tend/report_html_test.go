package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"golang.org/x/net/html"
)

var htmlScreenshot = flag.String("html-screenshot", "", "TestHTMLReportInChromium: also copy its screenshot of the fleet page to this file (docs/html-report.png)")

// chromium finds Debian's chromium; without it the test fails as root
// (make deps installs it) and is skipped otherwise.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getuid() == 0 {
		t.Fatal("chromium not found: make deps installs Debian's chromium")
	}
	t.Skip("chromium not found (and not root to install it): apt-get install chromium")
	return ""
}

// runChromium runs headless Chromium, without network or a profile of the
// user's, on a page of the site. A browser that crashes (killed by a
// signal, or an exit status of 128 and above, as Chromium's crash handler
// leaves it; seen under heavy load) is run once more, the crash logged:
// the page is the same file both times.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	for attempt := 1; ; attempt++ {
		out, stderr, err := chromiumOnce(t, bin, args)
		if err == nil {
			return out
		}
		var exit *exec.ExitError
		crashed := errors.As(err, &exit) && (exit.ExitCode() < 0 || exit.ExitCode() >= 128)
		if !crashed || attempt == 2 {
			t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		t.Logf("chromium %s crashed (%v), running it again:\n%s", strings.Join(args, " "), err, stderr)
	}
}

func chromiumOnce(t *testing.T, bin string, args []string) (stdout []byte, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.String(), err
}

// tendOK runs tend in-process and fails the test unless it exits 0.
func tendOK(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("tend %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

func gitOK(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// patch makes a host's snapshot as if its updates were installed and it
// rebooted: nothing available, no reboot pending.
func patch(t *testing.T, snapshots, host string) {
	t.Helper()
	path := filepath.Join(snapshots, host, "inventory.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatal(err)
	}
	for _, p := range snap["providers"].(map[string]any) {
		prov := p.(map[string]any)
		prov["available"] = []any{}
		prov["pending_reboot"] = false
	}
	if b, err = json.MarshalIndent(snap, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHTMLReportInChromium reports the MSP example over four days, as its
// hosts get patched, committing each report to a real reports branch;
// then writes the HTML report with the trend from that branch, opens it
// in headless Chromium and checks that the numbers the browser's DOM
// shows are summary.json's, for the fleet and each client. It takes a
// screenshot too (-html-screenshot keeps it).
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	dir := filepath.Join(t.TempDir(), "msp")
	if err := os.CopyFS(dir, os.DirFS("../../examples/msp-fleet")); err != nil {
		t.Fatal(err)
	}
	gitOK(t, dir, "init", "-q")
	gitOK(t, dir, "add", "-A")
	gitOK(t, dir, "commit", "-q", "-m", "msp fleet")
	snaps := filepath.Join(dir, "snapshots")
	days := []struct {
		at    string
		hosts []string
	}{
		{"2026-11-25T22:30:00+01:00", nil},
		{"2026-11-26T22:30:00+01:00", []string{"acme_web_1", "acme_web_2", "acme_db_1"}},
		{"2026-11-27T22:30:00+01:00", []string{"globex_fs01", "globex_fs02", "initech_gw"}},
		{"2026-11-28T22:30:00+01:00", []string{"acme_dc01", "globex_rds01", "initech_srv01"}},
	}
	for _, d := range days {
		for _, h := range d.hosts {
			patch(t, snaps, h)
		}
		tendOK(t, "report", "-C", dir, "--inventory", snaps, "--at", d.at, "--commit")
	}
	site := filepath.Join(t.TempDir(), "site")
	js := tendOK(t, "report", "-C", dir, "--inventory", snaps, "--at", days[len(days)-1].at, "--json", "--html", site)
	var sum model.FleetSummary
	if err := json.Unmarshal(js, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Compliant == 0 || sum.NonCompliant == 0 {
		t.Fatalf("the fixture should be partly compliant: %+v", sum.Counts)
	}

	dom := parseDOM(t, runChromium(t, bin, "--dump-dom", fileURL(t, site, "index.html")))
	checkCounts(t, "fleet", domMetrics(section(t, dom, "compliance")), sum.Counts)
	clients := rows(t, dom, "data-client")
	if len(clients) != len(sum.Clients) {
		t.Errorf("the fleet page lists %d clients, summary.json %d", len(clients), len(sum.Clients))
	}
	for name, c := range sum.Clients {
		checkCounts(t, "client "+name, clients[name], c)
		page := parseDOM(t, runChromium(t, bin, "--dump-dom", fileURL(t, site, "clients/"+name+".html")))
		checkCounts(t, "clients/"+name+".html", domMetrics(section(t, page, "compliance")), c)
	}
	for attr, want := range map[string]map[string][]string{"data-kb": sum.MissingByKB, "data-cve": sum.MissingByCVE} {
		got := rows(t, dom, attr)
		if len(got) != len(want) {
			t.Errorf("%s rows: %d, summary.json has %d", attr, len(got), len(want))
		}
		for id, hosts := range want {
			if got[id]["hosts"] != fmt.Sprint(len(hosts)) {
				t.Errorf("%s %s: the page shows %q hosts, summary.json %d", attr, id, got[id]["hosts"], len(hosts))
			}
		}
	}
	patches := rows(t, dom, "data-patch")
	if len(patches) != len(sum.MissingPatches) || len(patches) == 0 {
		t.Errorf("missing patches rows: %d, summary.json has %d", len(patches), len(sum.MissingPatches))
	}
	var kb *model.MissingPatch
	for i, p := range sum.MissingPatches {
		if got := patches[p.Provider+"/"+p.ID]["hosts"]; got != fmt.Sprint(len(p.Hosts)) {
			t.Errorf("patch %s/%s: the page shows %q hosts, summary.json %d", p.Provider, p.ID, got, len(p.Hosts))
		}
		if kb == nil && strings.HasPrefix(p.ID, "KB") && p.Title != "" && len(p.CVEs) > 0 {
			kb = &sum.MissingPatches[i]
		}
	}
	// One KB row and one CVE row in full: what summary.json says of them.
	if kb == nil {
		t.Fatal("the fixture should miss a KB with a title and CVEs")
	}
	kbRow := rowText(t, dom, "data-kb", kb.ID)
	for _, want := range append([]string{kb.Title, kb.Severity, kb.Provider}, append(kb.CVEs, kb.Hosts...)...) {
		if !strings.Contains(kbRow, want) {
			t.Errorf("KB %s row %q lacks %q", kb.ID, kbRow, want)
		}
	}
	cve := kb.CVEs[0]
	cveRow := rowText(t, dom, "data-cve", cve)
	for _, h := range sum.MissingByCVE[cve] {
		if !strings.Contains(cveRow, h) {
			t.Errorf("CVE %s row %q lacks host %s", cve, cveRow, h)
		}
	}
	if client := kb.Clients; len(client) > 0 {
		for c, hosts := range client {
			if c == "" {
				continue
			}
			page := parseDOM(t, runChromium(t, bin, "--dump-dom", fileURL(t, site, "clients/"+c+".html")))
			if got := rows(t, page, "data-kb")[kb.ID]["hosts"]; got != fmt.Sprint(len(hosts)) {
				t.Errorf("clients/%s.html: KB %s on %q hosts, summary.json %d", c, kb.ID, got, len(hosts))
			}
			break
		}
	}
	states := rows(t, dom, "data-state")
	if got, want := states["pending_reboot"]["hosts"], fmt.Sprint(len(sum.PendingReboots)); got != want {
		t.Errorf("pending reboots: the page shows %s, summary.json %s", got, want)
	}
	if got, want := states["compliant"]["hosts"], fmt.Sprint(sum.Compliant); got != want {
		t.Errorf("compliant hosts by state: the page shows %s, summary.json %s", got, want)
	}
	trend := section(t, dom, "trend")
	if svg := find(trend, func(n *html.Node) bool { return n.Data == "polyline" }); svg == nil {
		t.Error("the fleet page has no trend line")
	}
	if !strings.Contains(textContent(trend), fmt.Sprintf("%d reconciles", len(days))) {
		t.Errorf("the trend should have %d points: %s", len(days), textContent(trend))
	}

	shot := filepath.Join(t.TempDir(), "fleet.png")
	runChromium(t, bin, "--window-size=1200,1800", "--screenshot="+shot, fileURL(t, site, "index.html"))
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10000 {
		t.Fatalf("the screenshot is not a PNG of a page (%d bytes)", len(png))
	}
	if *htmlScreenshot != "" {
		if err := os.WriteFile(*htmlScreenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A client's page prints to PDF (what an MSP hands the client).
	pdf := filepath.Join(t.TempDir(), "acme.pdf")
	runChromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, fileURL(t, site, "clients/acme.html"))
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("printing clients/acme.html to PDF: %v, %d bytes", err, len(b))
	}
	// Every page renders (the manifest beside them is no page).
	err = filepath.WalkDir(site, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		rel, _ := filepath.Rel(site, path)
		if page := parseDOM(t, runChromium(t, bin, "--dump-dom", fileURL(t, site, rel))); find(page, func(n *html.Node) bool { return n.Data == "h1" }) == nil {
			t.Errorf("%s: no heading in the DOM", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fileURL(t *testing.T, dir, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(abs)
}

func parseDOM(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func find(root *html.Node, match func(*html.Node) bool) *html.Node {
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			return n
		}
	}
	return nil
}

// rowText is the text of the row whose attr is id.
func rowText(t *testing.T, doc *html.Node, attr, id string) string {
	t.Helper()
	n := find(doc, func(n *html.Node) bool { v, ok := attrOf(n, attr); return ok && n.Data == "tr" && v == id })
	if n == nil {
		t.Fatalf("no row %s=%q in the DOM", attr, id)
	}
	return textContent(n)
}

// section is the <section> a heading id labels.
func section(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	s := find(doc, func(n *html.Node) bool {
		v, _ := attrOf(n, "aria-labelledby")
		return n.Data == "section" && v == id
	})
	if s == nil {
		t.Fatalf("no section %q in the DOM", id)
	}
	return s
}

func textContent(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// domMetrics maps the data-metric attributes under n to their text.
func domMetrics(n *html.Node) map[string]string {
	m := map[string]string{}
	for c := range n.Descendants() {
		if k, ok := attrOf(c, "data-metric"); ok && c.Type == html.ElementNode {
			m[k] = textContent(c)
		}
	}
	return m
}

// rows maps the value of attr on each row that has it to its metrics.
func rows(t *testing.T, doc *html.Node, attr string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for n := range doc.Descendants() {
		if v, ok := attrOf(n, attr); ok && n.Type == html.ElementNode && n.Data == "tr" {
			out[v] = domMetrics(n)
		}
	}
	return out
}

func checkCounts(t *testing.T, what string, got map[string]string, want model.Counts) {
	t.Helper()
	for k, w := range map[string]string{
		"compliance_percent": fmt.Sprintf("%.1f%%", want.CompliancePercent),
		"compliant":          fmt.Sprint(want.Compliant),
		"non_compliant":      fmt.Sprint(want.NonCompliant),
		"unknown":            fmt.Sprint(want.Unknown),
		"hosts":              fmt.Sprint(want.Hosts),
	} {
		if got[k] != w {
			t.Errorf("%s: %s is %q in the DOM, %s in summary.json", what, k, got[k], w)
		}
	}
}
