package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/schedule"
)

// Window is a maintenance window.
type Window struct {
	Name string
	// Schedule is nil when the block has errors.
	Schedule  *schedule.Window
	DeclRange hcl.Range
}

var windowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "schedule"}, {Name: "patch_tuesday_offset"}, {Name: "start"},
		{Name: "duration", Required: true}, {Name: "timezone"}, {Name: "cutoff"},
	},
}

// decodeWindow decodes a window block. Its Schedule is set only when the
// block has no error, so a broken window never opens.
func decodeWindow(block *hcl.Block) (*Window, hcl.Diagnostics) {
	w := &Window{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(windowSchema)
	attrs := content.Attributes
	sw := &schedule.Window{Name: w.Name, Location: time.UTC}
	var more hcl.Diagnostics
	sw.Cron, sw.PatchTuesday, more = decodeWindowOpenings(block, attrs)
	diags = append(diags, more...)
	sw.Duration, sw.Cutoff, more = decodeWindowLength(attrs)
	diags = append(diags, more...)
	if a, has := attrs["timezone"]; has {
		var loc *time.Location
		loc, more = attrTimezone(a)
		if loc != nil {
			sw.Location = loc
		}
		diags = append(diags, more...)
	}
	if !diags.HasErrors() {
		w.Schedule = sw
	}
	return w, diags
}

// decodeWindowOpenings decodes when a window opens: a cron schedule, or an
// offset from Patch Tuesday with a start time; exactly one of the two.
func decodeWindowOpenings(block *hcl.Block, attrs hcl.Attributes) (*schedule.Cron, *schedule.PatchTuesday, hcl.Diagnostics) {
	sched, hasSched := attrs["schedule"]
	offset, hasOffset := attrs["patch_tuesday_offset"]
	start, hasStart := attrs["start"]
	switch {
	case hasSched && hasOffset:
		return nil, nil, hcl.Diagnostics{errorAt(offset.NameRange, "Conflicting window kinds",
			"A window has either schedule (cron) or patch_tuesday_offset with start, not both.")}
	case hasSched:
		var diags hcl.Diagnostics
		if hasStart {
			diags = append(diags, errorAt(start.NameRange, "Unexpected start", "start goes with patch_tuesday_offset; a cron schedule already says when the window opens."))
		}
		c, more := attrCron(sched)
		return c, nil, append(diags, more...)
	case hasOffset:
		pt, diags := decodePatchTuesday(block, offset, start)
		return nil, pt, diags
	}
	return nil, nil, hcl.Diagnostics{errorAt(block.DefRange, "Missing schedule",
		"A window needs schedule = \"<cron>\" or patch_tuesday_offset = \"<days>\" with start = \"HH:MM\".")}
}

// attrCron decodes a cron schedule that matches some real date.
func attrCron(a *hcl.Attribute) (*schedule.Cron, hcl.Diagnostics) {
	s, diags := attrString(a)
	if diags.HasErrors() {
		return nil, diags
	}
	c, err := schedule.ParseCron(s)
	switch {
	case err != nil:
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid cron schedule", "%s", err))
	case c.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero():
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid cron schedule", "%q never matches a real date.", s))
	}
	return c, diags
}

// decodePatchTuesday decodes patch_tuesday_offset (whole days) and start
// (a time of day, which such a window needs; start is nil when absent).
func decodePatchTuesday(block *hcl.Block, offset, start *hcl.Attribute) (*schedule.PatchTuesday, hcl.Diagnostics) {
	pt := &schedule.PatchTuesday{}
	var diags hcl.Diagnostics
	pt.Offset, diags = attrDayOffset(offset)
	if start == nil {
		return pt, append(diags, errorAt(block.DefRange, "Missing start", "A patch_tuesday_offset window needs start = \"HH:MM\"."))
	}
	s, more := attrString(start)
	diags = append(diags, more...)
	if more.HasErrors() {
		return pt, diags
	}
	c, err := schedule.ParseClock(s)
	if err != nil {
		diags = append(diags, errorAt(start.Expr.Range(), "Invalid start", "%s", err))
	}
	pt.Start = c
	return pt, diags
}

// attrDayOffset decodes patch_tuesday_offset: a duration of whole days,
// negative ones included.
func attrDayOffset(a *hcl.Attribute) (time.Duration, hcl.Diagnostics) {
	s, diags := attrString(a)
	if diags.HasErrors() {
		return 0, diags
	}
	v, err := schedule.ParseDuration(s)
	switch {
	case err != nil:
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid duration", "patch_tuesday_offset: %s", err))
	case v%(24*time.Hour) != 0:
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid offset", "patch_tuesday_offset counts whole days (\"2d\", \"-1d\"); use start for the time of day."))
	}
	return v, diags
}

// decodeWindowLength decodes how long a window stays open (duration,
// longer than zero) and the cutoff at its end (shorter than duration).
func decodeWindowLength(attrs hcl.Attributes) (duration, cutoff time.Duration, diags hcl.Diagnostics) {
	if a, has := attrs["duration"]; has {
		var more hcl.Diagnostics
		duration, _, more = attrDuration(a)
		if !more.HasErrors() && duration == 0 {
			more = append(more, errorAt(a.Expr.Range(), "Invalid duration", "duration must be longer than zero."))
		}
		diags = append(diags, more...)
	}
	if a, has := attrs["cutoff"]; has {
		var more hcl.Diagnostics
		cutoff, _, more = attrDuration(a)
		if !more.HasErrors() && duration > 0 && cutoff >= duration {
			more = append(more, errorAt(a.Expr.Range(), "Invalid cutoff", "cutoff (%s) must be shorter than duration (%s).", cutoff, duration))
		}
		diags = append(diags, more...)
	}
	return duration, cutoff, diags
}

// attrTimezone decodes an IANA time zone name; nil when it is not one.
func attrTimezone(a *hcl.Attribute) (*time.Location, hcl.Diagnostics) {
	s, diags := attrString(a)
	if diags.HasErrors() {
		return nil, diags
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "" || s == "Local" {
		return nil, append(diags, errorAt(a.Expr.Range(), "Unknown time zone",
			"%q is not an IANA time zone name such as \"Europe/Berlin\" or \"UTC\".", s))
	}
	return loc, diags
}
