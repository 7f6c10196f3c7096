package planner

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/cmd/tend-fleetgen/fleetgen"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// fleet generates a synthetic fleet in memory: the configuration and every
// host's decoded snapshot.
func fleet(b testing.TB, hosts int) (*config.Config, map[string]*model.Snapshot) {
	b.Helper()
	srcs := map[string][]byte{}
	inv := make(map[string]*model.Snapshot, hosts)
	err := fleetgen.Generate(fleetgen.Options{Hosts: hosts, Installed: 1000, Available: 30, Seed: 1},
		func(path string, data []byte) error {
			if strings.HasPrefix(path, fleetgen.SnapshotsDir+"/") {
				s, err := inventory.Parse(path, data, "")
				if err != nil {
					return err
				}
				inv[s.Host] = s
				return nil
			}
			srcs[path] = append([]byte(nil), data...)
			return nil
		})
	if err != nil {
		b.Fatal(err)
	}
	hcl := map[string][]byte{}
	for p, data := range srcs {
		if strings.HasSuffix(p, config.FileSuffix) {
			hcl[p] = data
		}
	}
	cfg, diags := config.LoadSources(fleetgen.ConfigDir, hcl, func(p string) ([]byte, error) {
		if data, ok := srcs[p]; ok {
			return data, nil
		}
		return nil, os.ErrNotExist
	})
	if diags.HasErrors() {
		b.Fatalf("generated config: %s", diags.Error())
	}
	return cfg, inv
}

// BenchmarkPlan plans synthetic fleets of N hosts x 1,000 installed x 30
// available updates, inside the weekend window (so most updates become
// actions) and before it (so they are deferred).
func BenchmarkPlan(b *testing.B) {
	for _, hosts := range []int{100, 1000, 10000} {
		if testing.Short() && hosts > 1000 {
			continue
		}
		cfg, inv := fleet(b, hosts)
		for _, moment := range []struct{ name, at string }{
			{"inside-window", "2026-11-28T22:30:00+01:00"},
			{"outside-window", "2026-11-23T10:00:00Z"},
		} {
			now, _ := time.Parse(time.RFC3339, moment.at)
			b.Run(fmt.Sprintf("hosts=%d/%s", hosts, moment.name), func(b *testing.B) {
				b.ReportAllocs()
				var pl *model.Plan
				for b.Loop() {
					pl, _ = Plan(Input{Config: cfg, Inventory: inv, Now: now})
				}
				b.ReportMetric(float64(pl.Summary.Actions["upgrade"]+pl.Summary.Actions["downgrade"]), "actions")
				b.ReportMetric(float64(pl.Summary.Deferred), "deferred")
			})
		}
	}
}
