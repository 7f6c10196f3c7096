package fleetgen

import (
	"encoding/json"
	"math/rand/v2"

	"github.com/tend-sh/tend/core/model"
)

// snapshotGen makes the hosts' snapshots, one after the other, reusing its
// buffers.
type snapshotGen struct {
	r         *rand.Rand
	cat       *catalog
	installed int
	available int
	picked    []int // indexes into cat.Pkgs of the current host's packages
	outdated  []bool
	snap      model.Snapshot
	inv       model.ProviderInventory
}

func newSnapshotGen(r *rand.Rand, cat *catalog, opts Options) *snapshotGen {
	g := &snapshotGen{
		r: r, cat: cat, installed: opts.Installed, available: opts.Available,
		picked:   make([]int, 0, opts.Installed),
		outdated: make([]bool, opts.Installed),
	}
	g.inv.Installed = make([]model.Installed, 0, opts.Installed)
	g.inv.Available = make([]model.Update, 0, opts.Available)
	g.inv.Versions = map[string][]string{"nginx": {cat.Nginx.Old, cat.Nginx.New}}
	g.snap = model.Snapshot{
		FormatVersion: model.SnapshotFormatVersion,
		ScannedAt:     scannedAt,
		Providers:     map[string]*model.ProviderInventory{"apt": &g.inv},
	}
	return g
}

// snapshot returns the inventory.json of the next host, name.
func (g *snapshotGen) snapshot(name string) ([]byte, error) {
	g.pick()
	g.inv.Installed = g.inv.Installed[:0]
	g.inv.Available = g.inv.Available[:0]
	kernelNew := false
	for k, i := range g.picked {
		p := &g.cat.Pkgs[i]
		version := p.New
		if g.outdated[k] {
			version = p.Old
			g.inv.Available = append(g.inv.Available, model.Update{
				ID: p.Name, Name: p.Name, From: p.Old, To: p.New,
				Classification: p.Classification, CVEs: p.CVEs,
				ReleasedAt: p.ReleasedAt, RebootRequired: p.RebootRequired,
			})
		}
		if p.Name == "linux-image-amd64" {
			kernelNew = !g.outdated[k]
		}
		g.inv.Installed = append(g.inv.Installed, model.Installed{ID: p.Name, Name: p.Name, Version: version, Arch: p.Arch})
	}
	// A host that installed the new kernel runs it, unless it still has to
	// reboot.
	g.inv.PendingReboot = g.r.IntN(20) == 0
	kernel := "6.1.0-26-amd64"
	if kernelNew && !g.inv.PendingReboot {
		kernel = "6.1.0-27-amd64"
	}
	g.inv.Facts = map[string]string{"os": "debian", "release": "12", "kernel": kernel}
	g.snap.Host = name

	data, err := json.MarshalIndent(&g.snap, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// pick chooses the host's packages (every mandatory one and a uniform sample
// of the others, in catalogue order) and which of them are out of date (a
// uniform sample), by selection sampling.
func (g *snapshotGen) pick() {
	g.picked = g.picked[:0]
	need := g.installed - len(mandatory)
	left := len(g.cat.Pkgs) - len(mandatory)
	for i := range g.cat.Pkgs {
		if g.cat.Mandatory[i] {
			g.picked = append(g.picked, i)
			continue
		}
		if g.r.IntN(left) < need {
			g.picked = append(g.picked, i)
			need--
		}
		left--
	}
	need, left = g.available, len(g.picked)
	for k := range g.picked {
		g.outdated[k] = g.r.IntN(left) < need
		if g.outdated[k] {
			need--
		}
		left--
	}
}
