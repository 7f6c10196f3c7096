package commitsig

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testKeyLine returns "ssh-ed25519 AAAA…" for a fresh key.
func testKeyLine(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadAllowedSigners(t *testing.T) {
	key := testKeyLine(t)
	path := writeFile(t, "allowed_signers", "# trusted\n\n"+
		"alice@example.com,*@ops.example.com "+key+" alice laptop\n"+
		`"bob@example.com" namespaces="git,file",valid-after="20240101",valid-before="20250102030405Z" `+key+"\n")
	got, err := LoadAllowedSigners(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d signers, want 2", len(got))
	}
	a, b := got[0], got[1]
	if !slices.Equal(a.Principals, []string{"alice@example.com", "*@ops.example.com"}) || a.Namespaces != nil || a.Line != 3 || a.File != path {
		t.Errorf("first entry = %+v", a)
	}
	if !slices.Equal(b.Principals, []string{"bob@example.com"}) || !slices.Equal(b.Namespaces, []string{"git", "file"}) || b.Line != 4 {
		t.Errorf("second entry = %+v", b)
	}
	if want := time.Date(2024, 1, 1, 0, 0, 0, 0, time.Local); !b.ValidAfter.Equal(want) {
		t.Errorf("valid-after = %v, want %v", b.ValidAfter, want)
	}
	if want := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC); !b.ValidBefore.Equal(want) {
		t.Errorf("valid-before = %v, want %v", b.ValidBefore, want)
	}
}

func TestLoadAllowedSignersErrors(t *testing.T) {
	key := testKeyLine(t)
	tests := []struct {
		name, content, want string
	}{
		{"missing key", "# c\nalice@example.com\n", ":2: missing key"},
		{"bad key", "alice@example.com ssh-ed25519 !!!\n", ":1: invalid options or key"},
		{"cert authority", "*@example.com cert-authority " + key + "\n", ":1: cert-authority is not supported"},
		{"unknown option", "a@b no-touch-required " + key + "\n", `:1: unsupported option "no-touch-required"`},
		{"bad time", "a@b valid-after=\"2024\" " + key + "\n", ":1: option valid-after: invalid time \"2024\""},
		{"inverted validity", "a@b valid-after=\"20250101\",valid-before=\"20240101\" " + key + "\n", ":1: valid-before is not later than valid-after"},
		{"empty validity", "a@b valid-after=\"20250101\",valid-before=\"20250101\" " + key + "\n", ":1: valid-before is not later than valid-after"},
		{"unquoted value", "a@b valid-after=20200101 " + key + "\n", ":1: option valid-after: missing start quote"},
		{"unquoted namespaces", "a@b namespaces=git " + key + "\n", ":1: option namespaces: missing start quote"},
		{"value after quote", "a@b namespaces=\"git\"x " + key + "\n", `:1: option namespaces: unexpected "x" after the closing quote`},
		{"twice", "a@b namespaces=\"git\",namespaces=\"file\" " + key + "\n", ":1: option namespaces given more than once"},
		{"flag with value", "a@b cert-authority=\"yes\" " + key + "\n", `:1: unsupported option "cert-authority=\"yes\""`},
		{"unterminated quote", "\"a@b " + key + "\n", ":1: unterminated quote"},
		{"empty principal", "a@b,,c@d " + key + "\n", ":1: empty principal"},
		{"empty file", "# nobody\n", "no allowed signers found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "allowed_signers", tt.content)
			_, err := LoadAllowedSigners(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want %q naming %s", err, tt.want, path)
			}
		})
	}
	if _, err := LoadAllowedSigners(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestDequote(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`"git"`, "git", ""},
		{`""`, "", ""},
		{`"a\"b"`, `a"b`, ""},
		{`"a\b"`, `a\b`, ""},
		{`git`, "", "missing start quote"},
		{`"git`, "", "missing end quote"},
		{`"git"x`, "", `unexpected "x" after the closing quote`},
	}
	for _, tt := range tests {
		got, err := dequote(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) || got != tt.want {
			t.Errorf("dequote(%s) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestMatchPatternList(t *testing.T) {
	tests := []struct {
		email    string
		patterns []string
		want     bool
	}{
		{"alice@example.com", []string{"alice@example.com"}, true},
		{"alice@example.com", []string{"bob@example.com", "*@example.com"}, true},
		{"alice@example.com", []string{"alic?@example.*"}, true},
		{"alice@example.com", []string{"!alice@example.com", "*@example.com"}, false},
		{"alice@example.com", []string{"!bob@example.com"}, false},
		{"alice@example.com", []string{"*@example.org"}, false},
		{"alice@example.com", []string{"Alice@example.com"}, false},
		{"a", []string{"**"}, true},
		{"git", []string{"gi*"}, true},
		{"git", []string{"!file", "*"}, true},
		{"git", []string{"!git", "*"}, false},
		{"git", []string{"!file"}, false},
	}
	for _, tt := range tests {
		if got := matchPatternList(tt.email, tt.patterns); got != tt.want {
			t.Errorf("matchPatternList(%q, %q) = %v, want %v", tt.email, tt.patterns, got, tt.want)
		}
	}
}

func TestParseSignerTime(t *testing.T) {
	tests := map[string]time.Time{
		"20240102":        time.Date(2024, 1, 2, 0, 0, 0, 0, time.Local),
		"202401020304":    time.Date(2024, 1, 2, 3, 4, 0, 0, time.Local),
		"20240102030405Z": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"202401020304UTC": time.Date(2024, 1, 2, 3, 4, 0, 0, time.UTC),
		"20240102030405":  time.Date(2024, 1, 2, 3, 4, 5, 0, time.Local),
	}
	for in, want := range tests {
		got, err := parseSignerTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSignerTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2024", "20241301", "2024010203", "x0240102"} {
		if _, err := parseSignerTime(in); err == nil {
			t.Errorf("parseSignerTime(%q): no error", in)
		}
	}
}
