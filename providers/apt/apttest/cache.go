package apttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CacheDeb builds p into the root's apt package cache
// (ROOT/var/cache/apt/archives) under the name apt gives a package it
// downloaded (NAME_VERSION_ARCH.deb, an epoch's colon as %3a): a version
// apt fetched once that the sources may no longer offer.
func (r *Root) CacheDeb(t testing.TB, p Pkg) string {
	t.Helper()
	dir := filepath.Join(r.Dir, "var/cache/apt/archives")
	built, err := buildDeb(t.TempDir(), p)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Join([]string{p.Name, strings.ReplaceAll(p.Version, ":", "%3a"), p.arch()}, "_") + ".deb"
	dest := filepath.Join(dir, name)
	data, err := os.ReadFile(built)
	if err == nil {
		err = os.WriteFile(dest, data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dest
}
