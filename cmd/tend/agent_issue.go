package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/fleetauth"
)

type agentIssueArgs struct {
	nkey, client, accountSeed, out string
	ttl                            time.Duration
}

func newAgentIssue(g *globals) *cobra.Command {
	var a agentIssueArgs
	cmd := &cobra.Command{
		Use:   "issue HOST --nkey PUBLIC_KEY --account-seed FILE [-o FILE.jwt]",
		Short: "Sign a host's public nkey into its agent user JWT",
		Long: `tend agent issue signs the user JWT of HOST's agent: it may publish only
tend.results.HOST, tend.scans.HOST, tend.hello.HOST and the direct gets of its
groups' desired state, and subscribe only tend.cmd.HOST, its groups'
tend.desired.GROUP subjects and its inbox _INBOX_HOST.>. HOST must be declared
in the configuration (-C); its groups and its client (label "client") come
from there. --account-seed is the seed file of that client's account (as nsc
keeps it, SA…). The JWT holds no secret: copy it to the host any way you like.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.nkey == "" || a.accountSeed == "" {
				return fmt.Errorf("--nkey and --account-seed are required")
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			seed, err := os.ReadFile(a.accountSeed)
			if err != nil {
				return err
			}
			is, err := fleetauth.IssueAgent(cfg, args[0], a.client, a.nkey, seed, a.ttl)
			clear(seed)
			if err != nil {
				return err
			}
			if a.out == "" {
				_, err = fmt.Fprintln(g.stdout, is.JWT)
				return err
			}
			if err := fleetauth.WriteSecret(a.out, []byte(is.JWT+"\n")); err != nil {
				return err
			}
			groups := strings.Join(is.Groups, ", ")
			if groups == "" {
				groups = "none"
			}
			_, err = fmt.Fprintf(g.stdout, "Wrote %s: agent %s in account %s, groups %s.\nOn the host: tend agent creds --jwt %s --seed SEED -o HOST.creds\n", a.out, is.Host, is.Client, groups, a.out)
			return err
		},
	}
	cmd.Flags().StringVar(&a.nkey, "nkey", "", "the host's public user nkey (U…), as tend agent enroll printed it")
	cmd.Flags().StringVar(&a.client, "client", "", "refuse unless the host belongs to this client (guards against signing with the wrong account's seed)")
	cmd.Flags().StringVar(&a.accountSeed, "account-seed", "", "file holding the seed of the client's NATS account (SA…)")
	cmd.Flags().StringVarP(&a.out, "out", "o", "", "write the JWT to this file (mode 0600) instead of stdout")
	cmd.Flags().DurationVar(&a.ttl, "ttl", 0, "the JWT expires after this long (0: never; revoke in the account instead)")
	return cmd
}

func newAgentCreds(g *globals) *cobra.Command {
	var jwtFile, seedFile, out string
	cmd := &cobra.Command{
		Use:   "creds --jwt FILE.jwt --seed SEED_FILE -o FILE.creds",
		Short: "Join an issued user JWT and the host's seed into a .creds file",
		Long: `tend agent creds runs on the agent host: it joins the user JWT tend agent
issue signed with the seed tend agent enroll created into a NATS .creds file
(mode 0600) for tend agent --creds. It refuses a JWT issued for another key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if jwtFile == "" || seedFile == "" || out == "" {
				return fmt.Errorf("--jwt, --seed and -o are required")
			}
			tok, err := os.ReadFile(jwtFile)
			if err != nil {
				return err
			}
			seed, err := os.ReadFile(seedFile)
			if err != nil {
				return err
			}
			defer clear(seed)
			b, err := fleetauth.HostCreds(strings.TrimSpace(string(tok)), seed)
			if err != nil {
				return err
			}
			defer clear(b)
			if err := fleetauth.WriteSecret(out, b); err != nil {
				return err
			}
			_, err = fmt.Fprintf(g.stdout, "Wrote %s (mode 0600).\n", out)
			return err
		},
	}
	cmd.Flags().StringVar(&jwtFile, "jwt", "", "the user JWT from tend agent issue")
	cmd.Flags().StringVar(&seedFile, "seed", "", "the host's nkey seed file from tend agent enroll")
	cmd.Flags().StringVarP(&out, "out", "o", "", "the .creds file to write (mode 0600)")
	return cmd
}

func newAgentAccept(g *globals) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "accept HOST PUBLIC_KEY --state-dir STATE",
		Short: "Admit a host's agent to tend serve's embedded NATS server",
		Long: `tend agent accept runs where tend serve runs: it records the public nkey
(U…) that tend agent enroll printed on HOST as STATE/agents/enrolled/HOST.pub
(mode 0600), STATE being tend serve's --state-dir. tend serve's embedded NATS
server notices the new key within seconds and reloads its accounts without a
restart: HOST's agent may then connect with its seed, with the permissions of
its host (docs/agents.md) in its client's account. HOST must also be declared
in the configuration in force (transport = "agent"); until it is, its agent
stays refused. To revoke a host, delete its .pub file.`,
		Example: `  # on the host
  tend agent enroll
  # where tend serve runs, with the key printed
  tend agent accept web_1 UB... --state-dir /var/lib/tend`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if stateDir == "" {
				return fmt.Errorf("--state-dir is required: tend serve's state directory")
			}
			host, key := args[0], strings.TrimSpace(args[1])
			dir := filepath.Join(stateDir, enrolledDir)
			if err := fleetauth.Enroll(dir, host, key); err != nil {
				return err
			}
			_, err := fmt.Fprintf(g.stdout, "Accepted %s's key in %s.\ntend serve admits its agent within seconds, once the configuration declares %s.\n",
				host, filepath.Join(dir, host+".pub"), host)
			return err
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "tend serve's state directory")
	return cmd
}
