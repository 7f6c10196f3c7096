package apt

import (
	"fmt"
	"slices"
	"strings"
)

// listFormat is apt list's output format (APT::Cmd::format): tab-separated
// fields instead of the human-readable "name/suites version arch
// [upgradable from: old]".
const listFormat = "${Package}\t${Architecture}\t${installed:Version}\t${Version}\t${Origin}"

// candidate is one upgradable package as apt list shows it.
type candidate struct {
	Name, Arch, From, To string
	// Archives are the suites the candidate version comes from
	// ("stable", "stable-security"), in sources-list order.
	Archives []string
}

// parseUpgradable reads apt list --upgradable output in listFormat. Lines
// it does not understand come back as problems.
func parseUpgradable(out string) (cands []candidate, problems []string) {
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 || f[0] == "" || f[3] == "" {
			problems = append(problems, fmt.Sprintf("apt list: unexpected line %q", line))
			continue
		}
		cands = append(cands, candidate{Name: f[0], Arch: f[1], From: f[2], To: f[3], Archives: strings.Split(f[4], ",")})
	}
	return cands, problems
}

// security reports whether a candidate comes from a security suite
// (Debian's bookworm-security, Ubuntu's jammy-security, …).
func (c candidate) security() bool {
	for _, a := range c.Archives {
		if a == "security" || strings.HasSuffix(a, "-security") {
			return true
		}
	}
	return false
}

// parseMadison reads apt-cache madison output ("name | version | source")
// into name → versions, in apt's order, without duplicates. Source
// package lines are left out.
func parseMadison(out string) map[string][]string {
	m := map[string][]string{}
	for line := range strings.Lines(out) {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			continue
		}
		name, ver, src := strings.TrimSpace(f[0]), strings.TrimSpace(f[1]), strings.TrimSpace(f[2])
		if name == "" || ver == "" || strings.HasSuffix(src, " Sources") {
			continue
		}
		if !slices.Contains(m[name], ver) {
			m[name] = append(m[name], ver)
		}
	}
	return m
}

// headFiles reads `head -v -n N FILE…` output: each file's content after
// a "==> FILE <==" line. Files head could not open are absent.
func headFiles(out string, paths []string) map[string]string {
	headers := map[string]string{}
	for _, p := range paths {
		headers["==> "+p+" <=="] = p
	}
	files := map[string]string{}
	var cur string
	var b strings.Builder
	flush := func(next bool) {
		if cur != "" {
			s := b.String()
			if next {
				// head puts an empty line before the next header.
				s = strings.TrimSuffix(s, "\n")
			}
			files[cur] = s
		}
		b.Reset()
	}
	for line := range strings.Lines(out) {
		if p, ok := headers[strings.TrimSuffix(line, "\n")]; ok {
			flush(true)
			cur = p
			continue
		}
		b.WriteString(line)
	}
	flush(false)
	return files
}

// parseOSRelease reads os-release(5): KEY=value lines, values optionally
// quoted.
func parseOSRelease(content string) map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(content) {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
			if line[len(k)+1] == '"' {
				v = unescapeShell(v)
			}
		}
		m[k] = v
	}
	return m
}

// unescapeShell undoes the backslash escapes os-release allows inside
// double quotes.
func unescapeShell(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// dpkgStep is one "Unpacking foo (1.1) over (1.0) ..." or "Setting up
// foo (1.1) ..." line of apt-get install's output.
type dpkgStep struct {
	Line, Name, Version string
}

// parseSteps finds the unpack and configure lines in apt-get output;
// lines without a package name or version are not steps.
func parseSteps(out string) []dpkgStep {
	var steps []dpkgStep
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "Unpacking ")
		if !ok {
			rest, ok = strings.CutPrefix(line, "Setting up ")
		}
		if !ok {
			continue
		}
		name, ver, ok := strings.Cut(rest, " (")
		if !ok {
			continue
		}
		ver, _, ok = strings.Cut(ver, ")")
		name, _, _ = strings.Cut(name, ":") // "libc6:amd64"
		if !ok || name == "" || ver == "" {
			continue
		}
		steps = append(steps, dpkgStep{Line: strings.TrimSuffix(line, " ..."), Name: name, Version: ver})
	}
	return steps
}

// tail is the last n meaningful lines of a command's output, for
// messages: dpkg's "(Reading database ..." progress is left out.
func tail(out string, n int) string {
	var lines []string
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, " \r\n")
		if i := strings.LastIndexByte(line, '\r'); i >= 0 {
			line = line[i+1:]
		}
		if line == "" || strings.HasPrefix(line, "(Reading database") {
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
