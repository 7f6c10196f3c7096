package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// exitError carries an exit code out of a command; the message, if any, has
// already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// globals are the flags every command takes.
type globals struct {
	dir       string
	noColor   bool
	logLevel  string
	logFormat string
	stdout    io.Writer
	stderr    io.Writer
	ctx       context.Context
	log       *logrus.Logger
}

// color reports whether w should get ANSI colours: a terminal, and neither
// --no-color nor NO_COLOR.
func (g *globals) color(w io.Writer) bool {
	if g.noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "tend",
		Short: "Patch management as code: declare, plan and apply OS and software updates from Git",
		Long: `tend keeps a fleet's patch state the way a team keeps code: approval rules,
rejections, pins, exclusions, maintenance windows and staged rollouts are
declared in *.tend.hcl files in a Git repository, reviewed in pull requests
with a plan preview, applied by providers and reported back to Git.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
		// tend alone prints the help and fails, as git and terraform do.
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmd.Help(); err != nil {
				return err
			}
			return exitError{1}
		},
	}
	root.SetVersionTemplate(versionText())
	// Declared here so cobra adds no -v shorthand: tend plan -v is verbose.
	root.Flags().Bool("version", false, "print tend's version (as tend version)")
	root.PersistentFlags().StringVarP(&g.dir, "chdir", "C", ".", "configuration directory (every *.tend.hcl below it is read)")
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "never colour the output (NO_COLOR is honoured too)")
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log verbosity on stderr: error, warn, info, debug (debug shows provider logs); tend serve defaults to info")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "text", "log format on stderr: text, or json (one object per line, for log shippers)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := g.Validate(); err != nil {
			return err
		}
		g.configureLog(cmd)
		return nil
	}
	root.AddCommand(newInit(g), newValidate(g), newFmt(g), newScan(g), newPlan(g), newApply(g), newShow(g), newReport(g), newHistory(g), newServe(g), newCalendar(g), newProviders(g), newFeeds(g), newAdvise(g), newVersion(g), newAgent(g), newHosts(g))
	return root
}

// Validate checks the flags every command takes.
func (g *globals) Validate() error {
	if _, err := logrus.ParseLevel(g.logLevel); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	if g.logFormat != "json" && g.logFormat != "text" {
		return fmt.Errorf("--log-format: %q is not text or json", g.logFormat)
	}
	return nil
}

// configureLog sets the validated log level and format for cmd.
func (g *globals) configureLog(cmd *cobra.Command) {
	lvl, _ := logrus.ParseLevel(g.logLevel)
	if daemonCommand(cmd) && !cmd.Flags().Changed("log-level") {
		lvl = logrus.InfoLevel // a daemon says what it does
	}
	g.log.SetLevel(lvl)
	switch {
	case g.logFormat == "json":
		g.log.SetFormatter(&logrus.JSONFormatter{})
	case daemonCommand(cmd):
		// A daemon's logs need times; one-shot commands stay terse.
		g.log.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, DisableColors: !g.color(g.stderr)})
	}
}

// daemonCommand reports whether cmd runs until stopped (tend serve, tend
// agent run): its logs say what it does, with times.
func daemonCommand(cmd *cobra.Command) bool {
	return cmd.Name() == "serve" || (cmd.Name() == "run" && cmd.Parent() != nil && cmd.Parent().Name() == "agent")
}

// run executes the CLI and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := logrus.New()
	log.SetOutput(stderr)
	log.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	g := &globals{stdout: stdout, stderr: stderr, ctx: ctx, log: log}
	root := newRoot(g)
	args = normalizeArgs(args)
	root.SetArgs(args)
	root.SetFlagErrorFunc(flagError(args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(stderr, "tend: %s\n", err)
		return 1
	}
}

// flagError explains the usual flag mistake in args: a long flag with one
// dash (-detailed-exitcode), which pflag reads as shorthand letters. tend
// takes long flags with two dashes; -out alone also takes one
// (normalizeArgs).
func flagError(args []string) func(*cobra.Command, error) error {
	return func(cmd *cobra.Command, err error) error {
		if !strings.HasPrefix(err.Error(), "unknown shorthand flag") {
			return err
		}
		return singleDashError(cmd, args, err)
	}
}

// singleDashError names the first argument that is one of cmd's long
// flags written with one dash, or returns err.
func singleDashError(cmd *cobra.Command, args []string, err error) error {
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && cmd.Flags().Lookup(name) != nil {
			return fmt.Errorf("%s: long flags take two dashes: -%s (-out is the one exception, for Terraform habits)", a, a)
		}
	}
	return err
}

// normalizeArgs accepts Terraform-style single-dash long flags for the
// flags users type from habit (-out FILE, -out=FILE).
func normalizeArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-out" || strings.HasPrefix(a, "-out=") {
			a = "-" + a
		}
		out[i] = a
	}
	return out
}
