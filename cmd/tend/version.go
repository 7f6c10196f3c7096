package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
)

// version is tend's release version, set at build time with
// -ldflags "-X main.version=v0.2.0".
var version = "0.1.0-dev"

func newVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tend's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(g.stdout, versionText())
			return err
		},
	}
}

// versionText is what tend version and tend --version print.
func versionText() string {
	return fmt.Sprintf("tend %s (%s, %s/%s)\nplan format %s\n", version, revision(), runtime.GOOS, runtime.GOARCH, model.PlanFormatVersion)
}

// revision returns the VCS revision the binary was built from, if known.
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown revision"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return info.GoVersion
	}
	rev = commitid.Short(rev)
	if dirty {
		rev += "-dirty"
	}
	return rev + ", " + info.GoVersion
}
