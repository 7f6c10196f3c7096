package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tend-sh/tend/core/model"
)

// errNilPlan is returned by every view when it is given no plan.
var errNilPlan = errors.New("render: no plan to render")

// JSON writes the plan in the contract JSON form of DESIGN.md section 4:
// two-space indentation, no HTML escaping, a trailing newline. Lists the
// planner left nil are written as [] and the summary always counts the six
// contract action types. The caller's plan is not modified.
func JSON(w io.Writer, p *model.Plan) error { return JSONWarned(w, p, nil) }

// warnedPlan is the plan JSON with the plan's warnings after it.
type warnedPlan struct {
	*model.Plan
	Warnings []model.Warning `json:"warnings,omitempty"`
}

// JSONWarned is JSON with the plan's warnings (a group or policy that
// selects no host, a stale snapshot) as a "warnings" list of {where,
// message}, omitted when there are none.
func JSONWarned(w io.Writer, p *model.Plan, warnings []model.Warning) error {
	if p == nil {
		return errNilPlan
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(warnedPlan{normalize(p), warnings}); err != nil {
		return fmt.Errorf("render: encoding plan JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// normalize returns a copy of p in which every list of the contract is
// non-nil and the summary has all its action keys. Slices and maps that
// need a change are copied; the rest is shared with p, read-only.
func normalize(p *model.Plan) *model.Plan {
	out := *p
	out.GeneratedAt = seconds(out.GeneratedAt)
	out.Hosts = make([]model.HostPlan, len(p.Hosts))
	for i, h := range p.Hosts {
		if h.Actions == nil {
			h.Actions = []model.Action{}
		} else {
			h.Actions = normalizeActions(h.Actions)
		}
		if h.Deferred == nil {
			h.Deferred = []model.Deferred{}
		}
		if h.Skipped == nil {
			h.Skipped = []model.Skipped{}
		}
		out.Hosts[i] = h
	}
	actions := make(map[string]int, len(model.SummaryActions)+len(p.Summary.Actions))
	for _, k := range model.SummaryActions {
		actions[k] = 0
	}
	for k, n := range p.Summary.Actions {
		actions[k] = n
	}
	out.Summary.Actions = actions
	return &out
}

// normalizeActions returns actions with every CVEs list non-nil, copying the
// slice only when something has to change.
func normalizeActions(actions []model.Action) []model.Action {
	for i := range actions {
		if actions[i].CVEs != nil {
			continue
		}
		out := make([]model.Action, len(actions))
		copy(out, actions)
		for j := i; j < len(out); j++ {
			if out[j].CVEs == nil {
				out[j].CVEs = []string{}
			}
		}
		return out
	}
	return actions
}
