package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Lock states of a provider binary, as tend providers --json spells them.
const (
	LockLocked   = "locked"     // the lock file records this checksum
	LockNone     = "not_locked" // the lock file does not record the provider
	LockMismatch = "mismatch"   // the lock file records another checksum
)

// ProviderInfo is one provider binary tend providers found.
type ProviderInfo struct {
	Name string `json:"name"`
	// Version is what the provider said it is; "" when it did not say or
	// failed to start (StartError).
	Version    string `json:"version"`
	StartError string `json:"start_error,omitempty"`
	Protocol   int    `json:"protocol"`
	Checksum   string `json:"checksum"`
	// Lock is LockLocked, LockNone or LockMismatch; LockedChecksum is the
	// lock file's checksum when it is another.
	Lock           string `json:"lock"`
	LockedChecksum string `json:"locked_checksum,omitempty"`
	Path           string `json:"path"`
}

// Providers writes tend providers' list, or where to put provider binaries
// when none was found.
func Providers(w io.Writer, found []ProviderInfo) error {
	if len(found) == 0 {
		_, err := fmt.Fprintln(w, "No providers found. Put tend-provider-NAME binaries next to tend, in .tend/providers or in $TEND_PLUGIN_DIR.")
		return err
	}
	var b strings.Builder
	for _, p := range found {
		fmt.Fprintf(&b, "%-14s %-10s protocol %d  %s  %s\n  %s\n", p.Name, p.versionText(), p.Protocol, p.Checksum, p.lockText(), p.Path)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ProvidersJSON writes the list as tend providers --json prints it:
// {"format_version": "1", "providers": [...]}, in the order given.
func ProvidersJSON(w io.Writer, found []ProviderInfo) error {
	doc := struct {
		FormatVersion string         `json:"format_version"`
		Providers     []ProviderInfo `json:"providers"`
	}{"1", append([]ProviderInfo{}, found...)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func (p ProviderInfo) versionText() string {
	switch {
	case p.StartError != "":
		return "failed to start: " + p.StartError
	case p.Version == "":
		return "?"
	}
	return p.Version
}

func (p ProviderInfo) lockText() string {
	switch p.Lock {
	case LockLocked:
		return "locked"
	case LockMismatch:
		return "lock file has another checksum (" + p.LockedChecksum + ")"
	}
	return "not locked"
}
