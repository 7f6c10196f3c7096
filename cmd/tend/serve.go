package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/commitsig"
	"github.com/tend-sh/tend/core/daemon"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/webhook"
)

// serveFlags are the flags of tend serve.
type serveFlags struct {
	repo, branch, path      string
	interval                time.Duration
	webhookAddr, secretFile string
	metricsAddr             string
	webhookMaxBody          int64
	reportsBranch, stateDir string
	allowedSigners, keyring string
	revokedKeys             string
	tokenFile, tokenEnv     string
	tokenUser               string
	sshKey, knownHosts      string
	rebootTimeout           time.Duration
	once                    bool
	html                    bool
	allowRewind             string
	scanInterval            time.Duration
	scanConcurrency         int
	scanOnly                bool
	nats, natsCreds, natsCA string
	natsListen              string
	agentTimeout            time.Duration
	agentStaleAfter         time.Duration
	reportInterval          time.Duration
	reportsPerClient        bool
}

func newServe(g *globals) *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: watch the Git repository, apply what is due, commit reports back",
		Long: `Keeps a local clone of the configuration repository (--repo, --branch,
--path) in --state-dir and reconciles at start, every --interval (±10%) and on
every verified push webhook:

  1. fetch the branch (a webhook's commit is waited for until it is visible);
  2. verify the head commit's signature (--allowed-signers, --trusted-keyring),
     then load its configuration. A commit that does not verify or load is
     reported (logs, /readyz, status.json and SUMMARY.md on the reports
     branch) and never applied: the last good configuration stays in force.
     So is a head that does not descend from the configuration in force
     (the branch was rewound or rewritten), signed or not, unless
     --allow-rewind names it;
  3. scan the targeted hosts through the providers: each at most every
     --scan-interval (default 1h; 0 scans every host on every reconcile),
     sooner after a new configuration commit or a failed scan, and always
     right before anything is applied to it; --scan-concurrency hosts at once;
  4. plan, with ring progress and first-seen times from the reports branch;
  5. apply what is due now: windows, rings in order with soak, max_parallel,
     max_failures (the policy's rollout halts until a new config commit),
     health checks after each host, reboots waited for;
  6. re-scan the hosts that changed and commit the reports layout to the
     reports branch (never force-pushed; unchanged reports make no commit);
     with --html, the HTML compliance report too, under html/. A branch gets
     at most one commit per --report-interval (default 1m): reports that
     change sooner are held back in the state dir and committed together,
     one commit for every client's changes, by the first reconcile after
     it (--once and a shutdown commit what they hold at once). With
     --reports-per-client each client label also gets a branch of its own,
     <reports-branch>-clients/<client>, with only its hosts and summary.

Before a host is touched its intent is written and fsynced to the apply
journal in --state-dir; after a crash the unfinished actions are re-scanned
and reported interrupted or succeeded, never re-run blindly.

SIGTERM or Ctrl-C lets running hosts finish, starts no new ones, writes the
reports and exits; a second signal stops at once.

The webhook endpoint is POST /webhook on --webhook-addr: GitHub
(X-Hub-Signature-256), GitLab (X-Gitlab-Token) or generic
(X-Tend-Signature: sha256=HMAC) with the secret in --webhook-secret-file; a
bad signature gets 401. Bodies over --webhook-max-body get 413 unread, a
delivery already accepted is acknowledged and not triggered again, and slow
or numerous clients are cut off by timeouts and a connection limit.
/healthz, /readyz with the reason it is not ready, and /metrics (Prometheus)
are served on --metrics-addr; keep it on a private address. --webhook-addr
answers /healthz and /readyz without reasons, and /metrics too when there is
no separate --metrics-addr.

--scan-only never applies anything: hosts are scanned, planned and reported
(compliance, plans in the logs), the inventory-and-compliance-only
deployment to run first. To hold one policy or host instead, give it a
suspend block (docs/language.md).

--once runs one reconcile, makes one attempt at the notifications it
queued (what fails waits in the state dir for the next run) and exits: 0
when the head's configuration is in force and the reconcile finished, 1
otherwise (for cron and CI).

Notifications (notify blocks) are sent from an outbox in the state dir by a
worker that never holds up a reconcile; see docs/operations.md.`,
		Example: `  tend serve --repo git@github.com:acme/patching.git --known-hosts /etc/tend/known_hosts \
    --ssh-key /etc/tend/deploy_key --state-dir /var/lib/tend \
    --webhook-addr :8080 --webhook-secret-file /etc/tend/webhook-secret
  tend serve --once --repo file:///srv/git/patching.git --state-dir /var/lib/tend`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.repo, "repo", "", "configuration repository: file:///path, /path, ssh://user@host/repo.git, user@host:repo.git or https://host/repo.git (required)")
	fl.StringVar(&f.branch, "branch", "main", "branch to watch")
	fl.StringVar(&f.path, "path", "", "directory of the repository holding the *.tend.hcl files (default: its root)")
	fl.DurationVar(&f.interval, "interval", time.Minute, "time between polls (±10% jitter)")
	fl.StringVar(&f.webhookAddr, "webhook-addr", "", "serve POST /webhook (and /healthz, /readyz, /metrics) on this address, e.g. :8080")
	fl.StringVar(&f.secretFile, "webhook-secret-file", "", "file holding the webhook secret (required with --webhook-addr)")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve /metrics, /healthz and /readyz on this address, e.g. 127.0.0.1:9100")
	fl.Int64Var(&f.webhookMaxBody, "webhook-max-body", webhook.DefaultMaxBody, fmt.Sprintf("largest webhook body accepted, in bytes (at most %d); a larger one gets 413 before its signature is checked", webhook.MaxBodyLimit))
	fl.StringVar(&f.reportsBranch, "reports-branch", "", "branch the reports are committed to (default: tend { reports_branch }, else tend/reports)")
	fl.StringVar(&f.stateDir, "state-dir", "", "directory for the clone, the apply journal and exported configurations (required; one daemon per directory)")
	fl.StringVar(&f.allowedSigners, "allowed-signers", "", "apply only commits signed by an SSH key in this allowed-signers file (git's gpg.ssh.allowedSignersFile format)")
	fl.StringVar(&f.revokedKeys, "revoked-keys", "", "refuse commits signed by an SSH key in this file (public keys one per line, git's gpg.ssh.revocationFile) even when --allowed-signers lists it")
	fl.StringVar(&f.keyring, "trusted-keyring", "", "apply only commits signed by an OpenPGP key in this armored keyring (with --allowed-signers: either)")
	fl.StringVar(&f.tokenFile, "token-file", "", "https: file holding the access token")
	fl.StringVar(&f.tokenEnv, "token-env", "", "https: environment variable holding the access token (when no --token-file)")
	fl.StringVar(&f.tokenUser, "token-user", gitsource.DefaultTokenUser, "https: user name sent with the token (GitLab: oauth2)")
	fl.StringVar(&f.sshKey, "ssh-key", "", "ssh: private key file (default: ssh-agent)")
	fl.StringVar(&f.knownHosts, "known-hosts", "", "ssh: known_hosts file the server's key must be in (default ~/.ssh/known_hosts)")
	fl.DurationVar(&f.rebootTimeout, "reboot-timeout", 15*time.Minute, "how long to wait for a host to come back from a reboot")
	fl.BoolVar(&f.once, "once", false, "run one reconcile and exit")
	fl.DurationVar(&f.scanInterval, "scan-interval", time.Hour, "how long a host's scan serves reconciles before the host is scanned again (0: every reconcile)")
	fl.IntVar(&f.scanConcurrency, "scan-concurrency", daemon.DefaultScanConcurrency, "how many hosts are scanned (and have their transactions resolved) at once")
	fl.BoolVar(&f.scanOnly, "scan-only", false, "scan, plan and report; never apply anything")
	fl.DurationVar(&f.reportInterval, "report-interval", time.Minute, "least time between two commits of a reports branch: reports that change sooner are held back (in the state dir) and committed together once it has passed (0: commit on every reconcile)")
	fl.BoolVar(&f.reportsPerClient, "reports-per-client", false, "also commit each client label's reports (its hosts and summary) to a branch of its own, <reports-branch>-clients/<client>")
	fl.BoolVar(&f.html, "html", false, "also commit the HTML compliance report (as tend report --html writes it) under html/ on the reports branch, for a Git host's Pages")
	fl.StringVar(&f.allowRewind, "allow-rewind", "", "apply this commit (7-40 hex digits) once although it does not descend from the configuration in force (a rewound or rewritten branch)")
	fl.StringVar(&f.nats, "nats", "", "agent hosts: NATS server URL of the controller (default: an embedded server on --nats-listen when the configuration has agent hosts)")
	fl.StringVar(&f.natsCreds, "nats-creds", "", "agent hosts: NATS credentials file (user JWT and nkey seed) for --nats")
	fl.StringVar(&f.natsCA, "nats-ca", "", "agent hosts: CA file to verify the --nats server's TLS certificate with")
	fl.StringVar(&f.natsListen, "nats-listen", fleet.DefaultListen, "agent hosts: where the embedded NATS server listens when there is no --nats (it admits the agents of keys accepted with tend agent accept)")
	fl.DurationVar(&f.agentTimeout, "agent-timeout", 30*time.Minute, "agent hosts: how long to wait for an agent's result before the host fails as unreachable")
	fl.DurationVar(&f.agentStaleAfter, "agent-stale-after", fleet.DefaultStaleAfter, "agent hosts: how long a declared agent host may send neither hello nor scan before it is reported stale (3 of the agent's default 1h scan intervals)")
	return cmd
}

// Validate refuses incomplete or unsafe flag sets before anything is
// touched.
func (f *serveFlags) Validate() error {
	switch {
	case f.repo == "":
		return errors.New("--repo is required")
	case f.stateDir == "":
		return errors.New("--state-dir is required")
	case f.webhookAddr != "" && f.secretFile == "":
		return errors.New("--webhook-addr needs --webhook-secret-file: unauthenticated webhooks are never accepted")
	case f.webhookMaxBody < 1 || f.webhookMaxBody > webhook.MaxBodyLimit:
		return fmt.Errorf("--webhook-max-body %d: want 1 to %d bytes (GitHub sends at most 25 MiB)", f.webhookMaxBody, webhook.MaxBodyLimit)
	case f.interval <= 0:
		return errors.New("--interval must be positive")
	case f.reportInterval < 0:
		return errors.New("--report-interval must not be negative")
	case f.scanInterval < 0:
		return errors.New("--scan-interval must not be negative")
	case f.scanConcurrency < 1:
		return errors.New("--scan-concurrency must be at least 1")
	case f.agentTimeout <= 0:
		return errors.New("--agent-timeout must be positive")
	case f.agentStaleAfter <= 0:
		return errors.New("--agent-stale-after must be positive")
	case (f.natsCreds != "" || f.natsCA != "") && f.nats == "":
		return errors.New("--nats-creds and --nats-ca need --nats")
	case f.revokedKeys != "" && f.allowedSigners == "":
		return errors.New("--revoked-keys needs --allowed-signers: it revokes SSH keys those trust")
	}
	return nil
}

func runServe(g *globals, f *serveFlags) error {
	stateDir, err := filepath.Abs(f.stateDir)
	if err != nil {
		return err
	}
	var secret []byte
	if f.webhookAddr != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return fmt.Errorf("--webhook-secret-file: %w", err)
		}
		if secret = []byte(strings.TrimSpace(string(b))); len(secret) == 0 {
			return fmt.Errorf("--webhook-secret-file: %s is empty", f.secretFile)
		}
	}
	verifier, err := loadVerifier(f)
	if err != nil {
		return err
	}
	m := metrics.New()
	agents, err := newServeFleet(g.ctx, f, stateDir, g.log)
	if err != nil {
		return err
	}
	defer agents.Close()
	// One reconcile (--once) has nothing to batch: it commits what changed.
	reportInterval := f.reportInterval
	if f.once {
		reportInterval = 0
	}
	// The daemon takes the state dir's lock before it opens the clone.
	d, err := daemon.New(daemon.Options{
		Git: gitsource.Options{
			URL: f.repo, Branch: f.branch, Path: f.path,
			TokenFile: f.tokenFile, TokenEnv: f.tokenEnv, TokenUser: f.tokenUser,
			SSHKeyFile: f.sshKey, KnownHostsFile: f.knownHosts, Log: g.log,
		},
		Verifier: verifier, StateDir: stateDir, ReportsBranch: f.reportsBranch, HTML: f.html, AllowRewind: f.allowRewind,
		RewindHint: rewindHint, Interval: f.interval, Log: g.log, Metrics: m, RebootTimeout: f.rebootTimeout,
		ScanInterval: f.scanInterval, ScanConcurrency: f.scanConcurrency, ScanOnly: f.scanOnly,
		Fleet: agents, FeedClient: feedsClient, ReportInterval: reportInterval, ReportsPerClient: f.reportsPerClient,
	})
	if err != nil {
		return withURLSecretHint(err)
	}
	defer d.Close()

	// The first SIGTERM/Ctrl-C drains, the second cancels.
	ctx, cancel := context.WithCancel(context.WithoutCancel(g.ctx))
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		n := 0
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-sigs:
				n++
				if n == 1 {
					g.log.WithField("signal", s.String()).Warn("shutting down: running hosts finish, reports are written; signal again to stop at once")
					d.Drain()
					continue
				}
				g.log.Warn("stopping at once")
				cancel()
				return
			}
		}
	}()

	if f.once {
		out, err := d.Reconcile(ctx, plumbing.ZeroHash)
		flush, stopFlush := context.WithTimeout(ctx, time.Minute)
		d.FlushNotifications(flush) // what is not sent waits for the next run
		stopFlush()
		if err != nil {
			return err
		}
		if out.State != daemon.StateOK {
			_, why := d.Ready()
			fmt.Fprintln(g.stderr, "tend serve: "+why)
			return exitError{1}
		}
		return nil
	}

	servers, err := listen(g, f, d, m, secret)
	if err != nil {
		return err
	}
	g.log.WithFields(map[string]any{"repo": d.Source().URL(), "branch": f.branch, "interval": f.interval.String(),
		"scan_interval": f.scanInterval.String(), "scan_only": f.scanOnly}).Info("tend serve started")
	err = d.Run(ctx)
	shutdown, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	_ = servers.Shutdown(shutdown)
	g.log.Info("tend serve stopped")
	return err
}

// loadVerifier builds the commit signature verifier, or nil when no trust
// is configured.
func loadVerifier(f *serveFlags) (*commitsig.Verifier, error) {
	if f.allowedSigners == "" && f.keyring == "" {
		return nil, nil
	}
	var signers []commitsig.AllowedSigner
	if f.allowedSigners != "" {
		s, err := commitsig.LoadAllowedSigners(f.allowedSigners)
		if err != nil {
			return nil, fmt.Errorf("--allowed-signers: %w", err)
		}
		signers = s
	}
	v := commitsig.New(signers, nil)
	if f.keyring != "" {
		k, err := commitsig.LoadKeyring(f.keyring)
		if err != nil {
			return nil, fmt.Errorf("--trusted-keyring: %w", err)
		}
		v = commitsig.New(signers, k)
	}
	if f.revokedKeys != "" {
		keys, err := commitsig.LoadRevokedKeys(f.revokedKeys)
		if err != nil {
			return nil, fmt.Errorf("--revoked-keys: %w", err)
		}
		v = v.WithRevoked(keys)
	}
	return v, nil
}

// listen starts the HTTP servers: the public webhook address and, if
// different, the metrics address.
func listen(g *globals, f *serveFlags, d *daemon.Daemon, m *metrics.Metrics, secret []byte) (*daemon.Servers, error) {
	var wh http.Handler
	if f.webhookAddr != "" {
		wh = &webhook.Handler{Secret: secret, Branch: f.branch, Trigger: d.Notify, Log: g.log, MaxBody: f.webhookMaxBody,
			Observe: func(result string) { m.Webhooks.WithLabelValues(result).Inc() }}
	}
	return d.Serve(daemon.ServeOptions{WebhookAddr: f.webhookAddr, Webhook: wh, MetricsAddr: f.metricsAddr,
		Limits: daemon.DefaultHTTPLimits()})
}

// urlSecretHints say which flags take the secret a refused --repo URL held.
var urlSecretHints = []struct {
	err  error
	hint string
}{
	{gitsource.ErrURLCredentials, "put the token in --token-file (or --token-env) and the user name in --token-user"},
	{gitsource.ErrURLPassword, "authenticate with --ssh-key or ssh-agent"},
	{gitsource.ErrURLQuery, "put the token in --token-file (or --token-env)"},
}

// withURLSecretHint adds to a refused --repo URL where its secret belongs.
func withURLSecretHint(err error) error {
	for _, h := range urlSecretHints {
		if errors.Is(err, h.err) {
			return fmt.Errorf("%w: %s", err, h.hint)
		}
	}
	return err
}

// rewindHint tells the operator of a refused rewind how to apply the
// commit anyway.
func rewindHint(commit string) string { return "restart with --allow-rewind " + commit }
