package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/schedule"
)

// Freeze is a `freeze` block: a span in which no policy acts on the hosts
// it covers, whatever their windows say; only emergency policies do. A
// freeze is either one span (From, Until) or recurring: every opening of
// a window (Window), a deny window ("never during client working hours").
type Freeze struct {
	Name string
	// From is the first instant of the freeze; Until the first instant
	// after it (a date as until means to the end of that day, UTC). Both
	// are nil for a recurring freeze.
	From, Until         *time.Time
	FromText, UntilText string
	// Window is the window whose every opening (its whole duration; its
	// cutoff does not matter) is a span of the freeze; nil for one span.
	Window *Ref
	// Schedule is Window's schedule, resolved once every file is decoded.
	Schedule *schedule.Window
	Reason   string
	Targets  []Ref
	// Hosts are resolved from Targets; nil means every host.
	Hosts     map[string]bool
	DeclRange hcl.Range
}

var freezeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from"}, {Name: "until"}, {Name: "window"},
		{Name: "reason", Required: true}, {Name: "targets"},
	},
}

// decodeFreeze decodes a freeze block; its targets are resolved once every
// file is decoded.
func decodeFreeze(block *hcl.Block) (*Freeze, hcl.Diagnostics) {
	f := &Freeze{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(freezeSchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "from":
			f.From, f.FromText, more = attrStart(a)
		case "until":
			f.Until, f.UntilText, more = attrDate(a)
		case "reason":
			f.Reason, more = attrReason(a)
		case "targets":
			f.Targets, more = attrRefs(a, "group", "host")
		case "window":
			var r Ref
			if r, more = exprRef(a.Expr, "window", "window"); !more.HasErrors() {
				f.Window = &r
			}
		}
		diags = append(diags, more...)
	}
	from, until := content.Attributes["from"], content.Attributes["until"]
	switch w := content.Attributes["window"]; {
	case w != nil && (from != nil || until != nil):
		other := from
		if other == nil {
			other = until
		}
		diags = append(diags, errorAt(other.NameRange, "Conflicting freeze span",
			"A freeze is either one span (from and until) or every opening of a window (window), not both; %s is set at %s.", w.Name, pos(w.NameRange)))
	case w == nil && (from == nil || until == nil):
		missing := "from"
		if from != nil {
			missing = "until"
		}
		diags = append(diags, errorAt(block.DefRange, "Missing freeze span",
			"freeze %q needs from and until (one span; %s is missing) or window = window.NAME (every opening of that window).", f.Name, missing))
	}
	if f.From != nil && f.Until != nil && !f.Until.After(*f.From) {
		diags = append(diags, errorAt(content.Attributes["until"].Expr.Range(), "Invalid freeze span",
			"until (%s) must be after from (%s).", f.UntilText, f.FromText))
	}
	return f, diags
}

// ActiveAt reports whether the freeze holds at t for host.
func (f *Freeze) ActiveAt(host string, t time.Time) bool {
	if f.Hosts != nil && !f.Hosts[host] {
		return false
	}
	_, _, ok := f.SpanAt(t)
	return ok
}

// SpanAt returns the span of the freeze that holds at t (for a recurring
// freeze, the window's opening that contains t, its whole duration); ok is
// false when none does.
func (f *Freeze) SpanAt(t time.Time) (from, until time.Time, ok bool) {
	if f.Schedule != nil {
		w := *f.Schedule
		w.Cutoff = 0 // a freeze holds for the whole opening
		if st := w.State(t); st.Open {
			return st.OpenedAt, st.ClosesAt, true
		}
		return time.Time{}, time.Time{}, false
	}
	if f.From == nil || f.Until == nil || t.Before(*f.From) || !t.Before(*f.Until) {
		return time.Time{}, time.Time{}, false
	}
	return *f.From, *f.Until, true
}

// NextSpan returns the first span of the freeze that ends after t (the
// one holding at t, if any); ok is false when there is none.
func (f *Freeze) NextSpan(t time.Time) (from, until time.Time, ok bool) {
	if from, until, ok := f.SpanAt(t); ok {
		return from, until, true
	}
	if f.Schedule != nil {
		w := *f.Schedule
		w.Cutoff = 0
		if n := w.State(t).NextOpen; !n.IsZero() {
			return n, n.Add(w.Duration), true
		}
		return time.Time{}, time.Time{}, false
	}
	if f.From == nil || f.Until == nil || !f.Until.After(t) {
		return time.Time{}, time.Time{}, false
	}
	return *f.From, *f.Until, true
}

// NextChange returns the earliest instant after t at which the freeze may
// hold otherwise than at t (a span starting or ending, SpanAt); zero when
// it never changes again.
func (f *Freeze) NextChange(t time.Time) time.Time {
	if f.Schedule != nil {
		w := *f.Schedule
		w.Cutoff = 0
		return w.NextChange(t)
	}
	switch {
	case f.From == nil || f.Until == nil:
		return time.Time{}
	case f.From.After(t):
		return *f.From
	case f.Until.After(t):
		return *f.Until
	}
	return time.Time{}
}

// UntilAt is when the span holding at t ends, as plans say it: until as
// written for one span, the opening's end on the window's clock
// ("2026-12-02 18:00 CET") for a recurring freeze.
func (f *Freeze) UntilAt(t time.Time) string {
	if f.Schedule == nil {
		return f.UntilText
	}
	_, until, ok := f.SpanAt(t)
	if !ok {
		return ""
	}
	loc := f.Schedule.Location
	if loc == nil {
		loc = time.UTC
	}
	return until.In(loc).Format("2006-01-02 15:04 MST")
}

// Text says why the freeze holds a change at t, for plans:
// "frozen by freeze NAME until UNTIL: REASON".
func (f *Freeze) Text(t time.Time) string {
	return "frozen by freeze " + f.Name + " until " + f.UntilAt(t) + ": " + f.Reason
}

// Covers reports whether the freeze applies to host at all.
func (f *Freeze) Covers(host string) bool { return f.Hosts == nil || f.Hosts[host] }

// attrStart decodes when something begins: a date (its first instant,
// UTC) or an RFC 3339 time.
func attrStart(attr *hcl.Attribute) (*time.Time, string, hcl.Diagnostics) {
	s, diags := attrString(attr)
	if diags.HasErrors() {
		return nil, "", diags
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return &t, s, diags
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, s, diags
	}
	return nil, s, append(diags, errorAt(attr.Expr.Range(), "Invalid date",
		"%s must be a date like \"2026-12-20\" (from its start, UTC) or an RFC 3339 time like \"2026-12-20T18:00:00Z\"; got %q.", attr.Name, s))
}
