package render

import (
	"fmt"
	"io"
	"strings"
)

// ProviderInfo is one provider binary tend providers found.
type ProviderInfo struct {
	Name string
	// Version is what the provider said it is, "?" when it did not say,
	// or why it failed to start.
	Version  string
	Protocol int
	Checksum string
	// Lock is how the lock file records it: "locked", "not locked" or the
	// other checksum it holds.
	Lock string
	Path string
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
		fmt.Fprintf(&b, "%-14s %-10s protocol %d  %s  %s\n  %s\n", p.Name, p.Version, p.Protocol, p.Checksum, p.Lock, p.Path)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
