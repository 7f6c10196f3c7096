package render

import (
	"fmt"
	"io"
	"strings"
)

// bannerDiagnostics caps the diagnostics the banner quotes; status.json
// holds them all.
const bannerDiagnostics = 10

// RejectedConfig is what tend serve says about a head commit whose
// configuration it did not apply.
type RejectedConfig struct {
	// Head is the rejected commit and Applied the one that stays in force
	// ("" when none ever loaded), both as the daemon shows commits
	// elsewhere (its logs, /readyz), so they read the same.
	Head, Applied string
	// State is why it was rejected ("invalid", "unverified",
	// "fetch_failed") and Problem the explanation.
	State, Problem string
	// Diagnostics are the configuration's errors, "file:line:col: error: …".
	Diagnostics []string
}

// RejectedBanner writes the warning SUMMARY.md starts with while the head
// commit's configuration is rejected: a GitHub alert naming the commit, why
// it was not applied and which configuration stays in force, then the
// first diagnostics as code spans (backticks in them become quotes) and a
// count of the rest, and a blank line.
func RejectedBanner(w io.Writer, r RejectedConfig) error {
	var b strings.Builder
	fmt.Fprintf(&b, "> [!WARNING]\n> **Configuration %s was not applied** (%s): %s.", r.Head, r.State, r.Problem)
	if r.Applied != "" {
		fmt.Fprintf(&b, " The last good configuration %s stays in force.", r.Applied)
	}
	b.WriteString(" Details in status.json.\n")
	for i, dg := range r.Diagnostics {
		if i == bannerDiagnostics {
			fmt.Fprintf(&b, ">\n> … and %d more\n", len(r.Diagnostics)-bannerDiagnostics)
			break
		}
		fmt.Fprintf(&b, ">\n> `%s`\n", strings.ReplaceAll(dg, "`", "'"))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
