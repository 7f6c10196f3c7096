package apt

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Name is the provider's name.
const Name = "apt"

// Version is the provider's version.
const Version = "0.1.0"

// Config is the provider block.
type Config struct {
	// Root is the directory apt and dpkg act on: "/" (the default) for the
	// running system, or an alternate root such as a chroot or an image
	// build directory.
	Root string
	// Refresh runs apt-get update before scanning.
	Refresh bool
}

// ParseConfig decodes a provider block's attributes (decoded JSON values).
// Unknown attributes and values of the wrong type are errors; a missing
// or null attribute takes its default.
func ParseConfig(m map[string]any) (Config, error) {
	cfg := Config{Root: "/"}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v == nil {
			continue
		}
		switch k {
		case "root":
			s, ok := v.(string)
			if !ok {
				errs = append(errs, fmt.Errorf("root: want a string, got %T", v))
				continue
			}
			root, err := cleanRoot(s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			cfg.Root = root
		case "refresh":
			b, ok := v.(bool)
			if !ok {
				errs = append(errs, fmt.Errorf("refresh: want a bool, got %T", v))
				continue
			}
			cfg.Refresh = b
		default:
			errs = append(errs, fmt.Errorf("unknown attribute %q (apt takes root, refresh)", k))
		}
	}
	return cfg, errors.Join(errs...)
}

// cleanRoot checks a root directory and cleans it.
func cleanRoot(s string) (string, error) {
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("root: %q is not an absolute path", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", fmt.Errorf("root: %q contains control characters", s)
	}
	return path.Clean(s), nil
}

// Actions are the action types Apply carries out.
var Actions = []string{model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade,
	model.ActionHold, model.ActionUnhold, model.ActionReboot}

// Schema describes the provider.
func Schema() *sdk.SchemaResponse {
	return &sdk.SchemaResponse{
		Name:    Name,
		Version: Version,
		Attributes: []sdk.Attribute{
			{Name: "root", Type: sdk.TypeString,
				Description: `directory apt and dpkg act on; default "/" (the running system)`},
			{Name: "refresh", Type: sdk.TypeBool,
				Description: "run apt-get update before scanning; default false"},
		},
		Actions:       slices.Clone(Actions),
		VersionScheme: sdk.VersionDebian,
	}
}
