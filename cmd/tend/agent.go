package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tend-sh/tend/core/agent"
	"github.com/tend-sh/tend/plugins/loader"
)

// agentFlags are the flags of tend agent run.
type agentFlags struct {
	urls             []string
	creds, nkey, ca  string
	jsDomain         string
	host             string
	groups           []string
	stateDir         string
	pluginDir        string
	scanInterval     time.Duration
	revisionInterval time.Duration
	heartbeat        time.Duration
	reconnectMin     time.Duration
	reconnectMax     time.Duration
}

// DefaultAgentStateDir is where tend agent keeps its state unless told.
const defaultAgentStateDir = "/var/lib/tend-agent"

func newAgent(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run tend on a host as an agent of tend serve, over NATS (run, enroll, accept, issue, creds)",
		Long: `tend agent runs on each host of a large fleet: the controller (tend serve)
plans centrally and sends each agent its part of the plan over NATS
JetStream; the agent applies it through the local transport with the same
providers and lock-file checks tend apply uses, and publishes scans and
results. See docs/agents.md.

  tend agent enroll   create the host's nkey and print its public key (on the host)
  tend agent accept   admit that key to tend serve's embedded NATS server (controller side)
  tend agent issue    sign a host's public key into its user JWT (operator side)
  tend agent creds    join that JWT and the host's seed into a .creds file (on the host)
  tend agent run      run the agent (what the systemd unit starts)`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmd.Help(); err != nil {
				return err
			}
			return exitError{1}
		},
	}
	cmd.AddCommand(newAgentRun(g), newAgentEnroll(g), newAgentIssue(g), newAgentCreds(g), newAgentAccept(g))
	return cmd
}

func newAgentRun(g *globals) *cobra.Command {
	f := &agentFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the agent until stopped",
		Long: `Connects to the NATS servers (--nats), as the host's user (--creds FILE, or
the nkey seed tend agent enroll made, --nkey, default STATE_DIR/agent.nk when
present), and then, until SIGTERM or Ctrl-C:

  - follows the desired state of each --group: on connect and every
    reconnect, every --revision-interval (±25%) and on each update pushed to
    tend.desired.<group>, it keeps the newest revision in --state-dir and
    loads its configuration there, so windows, freezes and suspensions are
    judged on the host even while the controller is unreachable;
  - applies the jobs sent to tend.cmd.<host>, one at a time (another is
    answered "busy"): a job past its not_after is refused "expired", one
    planned from another config commit is refused, one whose windows are
    closed is refused "held"; the job is recorded in --state-dir before
    anything changes, so an agent killed mid-apply resumes it when it
    starts again (what was done is skipped) and says so (resumed);
  - scans the host every --scan-interval and after each job, as tend scan
    does, and publishes the snapshot;
  - says hello on connect and every --heartbeat.

Results and scans go through an outbox in --state-dir: made while
disconnected, they are published once the agent reconnects (JetStream
stores each once, by its message id). Reconnects wait a random
--reconnect-min to --reconnect-max, doubled after each failed attempt (up
to 5m), so a fleet does not come back as one herd.

Providers are found as tend apply finds them (--plugin-dir, then
$TEND_PLUGIN_DIR, then next to tend), each checked against the
.tend.lock.hcl of the desired configuration. The host name must be the
host's name in the configuration.`,
		Example: `  tend agent run --nats tls://nats.example.net:4222 --tls-ca /etc/tend/ca.pem \
    --creds /var/lib/tend-agent/agent.creds --group acme_web --host web_1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAgent(g, f) },
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&f.urls, "nats", nil, "NATS server URL (repeat or comma-separate for several)")
	fl.StringVar(&f.creds, "creds", "", "NATS credentials file (JWT and seed) of the host's user")
	fl.StringVar(&f.nkey, "nkey", "", "file holding the host's nkey seed (default STATE_DIR/agent.nk when present and no --creds)")
	fl.StringVar(&f.ca, "tls-ca", "", "PEM file of the CAs that sign the NATS servers' certificates")
	fl.StringVar(&f.jsDomain, "js-domain", "", "JetStream domain of the hub, for agents connected through a leaf node")
	fl.StringVar(&f.host, "host", "", "this host's name in the configuration (default: the machine's host name)")
	fl.StringSliceVar(&f.groups, "group", nil, "group whose desired state the agent follows (repeat for several)")
	fl.StringVar(&f.stateDir, "state-dir", defaultAgentStateDir, "where the agent keeps desired state, the running job, its journal and outbox")
	fl.StringVar(&f.pluginDir, "plugin-dir", "", "directory searched first for provider binaries (as $TEND_PLUGIN_DIR)")
	fl.DurationVar(&f.scanInterval, "scan-interval", time.Hour, "time between scans of the host")
	fl.DurationVar(&f.revisionInterval, "revision-interval", 5*time.Minute, "time between checks of the groups' desired-state revisions (±25%)")
	fl.DurationVar(&f.heartbeat, "heartbeat", time.Minute, "time between hello messages")
	fl.DurationVar(&f.reconnectMin, "reconnect-min", 10*time.Second, "shortest random wait before a reconnect attempt")
	fl.DurationVar(&f.reconnectMax, "reconnect-max", 30*time.Second, "longest random wait before the first reconnect attempt")
	return cmd
}

func runAgent(g *globals, f *agentFlags) error {
	if f.host == "" {
		h, err := os.Hostname()
		if err != nil {
			return fmt.Errorf("--host not given and the host name is unknown: %w", err)
		}
		f.host, _, _ = strings.Cut(h, ".")
	}
	if len(f.urls) == 0 {
		return errors.New("--nats: give the URL of a NATS server")
	}
	if f.nkey == "" && f.creds == "" {
		if p := filepath.Join(f.stateDir, agent.SeedFile); fileExists(p) {
			f.nkey = p
		}
	}
	if f.pluginDir != "" {
		if err := os.Setenv(loader.EnvPluginDir, f.pluginDir); err != nil {
			return err
		}
	}
	return agent.Run(g.ctx, agent.Options{
		URLs: f.urls, Creds: f.creds, NkeySeed: f.nkey, CA: f.ca, JSDomain: f.jsDomain,
		Host: f.host, Groups: f.groups, StateDir: f.stateDir,
		ScanInterval: f.scanInterval, RevisionInterval: f.revisionInterval, Heartbeat: f.heartbeat,
		ReconnectMin: f.reconnectMin, ReconnectMax: f.reconnectMax,
		AgentVersion: version, Log: g.log,
	})
}

func newAgentEnroll(g *globals) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "Create the host's nkey and print its public key",
		Long: `Creates the host's NATS nkey (a user key) the first time, its seed in
STATE_DIR/agent.nk readable by root only (0600), and prints its public key on
stdout; run again, it prints the same key. The controller's operator signs
that public key into the host's credentials (docs/agents.md); give them to
tend agent run with --creds, or, on a server that trusts nkeys directly,
tend agent run uses the seed as it is.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pub, created, err := agent.Enroll(stateDir)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(g.stderr, "Created the host's nkey; its seed is %s.\n", filepath.Join(stateDir, agent.SeedFile))
			}
			fmt.Fprintln(g.stdout, pub)
			return nil
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", defaultAgentStateDir, "the agent's state directory")
	return cmd
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
