package apply

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Rollback is what tend did to return a host's changed packages to their
// previous versions after its health checks failed (policy rollback =
// true). It is all or nothing up front: when one change cannot be undone
// by the provider, nothing is asked of it and every package stays where
// the apply put it.
type Rollback struct {
	// Packages are the changes the apply made, in action order, each
	// with where it is now.
	Packages []RolledPackage
	// Err is a failure of the rollback as a whole (the provider failed
	// or could not be asked); the packages say where each one is.
	Err error
	// Health is the health checks' failure after the rollback, nil when
	// the host is healthy again. Checks run again only when a package was
	// rolled back.
	Health error
}

// RolledPackage is one change of an apply and its rollback.
type RolledPackage struct {
	ActionID, Package string
	// Applied is the version the apply installed; Restored the version
	// before it, which the rollback returns to ("" for a package the
	// apply newly installed, which the rollback removes).
	Applied, Restored string
	// RolledBack is set when the package is back at Restored; otherwise
	// it stays at Applied and Message says why.
	RolledBack bool
	Message    string
}

// RolledBack counts the packages back at their previous version.
func (rb *Rollback) RolledBack() int {
	n := 0
	for _, p := range rb.Packages {
		if p.RolledBack {
			n++
		}
	}
	return n
}

// Summary says in one line what the rollback did.
func (rb *Rollback) Summary() string {
	n, all := rb.RolledBack(), len(rb.Packages)
	var s string
	switch {
	case n == all:
		s = fmt.Sprintf("rolled back %d of %d changed packages", n, all)
	case n == 0:
		s = fmt.Sprintf("not rolled back: all %d changed packages stay at their new versions", all)
	default:
		s = fmt.Sprintf("partly rolled back: %d of %d changed packages are back at their previous versions, the others stay at their new versions", n, all)
	}
	switch {
	case rb.Err != nil:
		s += "; " + rb.Err.Error()
	case n > 0 && rb.Health != nil:
		s += "; still unhealthy afterwards: " + rb.Health.Error()
	case n > 0:
		s += "; healthy again afterwards"
	}
	return s
}

// rollBack undoes the changes of r that succeeded, through the provider
// that made them, checks the host's health again, and marks the results
// of the changes it undid rolled_back. Holds the apply set on those
// packages are lifted for the rollback and set again after it, and
// packages the apply took off hold are held again.
func rollBack(ctx context.Context, p *loader.Provider, h model.HostPlan, host *config.Host, r *HostResult, runner sdk.Runner, pol *config.Policy, o Options, progress sdk.ProgressFunc) *Rollback {
	changes := changed(h.Actions, r.Results)
	if len(changes) == 0 {
		return nil
	}
	rb := &Rollback{}
	for _, a := range changes {
		rb.Packages = append(rb.Packages, RolledPackage{ActionID: a.ID, Package: a.Package, Applied: a.To, Restored: a.From})
	}
	supported, err := providerActions(ctx, p)
	if err != nil {
		rb.Err = fmt.Errorf("nothing rolled back: %w", err)
		rb.keep(rb.Err.Error())
		markResults(r, rb)
		return rb
	}
	undo, blocked := undoActions(h, changes, r.Results, supported)
	if blocked != "" {
		rb.keep("not rolled back: " + blocked + "; the rollback is all or nothing, so nothing was asked of the provider")
		markResults(r, rb)
		return rb
	}
	progress(sdk.Progress{Message: fmt.Sprintf("health check failed: rolling back %d packages", len(changes))})
	results, err := p.Apply(ctx, h.Host, undo, nil, runner, progress) // no resolved transaction: the undo is not planned
	if err != nil {
		rb.Err = fmt.Errorf("rollback: %w", err)
	}
	rb.judge(results)
	if rb.RolledBack() > 0 && ctx.Err() == nil {
		progress(sdk.Progress{Message: "running health checks after the rollback"})
		rb.Health = checkHealth(ctx, pol.Health, host, runner, cmp.Or(o.HTTPClient, http.DefaultClient))
	}
	markResults(r, rb)
	return rb
}

// changed are the install, upgrade and downgrade actions of the apply
// that succeeded, in action order.
func changed(actions []model.Action, results []model.ActionResult) []model.Action {
	var out []model.Action
	for _, a := range actions {
		if !isChange(a.Type) {
			continue
		}
		if i := slices.IndexFunc(results, func(x model.ActionResult) bool { return x.ActionID == a.ID }); i >= 0 && results[i].Status == model.StatusSucceeded {
			out = append(out, a)
		}
	}
	return out
}

func isChange(typ string) bool {
	return typ == model.ActionInstall || typ == model.ActionUpgrade || typ == model.ActionDowngrade
}

// providerActions are the action types the provider supports.
func providerActions(ctx context.Context, p *loader.Provider) ([]string, error) {
	s, err := p.Schema(ctx)
	if err != nil {
		return nil, err
	}
	return s.Actions, nil
}

// undoActions are the provider actions that undo changes: a downgrade
// back for an upgrade, an upgrade back for a downgrade, a removal for a
// new install; the package's holds around them as the apply left them.
// blocked says why they cannot be carried out, "" when they can.
func undoActions(h model.HostPlan, changes []model.Action, results []model.ActionResult, supported []string) (undo []model.ProviderAction, blocked string) {
	var before, after []model.ProviderAction
	var reasons []string
	for _, a := range changes {
		u := model.ProviderAction{ID: a.ID + "/rollback", Type: model.ActionDowngrade, Package: a.Package, From: a.To, To: a.From}
		switch {
		case a.From == "":
			u.Type = model.ActionRemove
		case a.Type == model.ActionDowngrade:
			u.Type = model.ActionUpgrade
		}
		if !slices.Contains(supported, u.Type) {
			reasons = append(reasons, fmt.Sprintf("%s %s cannot be undone: provider %q does not support %s actions", a.Package, a.To, h.Provider, u.Type))
			continue
		}
		undo = append(undo, u)
		switch {
		case succeeded(h.Actions, results, model.ActionHold, a.Package):
			before = append(before, model.ProviderAction{ID: a.ID + "/rollback-unhold", Type: model.ActionUnhold, Package: a.Package})
			after = append(after, model.ProviderAction{ID: a.ID + "/rollback-hold", Type: model.ActionHold, Package: a.Package})
		case succeeded(h.Actions, results, model.ActionUnhold, a.Package):
			after = append(after, model.ProviderAction{ID: a.ID + "/rollback-hold", Type: model.ActionHold, Package: a.Package})
		}
	}
	if len(reasons) > 0 {
		return nil, strings.Join(reasons, "; ")
	}
	if len(before)+len(after) > 0 && !slices.Contains(supported, model.ActionHold) {
		return nil, fmt.Sprintf("the apply changed holds, and provider %q does not support hold actions", h.Provider)
	}
	return slices.Concat(before, undo, after), ""
}

// succeeded reports whether an action of type typ on pkg succeeded.
func succeeded(actions []model.Action, results []model.ActionResult, typ, pkg string) bool {
	for _, a := range actions {
		if a.Type != typ || a.Package != pkg {
			continue
		}
		if slices.ContainsFunc(results, func(x model.ActionResult) bool { return x.ActionID == a.ID && x.Status == model.StatusSucceeded }) {
			return true
		}
	}
	return false
}

// keep marks every package as staying where the apply put it.
func (rb *Rollback) keep(why string) {
	for i := range rb.Packages {
		rb.Packages[i].Message = why
	}
}

// judge sets each package's outcome from the provider's results of the
// undo actions.
func (rb *Rollback) judge(results []model.ActionResult) {
	byID := map[string]model.ActionResult{}
	for _, x := range results {
		byID[x.ActionID] = x
	}
	for i := range rb.Packages {
		pkg := &rb.Packages[i]
		res, ok := byID[pkg.ActionID+"/rollback"]
		switch {
		case !ok:
			pkg.Message = "not rolled back: the provider reported no result"
		case res.Status == model.StatusSucceeded:
			pkg.RolledBack = true
			pkg.Message = res.Message
		default:
			pkg.Message = fmt.Sprintf("not rolled back (%s): %s", res.Status, res.Message)
		}
		for _, suffix := range []string{"/rollback-unhold", "/rollback-hold"} {
			if x, ok := byID[pkg.ActionID+suffix]; ok && x.Status != model.StatusSucceeded {
				pkg.Message += fmt.Sprintf("; %s %s: %s", strings.TrimPrefix(suffix, "/rollback-"), x.Status, x.Message)
			}
		}
	}
}

// markResults writes the rollback into the apply's results: a change
// rolled back is rolled_back, one that stays says so and why.
func markResults(r *HostResult, rb *Rollback) {
	for _, pkg := range rb.Packages {
		i := slices.IndexFunc(r.Results, func(x model.ActionResult) bool { return x.ActionID == pkg.ActionID })
		if i < 0 {
			continue
		}
		res := &r.Results[i]
		if pkg.RolledBack {
			res.Status = model.StatusRolledBack
			res.Message = fmt.Sprintf("%s %s was installed, then rolled back to %s after the health check failed", pkg.Package, pkg.Applied, pkg.Restored)
			if pkg.Restored == "" {
				res.Message = fmt.Sprintf("%s %s was installed, then removed again after the health check failed", pkg.Package, pkg.Applied)
			}
			continue
		}
		stays := fmt.Sprintf("stays at %s: %s", pkg.Applied, pkg.Message)
		if res.Message != "" {
			stays = res.Message + "; " + stays
		}
		res.Message = stays
	}
}
