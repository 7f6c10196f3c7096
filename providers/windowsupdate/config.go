package windowsupdate

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Name is the provider's name.
const Name = "windowsupdate"

// Version is the provider's version.
const Version = "0.1.0"

// Config is the provider block.
type Config struct {
	// ServerSelection is IUpdateSearcher.ServerSelection: where the host
	// looks for updates (ssDefault, ssManagedServer, ssWindowsUpdate,
	// ssOthers).
	ServerSelection int
	// ServiceID is IUpdateSearcher.ServiceID, with ServerSelection
	// ssOthers: Microsoft Update (MicrosoftUpdateServiceID) for updates of
	// other Microsoft products too, or another registered service.
	ServiceID string
	// AcceptEula lets Apply accept the license terms of an update that has
	// them (IUpdate.AcceptEula); without it such an update fails.
	AcceptEula bool
}

// IUpdateSearcher.ServerSelection values (wuapi.h ServerSelection).
const (
	ssDefault       = 0
	ssManagedServer = 1
	ssWindowsUpdate = 2
	ssOthers        = 3
)

// serverSelections are the names server_selection takes, after the
// ServerSelection enumeration.
var serverSelections = map[string]int{
	"default":        ssDefault,
	"managed_server": ssManagedServer,
	"windows_update": ssWindowsUpdate,
	"others":         ssOthers,
}

// MicrosoftUpdateServiceID is the service id of Microsoft Update, which
// also offers updates for Office, SQL Server and other Microsoft products.
const MicrosoftUpdateServiceID = "7971f918-a847-4430-9279-4a52d1efe18d"

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseConfig decodes a provider block's attributes (decoded JSON values).
// Unknown attributes and values of the wrong type are errors; a missing
// or null attribute takes its default. A service_id implies
// server_selection "others", and no other.
func ParseConfig(m map[string]any) (Config, error) {
	var cfg Config
	var errs []error
	selection := ""
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if v == nil {
			continue
		}
		switch k {
		case "server_selection", "service_id":
			s, ok := v.(string)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: want a string, got %T", k, v))
				continue
			}
			if k == "service_id" {
				cfg.ServiceID = s
			} else {
				selection = s
			}
		case "accept_eula":
			b, ok := v.(bool)
			if !ok {
				errs = append(errs, fmt.Errorf("accept_eula: want a bool, got %T", v))
				continue
			}
			cfg.AcceptEula = b
		default:
			errs = append(errs, fmt.Errorf("unknown attribute %q (windowsupdate takes server_selection, service_id, accept_eula)", k))
		}
	}
	if err := cfg.setSelection(selection); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

// setSelection checks server_selection and service_id together.
func (c *Config) setSelection(name string) error {
	if c.ServiceID != "" && !guidRE.MatchString(c.ServiceID) {
		return fmt.Errorf("service_id: %q is not a GUID (Microsoft Update is %s)", c.ServiceID, MicrosoftUpdateServiceID)
	}
	if name == "" {
		if c.ServiceID != "" {
			c.ServerSelection = ssOthers
		}
		return nil
	}
	sel, ok := serverSelections[name]
	if !ok {
		return fmt.Errorf("server_selection: %q is not one of %s", name, strings.Join(slices.Sorted(maps.Keys(serverSelections)), ", "))
	}
	if (sel == ssOthers) != (c.ServiceID != "") {
		return errors.New(`server_selection: "others" goes with a service_id, and a service_id with "others"`)
	}
	c.ServerSelection = sel
	return nil
}

// scanParams are the search parameters both scripts take.
func (c Config) scanParams() ScanParams {
	return ScanParams{ServerSelection: c.ServerSelection, ServiceID: c.ServiceID}
}

// Actions are the action types Apply carries out.
var Actions = []string{model.ActionInstall, model.ActionReboot}

// Schema describes the provider.
func Schema() *sdk.SchemaResponse {
	return &sdk.SchemaResponse{
		Name:    Name,
		Version: Version,
		Attributes: []sdk.Attribute{
			{Name: "server_selection", Type: sdk.TypeString,
				Description: `where hosts search for updates: "default" (the WSUS server a policy sets, else Windows Update), "managed_server" (WSUS), "windows_update", or "others" (the service_id)`},
			{Name: "service_id", Type: sdk.TypeString,
				Description: "a registered update service to search, e.g. Microsoft Update " + MicrosoftUpdateServiceID + "; implies server_selection \"others\""},
			{Name: "accept_eula", Type: sdk.TypeBool,
				Description: "accept the license terms of updates that have them when installing; default false (such updates fail)"},
		},
		Actions:       slices.Clone(Actions),
		VersionScheme: sdk.VersionOpaque,
	}
}
