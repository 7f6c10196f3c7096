package daemon

import (
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/notify"
)

// suspendsEnding lists the suspensions of cfg's policies and hosts that
// have not ended at now, for suspend_expiring notifications (each sink's
// expiring_within picks the close ones): the default Options.Expiring.
func suspendsEnding(cfg *config.Config, now time.Time) []notify.Expiring {
	var out []notify.Expiring
	for _, x := range config.Expiring(cfg, now, 100*365*24*time.Hour) {
		if x.Kind == config.ExpirySuspend {
			out = append(out, notify.Expiring{Host: x.Host, Policy: x.Policy, Reason: x.Reason, Until: x.Until})
		}
	}
	return out
}
