package apt

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/plugins/sdk"
)

// simulateOptions make apt-get install a simulation (--simulate: nothing
// is downloaded, unpacked or recorded) that explains itself on stderr:
// Debug::pkgDepCache::AutoInstall says why each package is pulled in or
// removed ("Installing liba:amd64 as Depends of app:amd64", "Removing:
// old:amd64 as upgrade is not an option for app:amd64 (2.0)"), and
// Debug::pkgDepCache::Marker nests every MarkInstall and MarkDelete under
// the one it happened for, which covers what AutoInstall leaves unsaid
// (an upgrade forced by a Breaks).
var simulateOptions = []string{"--simulate",
	"-o", "Debug::pkgDepCache::AutoInstall=true",
	"-o", "Debug::pkgDepCache::Marker=true"}

var (
	// instRE is a simulated install: "Inst NAME [OLD] (NEW ORIGIN [ARCH])",
	// OLD absent for a new package.
	instRE = regexp.MustCompile(`^Inst (\S+) (?:\[(\S+)\] )?\((\S+) `)
	// remvRE is a simulated removal: "Remv NAME [OLD]".
	remvRE = regexp.MustCompile(`^Remv (\S+)(?: \[(\S+)\])?`)
	// becauseRE is AutoInstall's reason for a package: "Installing X as
	// Depends of Y", "Removing: X as upgrade is not an option for Y (2.0)".
	becauseRE = regexp.MustCompile(`^(?:Installing (\S+) as \S+ of (\S+)|Removing: (\S+) as .* for (\S+))`)
	// markRE is a Marker line: "MarkInstall X < … > FU=0", "MarkDelete X …".
	markRE = regexp.MustCompile(`^Mark(?:Install|Delete|Keep) (\S+) `)
)

// parseSimulation reads the transaction from a simulated apt-get install:
// its Inst and Remv lines (stdout), in apt's order, with the kind from
// whether there is an old version and how dpkg orders the two, and
// RequiredBy from the debug lines (stderr) that say which planned package
// each change is for. planned are the packages the actions name.
func parseSimulation(stdout, stderr string, planned []string) []sdk.Change {
	parent := parseReasons(stderr)
	var out []sdk.Change
	for line := range strings.Lines(stdout) {
		line = strings.TrimRight(line, "\n")
		var c sdk.Change
		if m := instRE.FindStringSubmatch(line); m != nil {
			c = sdk.Change{Package: m[1], From: m[2], To: m[3], Kind: sdk.ChangeInstall}
			if c.From != "" {
				switch order := debversion.Compare(c.To, c.From); {
				case order > 0:
					c.Kind = sdk.ChangeUpgrade
				case order < 0:
					c.Kind = sdk.ChangeDowngrade
				default:
					continue // a reinstall changes no version
				}
			}
		} else if m := remvRE.FindStringSubmatch(line); m != nil {
			c = sdk.Change{Package: m[1], From: m[2], Kind: sdk.ChangeRemove}
		} else {
			continue
		}
		if by := requiredBy(c.Package, parent, planned); by != "" {
			c.RequiredBy = []string{by}
		}
		out = append(out, c)
	}
	return out
}

// parseReasons maps each package the debug output mentions to the package
// it was marked for: AutoInstall's stated reason where there is one, else
// the Marker line it is nested under. Names lose their ":arch".
func parseReasons(stderr string) map[string]string {
	stated := map[string]string{}
	nested := map[string]string{}
	type mark struct {
		depth int
		name  string
	}
	var stack []mark // the Marker lines enclosing the current one
	for line := range strings.Lines(stderr) {
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		trimmed = strings.TrimRight(trimmed, "\n")
		if m := becauseRE.FindStringSubmatch(trimmed); m != nil {
			child, by := cmp.Or(m[1], m[3]), cmp.Or(m[2], m[4])
			if _, ok := stated[baseName(child)]; !ok {
				stated[baseName(child)] = baseName(by)
			}
			continue
		}
		m := markRE.FindStringSubmatch(trimmed)
		if m == nil {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].depth >= depth {
			stack = stack[:len(stack)-1]
		}
		name := baseName(m[1])
		if _, ok := nested[name]; !ok && len(stack) > 0 {
			nested[name] = stack[len(stack)-1].name
		}
		stack = append(stack, mark{depth, name})
	}
	for name, by := range stated {
		nested[name] = by
	}
	return nested
}

// requiredBy follows the reasons from pkg up to a planned package; "" for
// a planned package and when the chain reaches none.
func requiredBy(pkg string, parent map[string]string, planned []string) string {
	name := baseName(pkg)
	if slices.Contains(planned, name) {
		return ""
	}
	seen := map[string]bool{name: true}
	for {
		up, ok := parent[name]
		if !ok || seen[up] {
			return ""
		}
		if slices.Contains(planned, up) {
			return up
		}
		seen[up] = true
		name = up
	}
}

// baseName is a package name without its ":arch".
func baseName(pkg string) string {
	name, _ := splitArch(pkg)
	return name
}

// simulationError is a simulation apt refused, in apt's own words: what
// it printed, without the progress lines and the debug output.
func simulationError(args []string, res sdk.Result) error {
	var lines []string
	for line := range strings.Lines(string(res.Stdout)) {
		switch strings.TrimSpace(line) {
		case "Reading package lists...", "Building dependency tree...", "Reading state information...":
			continue
		}
		lines = append(lines, line)
	}
	for line := range strings.Lines(string(res.Stderr)) {
		if !strings.HasPrefix(line, " ") { // debug lines are indented
			lines = append(lines, line)
		}
	}
	return fmt.Errorf("apt-get --simulate %s exited with status %d:\n%s", strings.Join(args, " "), res.ExitCode, tail(strings.Join(lines, ""), tailLines))
}
