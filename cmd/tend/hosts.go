package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/fleetauth"
)

type hostsExportFlags struct {
	unmanaged bool
	stateDir  string
	client    string
}

func newHosts(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hosts",
		Short: "Work with the hosts tend knows of",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newHostsExport(g))
	return cmd
}

func newHostsExport(g *globals) *cobra.Command {
	f := &hostsExportFlags{}
	cmd := &cobra.Command{
		Use:   "export --unmanaged --state-dir DIR",
		Short: "Print hosts-file entries for the agents no configuration declares",
		Long: `tend hosts export --unmanaged prints, as a hosts file (the JSON array a
hosts block's file reads, docs/language.md), an entry for every unmanaged
agent: an agent that said hello to tend serve, or whose public key is in the
enrolled-keys directory, for a host no host block or hosts file of the
configuration in force declares. Add the entries to a hosts file in a pull
request; once tend serve applies that commit, the hosts are managed.

It works offline, from tend serve's state directory (--state-dir, the same
as tend serve's): DIR/agents/presence.json, what the controller heard as of
its last reconcile, and the enrolled keys DIR/agents/enrolled/HOST.pub. It
contacts neither NATS nor the agents and needs no configuration checkout.

Each entry has "name", "transport": "agent" and the labels the agent's hello
carried; add the labels your groups and policies select on (a "client"
label puts the host in that client's NATS account). Entries are sorted by
name, one per line. --client keeps the agents whose hello said that client.
With no unmanaged agent it prints [] and says so on stderr.`,
		Example: `  tend hosts export --unmanaged --state-dir /var/lib/tend > inventory/new-agents.json
  tend hosts export --unmanaged --state-dir /var/lib/tend --client acme`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return runHostsExport(g, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.unmanaged, "unmanaged", false, "export the unmanaged agents (required: the only kind of host exported so far)")
	fl.StringVar(&f.stateDir, "state-dir", "", "tend serve's state directory, read offline (required)")
	fl.StringVar(&f.client, "client", "", "only the agents whose hello carried this client label")
	return cmd
}

func runHostsExport(g *globals, f *hostsExportFlags) error {
	switch {
	case !f.unmanaged:
		return errors.New("say what to export: --unmanaged (the agents no configuration declares)")
	case f.stateDir == "":
		return errors.New("--state-dir is required: tend serve's state directory, where it keeps what agents said")
	}
	path := fleet.PresencePath(f.stateDir)
	pf, err := fleet.ReadPresence(path)
	if err != nil {
		return err
	}
	enrolled, err := fleetauth.LoadEnrolled(fleet.EnrolledPath(f.stateDir))
	if err != nil {
		return err
	}
	p := pf.Report(time.Now(), fleet.DefaultStaleAfter, enrolled)
	entries := fleet.HostListEntries(p.Unmanaged, f.client)
	b, err := config.EncodeHostList(entries)
	if err != nil {
		return err
	}
	if _, err := g.stdout.Write(b); err != nil {
		return err
	}
	switch {
	case !pf.Published && len(pf.Hosts) == 0:
		fmt.Fprintf(g.stderr, "No unmanaged agents: %s holds nothing yet (tend serve writes it once agent mode runs).\n", path)
	case len(entries) == 0:
		fmt.Fprintf(g.stderr, "No unmanaged agents in %s.\n", path)
	default:
		fmt.Fprintf(g.stderr, "%d unmanaged %s from %s; add %s to a hosts file in a pull request.\n",
			len(entries), plural(len(entries), "agent", "agents"), path, plural(len(entries), "its entry", "their entries"))
	}
	return nil
}
