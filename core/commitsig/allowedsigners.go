package commitsig

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// AllowedSigner is one line of an OpenSSH allowed signers file:
// "principals [options] keytype base64-key [comment]".
type AllowedSigner struct {
	// Principals are the comma-separated patterns of the line; a leading
	// "!" negates a pattern, "*" and "?" are wildcards.
	Principals []string
	// Namespaces are the patterns of the namespaces="…" option, matched
	// like principals ("gi*", "!file"); nil allows any.
	Namespaces []string
	// ValidAfter and ValidBefore bound the committer time; zero is
	// unbounded.
	ValidAfter, ValidBefore time.Time
	// Key is the trusted public key.
	Key ssh.PublicKey
	// File and Line locate the entry for error messages.
	File string
	Line int
}

// LoadAllowedSigners reads an OpenSSH allowed signers file. Blank lines and
// lines starting with # are skipped; errors name file:line. A file without
// any entry is an error, since it would trust nobody.
func LoadAllowedSigners(path string) ([]AllowedSigner, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading allowed signers: %w", err)
	}
	defer f.Close()
	signers, err := parseAllowedSigners(f, path)
	if err != nil {
		return nil, err
	}
	if len(signers) == 0 {
		return nil, fmt.Errorf("%s: no allowed signers found (expected lines like \"alice@example.com ssh-ed25519 AAAA…\")", path)
	}
	return signers, nil
}

func parseAllowedSigners(r io.Reader, name string) ([]AllowedSigner, error) {
	var out []AllowedSigner
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseAllowedSigner(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		s.File, s.Line = name, n
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}

func parseAllowedSigner(line string) (AllowedSigner, error) {
	var s AllowedSigner
	principals, rest, err := firstField(line)
	if err != nil {
		return s, err
	}
	if rest == "" {
		return s, errors.New("missing key: expected \"principals [options] keytype base64-key\"")
	}
	for p := range strings.SplitSeq(principals, ",") {
		if p == "" {
			return s, fmt.Errorf("empty principal in %q", principals)
		}
		s.Principals = append(s.Principals, p)
	}
	key, _, opts, _, err := ssh.ParseAuthorizedKey([]byte(rest))
	if err != nil {
		return s, fmt.Errorf("invalid options or key after principals %q: expected \"[options] keytype base64-key\"", principals)
	}
	s.Key = key
	seen := map[string]bool{}
	for _, o := range opts {
		if err := s.setOption(o, seen); err != nil {
			return s, err
		}
	}
	if !s.ValidAfter.IsZero() && !s.ValidBefore.IsZero() && !s.ValidBefore.After(s.ValidAfter) {
		return s, errors.New("valid-before is not later than valid-after")
	}
	return s, nil
}

// firstField splits off the principals field, which may be double-quoted.
func firstField(line string) (field, rest string, err error) {
	if line[0] == '"' {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return "", "", errors.New("unterminated quote in principals")
		}
		return line[1 : end+1], strings.TrimSpace(line[end+2:]), nil
	}
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return line, "", nil
	}
	return line[:i], strings.TrimSpace(line[i:]), nil
}

// setOption applies one option as OpenSSH's sshsigopt_parse reads it:
// cert-authority is a flag, the others take a double-quoted value
// (valid-after=20240101 without quotes is a line OpenSSH refuses), and
// each may be given once.
func (s *AllowedSigner) setOption(opt string, seen map[string]bool) error {
	name, raw, hasValue := strings.Cut(opt, "=")
	name = strings.ToLower(name)
	switch {
	case name == "cert-authority" && !hasValue:
		return errors.New("cert-authority is not supported: list the signing keys themselves")
	case !hasValue || !slices.Contains([]string{"namespaces", "valid-after", "valid-before"}, name):
		return fmt.Errorf("unsupported option %q (supported: namespaces=, valid-after=, valid-before=)", opt)
	case seen[name]:
		return fmt.Errorf("option %s given more than once", name)
	}
	seen[name] = true
	value, err := dequote(raw)
	if err != nil {
		return fmt.Errorf("option %s: %w (OpenSSH needs %s=\"…\" and ignores the line otherwise)", name, err, name)
	}
	switch name {
	case "namespaces":
		s.Namespaces = strings.Split(value, ",")
	case "valid-after":
		s.ValidAfter, err = parseSignerTime(value)
	case "valid-before":
		s.ValidBefore, err = parseSignerTime(value)
	}
	if err != nil {
		return fmt.Errorf("option %s: %w", name, err)
	}
	return nil
}

// dequote reads an option value as OpenSSH's opt_dequote does: it must be
// wholly in double quotes, and \" stands for a quote inside them.
func dequote(raw string) (string, error) {
	if !strings.HasPrefix(raw, `"`) {
		return "", errors.New("missing start quote")
	}
	var b strings.Builder
	for i := 1; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && i+1 < len(raw) && raw[i+1] == '"':
			b.WriteByte('"')
			i++
		case raw[i] == '"':
			if i != len(raw)-1 {
				return "", fmt.Errorf("unexpected %q after the closing quote", raw[i+1:])
			}
			return b.String(), nil
		default:
			b.WriteByte(raw[i])
		}
	}
	return "", errors.New("missing end quote")
}

// parseSignerTime parses YYYYMMDD[HHMM[SS]] with an optional Z (or UTC)
// suffix for UTC; without it the time is local, as in ssh-keygen.
func parseSignerTime(v string) (time.Time, error) {
	loc := time.Local
	for _, z := range []string{"Z", "UTC"} {
		if t, ok := strings.CutSuffix(v, z); ok {
			v, loc = t, time.UTC
			break
		}
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(v)]
	if !ok {
		return time.Time{}, fmt.Errorf("invalid time %q: want YYYYMMDD[HHMM[SS]][Z]", v)
	}
	t, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q: want YYYYMMDD[HHMM[SS]][Z]", v)
	}
	return t, nil
}

// check reports why this entry does not allow a signature in namespace ns
// by email at time when, or "" if it does.
func (s *AllowedSigner) check(ns, email string, when time.Time) string {
	switch {
	case s.Namespaces != nil && !matchPatternList(ns, s.Namespaces):
		return fmt.Sprintf("namespaces=%q does not allow namespace %q", strings.Join(s.Namespaces, ","), ns)
	case email == "" || !matchPatternList(email, s.Principals):
		return fmt.Sprintf("principals %q do not match committer email %q", strings.Join(s.Principals, ","), email)
	case !s.ValidAfter.IsZero() && when.Before(s.ValidAfter):
		return fmt.Sprintf("committer time %s is before valid-after %s", when.Format(time.RFC3339), s.ValidAfter.Format(time.RFC3339))
	case !s.ValidBefore.IsZero() && when.After(s.ValidBefore):
		return fmt.Sprintf("committer time %s is after valid-before %s", when.Format(time.RFC3339), s.ValidBefore.Format(time.RFC3339))
	}
	return ""
}

func (s *AllowedSigner) sameKey(k ssh.PublicKey) bool { return sameKey(s.Key, k) }

// sameKey reports whether a and b are the same public key.
func sameKey(a, b ssh.PublicKey) bool {
	return a != nil && b != nil && bytes.Equal(a.Marshal(), b.Marshal())
}

func (s *AllowedSigner) where() string {
	if s.File == "" {
		return "allowed signer"
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// matchPatternList follows OpenSSH's match_pattern_list, which it uses for
// both principals and namespaces: a matching negated pattern rejects,
// otherwise any matching pattern accepts.
func matchPatternList(s string, patterns []string) bool {
	matched := false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if glob(neg, s) {
				return false
			}
		} else if glob(p, s) {
			matched = true
		}
	}
	return matched
}

// glob matches s against a pattern where * is any run and ? any one byte.
func glob(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case starP >= 0:
			px = starP + 1
			starS++
			sx = starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
