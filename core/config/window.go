package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/schedule"
)

var windowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "schedule"}, {Name: "patch_tuesday_offset"}, {Name: "start"},
		{Name: "duration", Required: true}, {Name: "timezone"}, {Name: "cutoff"},
	},
}

func (d *decoder) decodeWindow(block *hcl.Block) {
	name := block.Labels[0]
	if prev, ok := d.cfg.Windows[name]; ok {
		d.duplicate("window", name, prev.DeclRange, block.DefRange)
		return
	}
	w := &Window{Name: name, DeclRange: block.DefRange}
	d.cfg.Windows[name] = w
	content, diags := block.Body.Content(windowSchema)
	d.add(diags)
	attrs := content.Attributes
	sw := &schedule.Window{Name: name, Location: time.UTC}
	ok := !diags.HasErrors()

	sched, hasSched := attrs["schedule"]
	offset, hasOffset := attrs["patch_tuesday_offset"]
	start, hasStart := attrs["start"]
	switch {
	case hasSched && hasOffset:
		d.errorf(offset.NameRange, "Conflicting window kinds",
			"A window has either schedule (cron) or patch_tuesday_offset with start, not both.")
		ok = false
	case hasSched:
		if hasStart {
			d.errorf(start.NameRange, "Unexpected start", "start goes with patch_tuesday_offset; a cron schedule already says when the window opens.")
			ok = false
		}
		if s, good := d.str(sched); good {
			c, err := schedule.ParseCron(s)
			switch {
			case err != nil:
				d.errorf(sched.Expr.Range(), "Invalid cron schedule", "%s", err)
				ok = false
			case c.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero():
				d.errorf(sched.Expr.Range(), "Invalid cron schedule", "%q never matches a real date.", s)
				ok = false
			}
			sw.Cron = c
		} else {
			ok = false
		}
	case hasOffset:
		pt := &schedule.PatchTuesday{}
		if s, good := d.str(offset); good {
			v, err := schedule.ParseDuration(s)
			switch {
			case err != nil:
				d.errorf(offset.Expr.Range(), "Invalid duration", "patch_tuesday_offset: %s", err)
				ok = false
			case v%(24*time.Hour) != 0:
				d.errorf(offset.Expr.Range(), "Invalid offset", "patch_tuesday_offset counts whole days (\"2d\", \"-1d\"); use start for the time of day.")
				ok = false
			}
			pt.Offset = v
		} else {
			ok = false
		}
		if !hasStart {
			d.errorf(block.DefRange, "Missing start", "A patch_tuesday_offset window needs start = \"HH:MM\".")
			ok = false
		} else if s, good := d.str(start); good {
			c, err := schedule.ParseClock(s)
			if err != nil {
				d.errorf(start.Expr.Range(), "Invalid start", "%s", err)
				ok = false
			}
			pt.Start = c
		} else {
			ok = false
		}
		sw.PatchTuesday = pt
	default:
		d.errorf(block.DefRange, "Missing schedule",
			"A window needs schedule = \"<cron>\" or patch_tuesday_offset = \"<days>\" with start = \"HH:MM\".")
		ok = false
	}
	if a, has := attrs["duration"]; has {
		v, _, good := d.duration(a)
		if good && v == 0 {
			d.errorf(a.Expr.Range(), "Invalid duration", "duration must be longer than zero.")
			good = false
		}
		sw.Duration = v
		ok = ok && good
	}
	if a, has := attrs["cutoff"]; has {
		v, _, good := d.duration(a)
		if good && sw.Duration > 0 && v >= sw.Duration {
			d.errorf(a.Expr.Range(), "Invalid cutoff", "cutoff (%s) must be shorter than duration (%s).", v, sw.Duration)
			good = false
		}
		sw.Cutoff = v
		ok = ok && good
	}
	if a, has := attrs["timezone"]; has {
		if s, good := d.str(a); good {
			loc, err := time.LoadLocation(s)
			if err != nil || s == "" || s == "Local" {
				d.errorf(a.Expr.Range(), "Unknown time zone",
					"%q is not an IANA time zone name such as \"Europe/Berlin\" or \"UTC\".", s)
				ok = false
			} else {
				sw.Location = loc
			}
		} else {
			ok = false
		}
	}
	if ok {
		w.Schedule = sw
	}
}
