package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/calendar"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/model"
)

// calendarFlags are the flags of tend calendar.
type calendarFlags struct {
	client    string
	ics       string
	inventory string
	at        atFlag
	count     int
}

// Validate checks the flags before anything is planned.
func (f *calendarFlags) Validate() error {
	if f.inventory == "live" {
		return errors.New("--inventory live: tend calendar plans from snapshots (a directory or git:REF) and never scans hosts")
	}
	if f.count < 1 || f.count > 100 {
		return fmt.Errorf("--count %d: want 1 to 100 openings per window", f.count)
	}
	return f.at.Validate()
}

func newCalendar(g *globals) *cobra.Command {
	f := &calendarFlags{}
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: "List the next maintenance windows per client and what each is expected to install",
		Long: `Lists the next openings of every maintenance window a policy uses, per client
(the hosts' "client" label), with what is expected to install in each: the
plan as tend plan --at would make it at the opening's start, from the offline
inventory. So an MSP can tell a client "your servers are patched Saturday
22:00-04:00, and this is what goes in".

Times are on each window's clock (its timezone). What is expected comes from
the inventory as it is now: updates published later, an approval delay that
passes, or an earlier ring that finishes can add to it; a failure can halt a
rollout before it gets there.

--ics FILE writes the calendar as iCalendar (RFC 5545; "-" for stdout): one
event per opening and client, with a stable UID, so a calendar that imports
or subscribes to the file updates in place.

Inventory sources are those of tend plan except live: a directory of
snapshots (default .tend/inventory under the configuration directory, what
tend scan writes) or git:REF, e.g. git:origin/tend/reports.`,
		Example: `  tend calendar --inventory git:origin/tend/reports
  tend calendar --client acme --ics acme.ics
  tend calendar -C examples/msp-fleet --inventory examples/msp-fleet/snapshots --at 2026-12-01T00:00:00Z`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.inventory == "" {
				f.inventory = g.dir + "/.tend/inventory"
			}
			return runCalendar(g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.client, "client", "", "only this client's hosts (their \"client\" label)")
	fl.StringVar(&f.ics, "ics", "", "also write the calendar as iCalendar to this file (\"-\": stdout, instead of the text)")
	fl.StringVar(&f.inventory, "inventory", "", "where host inventories come from: DIR or git:REF (default CONFIG/.tend/inventory)")
	fl.IntVar(&f.count, "count", 3, "openings to list per window")
	f.at.register(cmd, "list the openings")
	return cmd
}

func runCalendar(g *globals, f *calendarFlags) error {
	from := f.at.now()
	first, err := makePlan(g, f.inventory, from, "scheduled", false)
	if err != nil {
		return err
	}
	if f.client != "" && !hasClient(first, f.client) {
		return fmt.Errorf("--client %q: no host has the label client = %q", f.client, f.client)
	}
	planAt := func(at time.Time) (*model.Plan, error) {
		res, err := engine.Plan(g.ctx, engine.PlanOptions{ConfigDir: g.dir, Inventory: f.inventory, Now: at, TendVersion: version, Log: g.log})
		if err != nil {
			return nil, err
		}
		return res.Saved.Plan, nil
	}
	cal, err := calendar.Build(first.Config, planAt, calendar.Options{From: from, Count: f.count, Client: f.client})
	if err != nil {
		return err
	}
	if f.ics != "" {
		out := calendar.ICS(cal).Serialize()
		if f.ics == "-" {
			_, err := fmt.Fprint(g.stdout, out)
			return err
		}
		if err := calendar.WriteFile(f.ics, []byte(out)); err != nil {
			return err
		}
		defer fmt.Fprintf(g.stderr, "Wrote the calendar to %s.\n", f.ics)
	}
	return calendar.WriteText(g.stdout, cal)
}

func hasClient(res *engine.PlanResult, client string) bool {
	for _, c := range res.Config.HostLabels("client") {
		if c == client {
			return true
		}
	}
	return false
}
