package htmlreport

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

// TestSiteGolden pins the pages list and each page's text content.
func TestSiteGolden(t *testing.T) {
	files, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	paths := slices.Sorted(maps.Keys(files))
	golden(t, "pages", []byte(strings.Join(paths, "\n")+"\n"))
	for _, p := range paths {
		golden(t, strings.TrimSuffix(p, ".html"), text(t, files[p]))
	}
}

// TestSelfContained checks that no page loads anything: no script, no
// external stylesheet, image or font, and that every link within the site
// resolves to one of its pages.
func TestSelfContained(t *testing.T) {
	files, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range files {
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			if n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe" {
				t.Errorf("%s: <%s> loads something", p, n.Data)
			}
			for _, a := range n.Attr {
				if a.Key == "src" {
					t.Errorf("%s: <%s src=%q>", p, n.Data, a.Val)
				}
				if a.Key == "href" {
					target := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(p), a.Val)))
					if _, ok := files[target]; !ok {
						t.Errorf("%s: link %q goes to %s, not a page of the site", p, a.Val, target)
					}
				}
			}
		}
		if strings.Contains(string(b), "http://") && !strings.Contains(string(b), `xmlns="http://www.w3.org/2000/svg"`) {
			t.Errorf("%s names an http:// address", p)
		}
	}
}

// TestAccessibleTables checks that every table has a caption and column
// headers with a scope.
func TestAccessibleTables(t *testing.T) {
	files, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for p, b := range files {
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		for n := range doc.Descendants() {
			if n.Type == html.ElementNode && n.Data == "table" {
				c := n.FirstChild
				for c != nil && c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
					c = c.NextSibling
				}
				if c == nil || c.Data != "caption" {
					t.Errorf("%s: a table without a caption", p)
				}
			}
			if n.Type == html.ElementNode && n.Data == "th" && attr(n, "scope") == "" {
				t.Errorf("%s: <th> without scope: %s", p, textOf(n))
			}
		}
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// blocks start a new line in a page's text.
var blocks = map[string]bool{"title": true, "h1": true, "h2": true, "h3": true, "p": true, "tr": true, "caption": true,
	"li": true, "dt": true, "figcaption": true, "desc": true, "footer": true, "nav": true, "text": true}

var spaces = regexp.MustCompile(`[ \t\n]+`)

// text is a page's visible text, one block a line, cells separated by
// " | ".
func text(t *testing.T, b []byte) []byte {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	var line strings.Builder
	flush := func() {
		if s := strings.TrimSpace(spaces.ReplaceAllString(line.String(), " ")); s != "" {
			out.WriteString(s + "\n")
		}
		line.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "style" {
			return
		}
		if n.Type == html.TextNode {
			line.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && blocks[n.Data] {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
			if n.Type == html.ElementNode && n.Data == "tr" && c.Type == html.ElementNode && c.NextSibling != nil {
				line.WriteString(" | ")
			}
		}
		if n.Type == html.ElementNode && (blocks[n.Data] || n.Data == "dd") {
			flush()
		}
	}
	walk(doc)
	flush()
	return []byte(out.String())
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
