package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/model"
)

// ClientTitle is how a client is named in the calendar.
func ClientTitle(c string) string {
	if c == NoClient {
		return "hosts without a client label"
	}
	return "client " + c
}

// WriteText renders the calendar for people: per client, each opening in
// the window's time zone with what is expected to install.
func WriteText(w io.Writer, cal *Calendar) error {
	var b strings.Builder
	if len(cal.Clients) == 0 {
		b.WriteString("No policy uses a maintenance window, so there is nothing to schedule.\n")
	}
	for i, c := range cal.Clients {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", strings.ToUpper(ClientTitle(c.Name)[:1])+ClientTitle(c.Name)[1:])
		fz := c.Freezes
		for _, op := range c.Openings {
			for len(fz) > 0 && !fz[0].Start.After(op.Start) {
				writeFreeze(&b, fz[0])
				fz = fz[1:]
			}
			fmt.Fprintf(&b, "  %s  window %s (%s), %s\n", span(op.Start, op.End, op.Location), op.Window, op.Location, strings.Join(op.Hosts, ", "))
			if op.Cutoff.Before(op.End) {
				fmt.Fprintf(&b, "    nothing new starts after %s\n", op.Cutoff.In(op.Location).Format("15:04"))
			}
			for _, e := range op.Errors {
				fmt.Fprintf(&b, "    ! %s\n", e)
			}
			if op.HeldAll() {
				fmt.Fprintf(&b, "    held by %s: nothing expected\n", heldNames(op.Held))
				continue
			}
			for _, h := range op.Held {
				fmt.Fprintf(&b, "    held by freeze %s: nothing expected on %s\n", h.Freeze, strings.Join(h.Hosts, ", "))
			}
			if len(op.Expected) == 0 {
				b.WriteString("    nothing expected to install\n")
			}
			for _, line := range hostLines(op.Expected) {
				fmt.Fprintf(&b, "    %s\n", line)
			}
		}
		for _, f := range fz {
			writeFreeze(&b, f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFreeze is a freeze's line and reason.
func writeFreeze(b *strings.Builder, f Freeze) {
	fmt.Fprintf(b, "  %s  freeze %s, %s\n", span(f.Start, f.End, f.Location), f.Name, strings.Join(f.Hosts, ", "))
	fmt.Fprintf(b, "    %s: only emergency policies act\n", f.Reason)
}

// heldNames names the freezes that hold an opening: "freeze a" or
// "freezes a, b".
func heldNames(held []Hold) string {
	names := make([]string, len(held))
	for i, h := range held {
		names[i] = h.Freeze
	}
	if len(names) == 1 {
		return "freeze " + names[0]
	}
	return "freezes " + strings.Join(names, ", ")
}

// span is a start and end on a window's clock.
func span(from, to time.Time, loc *time.Location) string {
	s, e := from.In(loc), to.In(loc)
	end := e.Format("15:04 MST")
	if e.YearDay() != s.YearDay() || e.Year() != s.Year() {
		end = e.Format("Mon 2006-01-02 15:04 MST")
	}
	return s.Format("Mon 2006-01-02 15:04") + " – " + end
}

// hostLines sums up expected changes per host and provider, in order:
// "web_1 (apt): 3 changes: curl, openssl, nginx (downgrade), then a reboot".
func hostLines(in []Install) []string {
	var out []string
	for i := 0; i < len(in); {
		j := i
		var names []string
		reboot := false
		for ; j < len(in) && in[j].Host == in[i].Host && in[j].Provider == in[i].Provider; j++ {
			a := in[j].Action
			switch {
			case a.Type == model.ActionReboot:
				reboot = true
			case a.Type == model.ActionInstall || a.Type == model.ActionUpgrade || a.Type == "":
				names = append(names, a.Package)
			default:
				names = append(names, a.Package+" ("+a.Type+")")
			}
		}
		line := fmt.Sprintf("%s (%s): ", in[i].Host, in[i].Provider)
		if len(names) > 0 {
			line += fmt.Sprintf("%d %s: %s", len(names), plural(len(names), "change", "changes"), strings.Join(names, ", "))
		}
		if reboot {
			if len(names) > 0 {
				line += ", then "
			}
			line += "a reboot"
		}
		out = append(out, line)
		i = j
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// installLine is one expected change.
func installLine(in Install) string {
	a := in.Action
	if a.Type == model.ActionReboot {
		return fmt.Sprintf("%s  %s reboot", in.Host, in.Provider)
	}
	line := fmt.Sprintf("%s  %s %s", in.Host, in.Provider, a.Package)
	switch {
	case a.From != "" && a.To != "":
		line += " " + a.From + " → " + a.To
	case a.To != "" && a.To != a.Package:
		line += " " + a.To
	}
	if a.Classification != "" {
		line += " (" + a.Classification + ")"
	}
	if a.Type != "" && a.Type != "upgrade" && a.Type != "install" {
		line += " [" + a.Type + "]"
	}
	return line
}

// ICS is the calendar as iCalendar: one event per opening and client,
// with a stable UID so a subscribed calendar updates in place.
func ICS(cal *Calendar) *ics.Calendar {
	c := ics.NewCalendar()
	c.SetMethod(ics.MethodPublish)
	c.SetProductId("-//tend//tend calendar//EN")
	c.SetName("tend patch calendar")
	c.SetXWRCalName("tend patch calendar")
	for _, cl := range cal.Clients {
		for _, op := range cl.Openings {
			e := c.AddEvent(uid(cl.Name, op))
			e.SetDtStampTime(cal.From.UTC())
			e.SetStartAt(op.Start.UTC())
			e.SetEndAt(op.End.UTC())
			title := "Patching: " + op.Window
			if cl.Name != NoClient {
				title = "Patching " + cl.Name + ": " + op.Window
			}
			e.SetSummary(title)
			e.SetDescription(description(cl.Name, op))
			e.SetProperty(ics.ComponentPropertyCategories, "tend")
		}
		for _, f := range cl.Freezes {
			sum := sha256.Sum256([]byte(cl.Name + "\x00freeze\x00" + f.Name + "\x00" + f.Start.UTC().Format(time.RFC3339)))
			e := c.AddEvent(hex.EncodeToString(sum[:12]) + "@tend")
			e.SetDtStampTime(cal.From.UTC())
			e.SetStartAt(f.Start.UTC())
			e.SetEndAt(f.End.UTC())
			title := "Change freeze: " + f.Name
			if cl.Name != NoClient {
				title = "Change freeze " + cl.Name + ": " + f.Name
			}
			e.SetSummary(title)
			e.SetDescription(fmt.Sprintf("Change freeze %s for %s: %s.\nHosts: %s\nNo policy but an emergency one acts on these hosts until %s, whatever their windows say.\n",
				f.Name, ClientTitle(cl.Name), f.Reason, strings.Join(f.Hosts, ", "), f.UntilText))
			e.SetProperty(ics.ComponentPropertyCategories, "tend")
		}
	}
	return c
}

func uid(client string, op Opening) string {
	sum := sha256.Sum256([]byte(client + "\x00" + op.Window + "\x00" + op.Start.UTC().Format(time.RFC3339)))
	return hex.EncodeToString(sum[:12]) + "@tend"
}

// description is an event's text: hosts, cutoff and expected installs.
func description(client string, op Opening) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Maintenance window %s for %s (%s).\n", op.Window, ClientTitle(client), op.Location)
	fmt.Fprintf(&b, "Hosts: %s\n", strings.Join(op.Hosts, ", "))
	fmt.Fprintf(&b, "Policies: %s\n", strings.Join(op.Policies, ", "))
	if op.Cutoff.Before(op.End) {
		fmt.Fprintf(&b, "Nothing new starts after %s.\n", op.Cutoff.In(op.Location).Format("15:04 MST"))
	}
	for _, h := range op.Held {
		fmt.Fprintf(&b, "Held by freeze %s (%s): nothing expected on %s.\n", h.Freeze, h.Reason, strings.Join(h.Hosts, ", "))
	}
	if len(op.Expected) == 0 {
		b.WriteString("Nothing expected to install (from the last inventory).\n")
	} else {
		b.WriteString("Expected to install (from the last inventory):\n")
	}
	for _, in := range op.Expected {
		fmt.Fprintf(&b, "- %s\n", installLine(in))
	}
	for _, e := range op.Errors {
		fmt.Fprintf(&b, "! %s\n", e)
	}
	return b.String()
}

// WriteFile replaces path with data atomically: a calendar that
// subscribes to the file never reads half of it.
func WriteFile(path string, data []byte) error { return atomicfile.Write(path, data) }
