package apt

import (
	"context"
	"fmt"
	"strings"

	"github.com/tend-sh/tend/plugins/sdk"
)

// dpkg's database, inside the root.
const (
	statusFile  = "/var/lib/dpkg/status"
	dpkgJournal = "/var/lib/dpkg/updates/0000" // the first entry dpkg has not merged into statusFile yet
)

// grepStatus reads the lines of dpkg's status file a scan needs.
func grepStatus(ctx context.Context, r sdk.Runner, t target) (string, error) {
	c := sdk.Cmd{Argv: []string{"grep", "-E", statusFields, t.path(statusFile)}, Env: env}
	res, err := r.Run(ctx, c)
	if err != nil {
		return "", fmt.Errorf("grep: %w", err)
	}
	// Exit status 1: no line matched, an empty database.
	if res.ExitCode > 1 {
		return "", &sdk.ExitError{Cmd: c, Result: res}
	}
	return string(res.Stdout), nil
}

// queryStatus asks dpkg-query for every package of the database.
func queryStatus(ctx context.Context, r sdk.Runner, t target) ([]pkgState, error) {
	res, err := sdk.Check(ctx, r, t.dpkgQuery("-W", "-f", statusFormat))
	if err != nil {
		return nil, err
	}
	return parseStatus(string(res.Stdout))
}

// statusFormat is dpkg-query's output format: one package a line.
const statusFormat = "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n"

// pkgState is one package of the dpkg database, as dpkg-query shows it.
type pkgState struct {
	Name, Version, Arch string
	// Abbrev is db:Status-Abbrev: the wanted state (u, i, h, r, p), the
	// current state (n, c, H, U, F, W, t, i) and the error flag (' ', R).
	Abbrev string
	// Source is the status file's Source field as written ("glibc", or
	// "glibc (2.36-9)"); empty when the source package has the binary's
	// name and version, and in dpkg-query's output.
	Source string
}

// source returns the source package and its version: empty when they are
// the binary's (no Source field).
func (p pkgState) source() (name, version string) {
	if p.Source == "" {
		return "", ""
	}
	name, rest, ok := strings.Cut(p.Source, " (")
	if ok {
		version = strings.TrimSuffix(rest, ")")
	}
	return name, version
}

// Installed reports whether the package is installed and configured.
func (p pkgState) Installed() bool { return len(p.Abbrev) >= 2 && p.Abbrev[1] == 'i' }

// Held reports whether the package is on hold.
func (p pkgState) Held() bool { return len(p.Abbrev) >= 1 && p.Abbrev[0] == 'h' }

// OK reports whether the package is installed without an error flag.
func (p pkgState) OK() bool { return p.Installed() && (len(p.Abbrev) < 3 || p.Abbrev[2] == ' ') }

// Known reports whether dpkg has the package in any state but "not
// installed".
func (p pkgState) Known() bool { return len(p.Abbrev) >= 2 && p.Abbrev[1] != 'n' }

// Unfinished reports whether dpkg left the package between states
// (half-installed, unpacked, half-configured, awaiting or pending
// triggers) or wants it reinstalled.
func (p pkgState) Unfinished() bool {
	return len(p.Abbrev) >= 2 && strings.IndexByte("HUFWt", p.Abbrev[1]) >= 0 ||
		len(p.Abbrev) >= 3 && p.Abbrev[2] == 'R'
}

// stateNames are dpkg's names for the current states.
var stateNames = map[byte]string{
	'n': "not installed", 'c': "config-files", 'H': "half-installed", 'U': "unpacked",
	'F': "half-configured", 'W': "triggers-awaited", 't': "triggers-pending", 'i': "installed",
}

// State says dpkg's state in words: "half-configured", "installed, on
// hold", "unpacked, reinstall required".
func (p pkgState) State() string {
	s := "unknown state " + strings.TrimSpace(p.Abbrev)
	if len(p.Abbrev) >= 2 {
		if n, ok := stateNames[p.Abbrev[1]]; ok {
			s = n
		}
	}
	if p.Held() {
		s += ", on hold"
	}
	if len(p.Abbrev) >= 3 && p.Abbrev[2] == 'R' {
		s += ", reinstall required"
	}
	return s
}

// Describe says the version and state in words: "1.1 (half-configured)".
func (p pkgState) Describe() string { return p.Version + " (" + p.State() + ")" }

// parseStatus reads dpkg-query -W -f statusFormat output.
func parseStatus(out string) ([]pkgState, error) {
	var pkgs []pkgState
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || len(f[3]) < 2 {
			return nil, fmt.Errorf("dpkg-query: unexpected line %q", line)
		}
		pkgs = append(pkgs, pkgState{Name: f[0], Version: f[1], Arch: f[2], Abbrev: f[3]})
	}
	return pkgs, nil
}

// statusFields is the grep pattern for the lines of dpkg's status file a
// scan needs. Fields start at the beginning of a line (continuation lines
// start with a space), and every stanza starts with Package (deb-status(5)).
const statusFields = "^(Package|Status|Version|Architecture|Source): "

// Letters of db:Status-Abbrev for the words of a Status field ("want eflag
// status"), as dpkg-query prints them.
var (
	wantAbbrev   = map[string]byte{"unknown": 'u', "install": 'i', "hold": 'h', "deinstall": 'r', "purge": 'p'}
	eflagAbbrev  = map[string]byte{"ok": ' ', "reinstreq": 'R'}
	statusAbbrev = map[string]byte{"not-installed": 'n', "config-files": 'c', "half-installed": 'H', "unpacked": 'U',
		"half-configured": 'F', "triggers-awaited": 'W', "triggers-pending": 't', "installed": 'i'}
)

// parseStatusFile reads the Package, Status, Version and Architecture
// lines of dpkg's status file (as grep statusFields prints them) into the
// same entries dpkg-query -W -f statusFormat gives.
func parseStatusFile(out string) ([]pkgState, error) {
	pkgs := make([]pkgState, 0, strings.Count(out, "Package: "))
	for line := range strings.Lines(out) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
		if !ok {
			return nil, fmt.Errorf("dpkg status: unexpected line %q", line)
		}
		if k == "Package" {
			if v == "" {
				return nil, fmt.Errorf("dpkg status: %q without a name", line)
			}
			pkgs = append(pkgs, pkgState{Name: v})
			continue
		}
		if len(pkgs) == 0 {
			return nil, fmt.Errorf("dpkg status: %q before the first Package", line)
		}
		p := &pkgs[len(pkgs)-1]
		switch k {
		case "Version":
			p.Version = v
		case "Architecture":
			p.Arch = v
		case "Source":
			p.Source = v
		case "Status":
			f := strings.Fields(v)
			if len(f) != 3 {
				return nil, fmt.Errorf("dpkg status: %s: bad Status %q", p.Name, v)
			}
			w, ok1 := wantAbbrev[f[0]]
			e, ok2 := eflagAbbrev[f[1]]
			st, ok3 := statusAbbrev[f[2]]
			if !ok1 || !ok2 || !ok3 {
				return nil, fmt.Errorf("dpkg status: %s: bad Status %q", p.Name, v)
			}
			p.Abbrev = string([]byte{w, st, e})
		}
	}
	for _, p := range pkgs {
		if p.Abbrev == "" {
			return nil, fmt.Errorf("dpkg status: %s has no Status", p.Name)
		}
	}
	return pkgs, nil
}
