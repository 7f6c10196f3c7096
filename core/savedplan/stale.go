package savedplan

import (
	"fmt"
	"strings"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// CheckStale refuses a saved plan whose configuration or inventory changed
// since it was made: the configuration digest must match, and every host's
// snapshot in the plan's inventory source must have the scanned_at the plan
// recorded.
func CheckStale(sp *model.SavedPlan, cfg *config.Config) error {
	if sp.ConfigDigest != cfg.Digest {
		return fmt.Errorf("the plan is stale: the configuration changed since it was made (%s, now %s); make a new plan", commitid.Short(strings.TrimPrefix(sp.ConfigDigest, "sha256:")), commitid.Short(strings.TrimPrefix(cfg.Digest, "sha256:")))
	}
	spec := strings.TrimPrefix(sp.Plan.Inventory.Source, "dir:")
	inv, _, err := inventory.ReadSource(cfg.Dir, spec)
	if err != nil {
		return fmt.Errorf("checking the plan against its inventory (%s): %w", sp.Plan.Inventory.Source, err)
	}
	for _, h := range sp.Plan.Hosts {
		if len(h.Actions) == 0 {
			continue
		}
		cur := inv[h.Host]
		switch {
		case cur == nil:
			return fmt.Errorf("the plan is stale: host %s has no inventory in %s any more", h.Host, sp.Plan.Inventory.Source)
		case h.ScannedAt == nil || !cur.ScannedAt.Equal(*h.ScannedAt):
			return fmt.Errorf("the plan is stale: host %s was scanned again at %s after the plan's scan; make a new plan", h.Host, cur.ScannedAt.Format("2006-01-02T15:04:05Z07:00"))
		}
	}
	return nil
}
