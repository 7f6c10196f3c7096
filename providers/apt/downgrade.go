package apt

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// archives is apt's package cache (Dir::Cache::archives), inside the root:
// the .debs apt downloaded, kept until apt-get clean.
const archives = "/var/cache/apt/archives"

// downgradeSources settles where the downgrades among changes come from:
// the host's sources when they offer the version (one apt-cache madison),
// else a .deb of that version in apt's package cache, which the
// transaction then installs by its path. A downgrade to a version neither
// has fails with that reason; apt would refuse the whole transaction for
// it, so the other changes fail too, naming it, and nothing is installed.
// It returns the changes left for the transaction.
func (a *applier) downgradeSources(changes []int) []int {
	var downs []int
	for _, i := range changes {
		if a.actions[i].Type == model.ActionDowngrade {
			downs = append(downs, i)
		}
	}
	if len(downs) == 0 || !a.alive() {
		return changes
	}
	offered, ok := a.madison(downs)
	if !ok {
		a.finishAll(changes)
		return nil
	}
	var missing []int
	for _, i := range downs {
		name, _ := splitArch(a.actions[i].Package)
		if !slices.Contains(offered[name], a.actions[i].To) {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return changes
	}
	cached, ok := a.cachedDebs(missing)
	if !ok {
		a.finishAll(changes)
		return nil
	}
	var lacking []string
	for _, i := range missing {
		if deb, ok := cached[i]; ok {
			a.debs[i] = deb
			continue
		}
		act := a.actions[i]
		a.set(i, sdk.StatusFailed, fmt.Sprintf("%s %s cannot be had: the host's sources do not offer it and apt's package cache (%s) has no .deb of it; %s stays as it is",
			act.Package, act.To, a.t.path(archives), act.Package))
		lacking = append(lacking, act.Package+" "+act.To)
	}
	if len(lacking) == 0 {
		return changes
	}
	for _, i := range changes {
		a.set(i, sdk.StatusFailed, fmt.Sprintf("not carried out: the transaction is all or nothing and %s cannot be had; nothing was installed", strings.Join(lacking, ", ")))
	}
	return nil
}

// madison asks apt which versions the sources offer for the packages of
// the actions idx.
func (a *applier) madison(idx []int) (map[string][]string, bool) {
	var names []string
	for _, i := range idx {
		if name, _ := splitArch(a.actions[i].Package); !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	res, ok := a.runCmd(a.t.apt("apt-cache", append([]string{"madison"}, names...)...), idx)
	if !ok {
		return nil, false
	}
	if res.ExitCode != 0 {
		a.setErr(&sdk.ExitError{Cmd: sdk.Cmd{Argv: []string{"apt-cache", "madison"}}, Result: res})
		a.finishAll(idx)
		return nil, false
	}
	return parseMadison(string(res.Stdout)), true
}

// cachedDebs finds, in apt's package cache, a .deb for each action of idx
// at its target version (one ls), by action index.
func (a *applier) cachedDebs(idx []int) (map[int]string, bool) {
	dir := a.t.path(archives)
	res, ok := a.runCmd(sdk.Cmd{Argv: []string{"ls", "-1", "--", dir}, Env: env}, idx)
	if !ok {
		return nil, false
	}
	// ls exits 2 when there is no cache directory: nothing is cached.
	files := strings.Fields(string(res.Stdout))
	found := map[int]string{}
	for _, i := range idx {
		if f, ok := cachedDeb(files, a.actions[i].Package, a.actions[i].To); ok {
			found[i] = path.Join(dir, f)
		}
	}
	return found, true
}

// cachedDeb picks the file of pkg ("name" or "name:arch") at version out
// of the cache's file names. apt names them NAME_VERSION_ARCH.deb, with
// the epoch's colon written %3a.
func cachedDeb(files []string, pkg, version string) (string, bool) {
	name, arch := splitArch(pkg)
	prefix := name + "_" + strings.ReplaceAll(version, ":", "%3a") + "_"
	for _, f := range files {
		rest, ok := strings.CutPrefix(f, prefix)
		if !ok || !strings.HasSuffix(rest, ".deb") {
			continue
		}
		if a := strings.TrimSuffix(rest, ".deb"); arch == "" || a == arch || a == "all" {
			return f, true
		}
	}
	return "", false
}
