package main

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The two files, one entry a line; blank lines and lines starting with #
// are ignored:
//
//	state:    NAME VERSION
//	catalog:  NAME VERSION [CLASSIFICATION]

var (
	nameRule    = regexp.MustCompile(`^[a-z0-9][a-z0-9.+_-]*$`)
	versionRule = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
	classRule   = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// checkName and checkVersion keep anything odd out of the files (and out
// of argv, if a provider put them there).
func checkName(s string) error {
	if !nameRule.MatchString(s) {
		return fmt.Errorf("invalid package name %q (lower-case letters, digits and . + _ -)", s)
	}
	return nil
}

func checkVersion(s string) error {
	if !versionRule.MatchString(s) {
		return fmt.Errorf("invalid version %q (dotted numbers such as 1.2.10)", s)
	}
	return nil
}

// checkPath accepts a clean absolute path: it goes into argv.
func checkPath(attr, p string) error {
	if p == "" || !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, "\x00\n") {
		return fmt.Errorf("%s: %q is not a clean absolute path", attr, p)
	}
	return nil
}

// compareVersions compares dotted numeric versions part by part; missing
// parts count as 0, so 1.2 == 1.2.0.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		var x, y uint64
		if i < len(pa) {
			x, _ = strconv.ParseUint(pa[i], 10, 64)
		}
		if i < len(pb) {
			y, _ = strconv.ParseUint(pb[i], 10, 64)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// lines yields the fields of each entry line with its line number.
func lines(data []byte, yield func(n int, fields []string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := yield(n, strings.Fields(line)); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// parseState reads a state file: installed version by package name.
func parseState(data []byte) (map[string]string, error) {
	out := map[string]string{}
	err := lines(data, func(_ int, f []string) error {
		if len(f) != 2 {
			return fmt.Errorf("want NAME VERSION, got %q", strings.Join(f, " "))
		}
		if err := checkName(f[0]); err != nil {
			return err
		}
		if err := checkVersion(f[1]); err != nil {
			return err
		}
		if _, dup := out[f[0]]; dup {
			return fmt.Errorf("package %s is listed twice", f[0])
		}
		out[f[0]] = f[1]
		return nil
	})
	return out, err
}

// offer is one catalog entry.
type offer struct {
	Version        string
	Classification string
}

// catalog holds the offered versions of each package, oldest first.
type catalog map[string][]offer

// parseCatalog reads a catalog file.
func parseCatalog(data []byte) (catalog, error) {
	out := catalog{}
	err := lines(data, func(_ int, f []string) error {
		if len(f) != 2 && len(f) != 3 {
			return fmt.Errorf("want NAME VERSION [CLASSIFICATION], got %q", strings.Join(f, " "))
		}
		if err := checkName(f[0]); err != nil {
			return err
		}
		if err := checkVersion(f[1]); err != nil {
			return err
		}
		o := offer{Version: f[1]}
		if len(f) == 3 {
			if !classRule.MatchString(f[2]) {
				return fmt.Errorf("invalid classification %q", f[2])
			}
			o.Classification = f[2]
		}
		if out.has(f[0], f[1]) {
			return fmt.Errorf("%s %s is listed twice", f[0], f[1])
		}
		out[f[0]] = append(out[f[0]], o)
		return nil
	})
	for _, offers := range out {
		slices.SortStableFunc(offers, func(a, b offer) int { return compareVersions(a.Version, b.Version) })
	}
	return out, err
}

// has reports whether the catalog offers version v of name.
func (c catalog) has(name, v string) bool {
	return slices.ContainsFunc(c[name], func(o offer) bool { return o.Version == v })
}

// newest returns the newest offer of name, if any.
func (c catalog) newest(name string) (offer, bool) {
	offers := c[name]
	if len(offers) == 0 {
		return offer{}, false
	}
	return offers[len(offers)-1], true
}

// versions lists every offered version of name, oldest first.
func (c catalog) versions(name string) []string {
	out := []string{}
	for _, o := range c[name] {
		out = append(out, o.Version)
	}
	return out
}

// renderState writes a state file, packages sorted by name.
func renderState(state map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString("# Installed packages (NAME VERSION), written by tend-provider-textpkg.\n")
	for _, name := range slices.Sorted(maps.Keys(state)) {
		fmt.Fprintf(&b, "%s %s\n", name, state[name])
	}
	return b.Bytes()
}
