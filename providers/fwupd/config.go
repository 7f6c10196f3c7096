package fwupd

import (
	"fmt"
	"maps"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Name is the provider's name.
const Name = "fwupd"

// Version is the provider's version.
const Version = "0.1.0"

// Config is the provider block.
type Config struct {
	// Refresh downloads fresh metadata from the enabled remotes (LVFS, a
	// directory remote) before scanning: fwupdmgr refresh.
	Refresh bool
	// RequireUsableDuringUpdate leaves out devices fwupd does not flag
	// usable-during-update: a device that is unusable while it is written
	// (a network card, the disk a service runs from) is then updated by a
	// person, not by tend.
	RequireUsableDuringUpdate bool
}

// Schema describes the provider.
func Schema() *sdk.SchemaResponse {
	return &sdk.SchemaResponse{
		Name:    Name,
		Version: Version,
		Attributes: []sdk.Attribute{{
			Name: "refresh", Type: sdk.TypeBool,
			Description: "run fwupdmgr refresh (download the remotes' metadata) before scanning; default false",
		}, {
			Name: "require_usable_during_update", Type: sdk.TypeBool,
			Description: "plan only devices fwupd flags usable-during-update (they keep working while they are written); default false",
		}},
		Actions:       []string{sdk.ActionUpgrade, sdk.ActionDowngrade},
		VersionScheme: sdk.VersionFwupd,
	}
}

// ParseConfig decodes the provider block's attributes (decoded JSON
// values). Unknown attributes and values of the wrong type are errors;
// null is the default.
func ParseConfig(m map[string]any) (Config, error) {
	var cfg Config
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v == nil {
			continue
		}
		b, ok := v.(bool)
		switch {
		case k != "refresh" && k != "require_usable_during_update":
			return cfg, fmt.Errorf("unknown attribute %q (fwupd takes refresh and require_usable_during_update)", k)
		case !ok:
			return cfg, fmt.Errorf("%s: want a bool, got %T", k, v)
		case k == "refresh":
			cfg.Refresh = b
		default:
			cfg.RequireUsableDuringUpdate = b
		}
	}
	return cfg, nil
}
