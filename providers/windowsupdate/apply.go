package windowsupdate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// InstallTimeout bounds one apply script: the download and installation
// of a month's updates, a cumulative update among them, can take an hour
// on a slow server.
const InstallTimeout = 3 * time.Hour

// RebootCommand restarts Windows: in 30 seconds, so the command returns
// before the connection goes, with the reason "Operating System: Hot fix
// (Planned)".
var RebootCommand = []string{"shutdown.exe", "/r", "/t", "30", "/d", "p:2:17", "/c", "tend: restart after Windows updates"}

// Apply carries out install and reboot actions. It scans first to find
// the updates behind each planned package (a KB may stand for several),
// downloads and installs them with one apply script run, and reboots last.
// An update whose license terms are not accepted fails unless
// cfg.AcceptEula; one already installed succeeds without being touched.
func Apply(ctx context.Context, r sdk.Runner, cfg Config, actions []sdk.Action, progress sdk.ProgressFunc) ([]sdk.ActionResult, error) {
	if r == nil {
		return nil, errors.New("windowsupdate: Apply needs a runner")
	}
	if progress == nil {
		progress = func(sdk.Progress) {}
	}
	a := &applier{ctx: ctx, r: r, cfg: cfg, actions: actions, progress: progress,
		results: make([]sdk.ActionResult, len(actions))}
	for i, act := range actions {
		a.results[i].ActionID = act.ID
	}
	installs, reboots := a.groups()
	if len(installs) > 0 {
		a.install(installs)
	}
	if len(reboots) > 0 {
		a.reboot(reboots)
	}
	return a.results, nil
}

// applier is one Apply call's state.
type applier struct {
	ctx      context.Context
	r        sdk.Runner
	cfg      Config
	actions  []sdk.Action
	results  []sdk.ActionResult
	progress sdk.ProgressFunc
}

func (a *applier) set(i int, st sdk.Status, msg string) {
	a.results[i].Status, a.results[i].Message = st, msg
}

func (a *applier) setAll(is []int, st sdk.Status, msg string) {
	for _, i := range is {
		a.set(i, st, msg)
	}
}

// groups sorts the actions into installs and reboots; any other type
// fails here.
func (a *applier) groups() (installs, reboots []int) {
	for i, act := range a.actions {
		switch {
		case act.Type == sdk.ActionInstall && act.Package != "":
			installs = append(installs, i)
		case act.Type == sdk.ActionInstall:
			a.set(i, sdk.StatusFailed, "install: no package (KB or update id) named")
		case act.Type == sdk.ActionReboot:
			reboots = append(reboots, i)
		default:
			a.set(i, sdk.StatusFailed, fmt.Sprintf("windowsupdate cannot %s: it installs updates (%s) and reboots", act.Type, act.Package))
		}
	}
	return installs, reboots
}

// install resolves the install actions to update ids with a scan, runs the
// apply script for them and judges each action by its updates' results.
func (a *applier) install(installs []int) {
	a.progress(sdk.Progress{Message: "searching for the planned updates"})
	doc, err := scan(a.ctx, a.r, a.cfg)
	if err != nil {
		a.setAll(installs, sdk.StatusFailed, "scan before install: "+err.Error())
		return
	}
	wanted := map[int][]string{} // action → update ids to install
	var ids []string
	for _, i := range installs {
		act := a.actions[i]
		pending, installed := resolve(doc, act.Package)
		switch {
		case len(pending) == 0 && installed:
			a.set(i, sdk.StatusSucceeded, act.Package+" is already installed")
		case len(pending) == 0:
			a.set(i, sdk.StatusFailed, act.Package+" is not offered to this host any more (superseded, withdrawn or declined on the server since the scan)")
		default:
			if ok := a.checkEula(i, pending); !ok {
				continue
			}
			for _, u := range pending {
				wanted[i] = append(wanted[i], u.UpdateID)
				ids = append(ids, u.UpdateID)
			}
		}
	}
	if len(ids) == 0 {
		return
	}
	a.progress(sdk.Progress{Message: fmt.Sprintf("downloading and installing %d updates", len(ids))})
	var out ApplyDocument
	params := ApplyParams{Install: ids, AcceptEula: a.cfg.AcceptEula, ScanParams: a.cfg.scanParams()}
	if err := winscript.Run(a.ctx, a.r, ApplyScript, params, InstallTimeout, &out); err != nil {
		for i := range wanted {
			a.set(i, sdk.StatusFailed, err.Error()+remoteHint(err))
		}
		return
	}
	byID := map[string]ApplyResult{}
	for _, res := range out.Results {
		byID[res.UpdateID] = res
	}
	for i, uids := range wanted {
		st, msg := judge(uids, byID, out.RebootPending)
		a.set(i, st, msg)
		a.progress(sdk.Progress{ActionID: a.actions[i].ID, Message: msg})
	}
}

// resolve returns the updates not yet installed that package names, and
// whether an installed one does.
func resolve(doc *ScanDocument, pkg string) (pending []ScanUpdate, installed bool) {
	for _, u := range doc.Updates {
		if !strings.EqualFold(PackageID(u), pkg) {
			continue
		}
		if u.IsInstalled {
			installed = true
		} else {
			pending = append(pending, u)
		}
	}
	return pending, installed
}

// checkEula fails action i when one of its updates has license terms not
// yet accepted and the config does not allow accepting them; when it does,
// it says so in the progress, as the script then accepts them.
func (a *applier) checkEula(i int, pending []ScanUpdate) bool {
	for _, u := range pending {
		if u.EulaAccepted {
			continue
		}
		if !a.cfg.AcceptEula {
			a.set(i, sdk.StatusFailed, fmt.Sprintf("%s (%s) has license terms to accept; set accept_eula = true in the provider \"windowsupdate\" block to let tend accept them", a.actions[i].Package, u.Title))
			return false
		}
		a.progress(sdk.Progress{ActionID: a.actions[i].ID, Message: fmt.Sprintf("accepting the license terms of %s (%s): accept_eula = true", a.actions[i].Package, u.Title)})
	}
	return true
}

// judge turns the results of one action's updates into its status: it
// succeeded when every update did (OperationResultCode 2, or 3: succeeded
// with errors, which is said).
func judge(uids []string, byID map[string]ApplyResult, rebootPending bool) (sdk.Status, string) {
	var failed, notes []string
	reboot := false
	for _, id := range uids {
		res, ok := byID[id]
		switch {
		case !ok:
			failed = append(failed, id+": the apply script reported no result")
		case res.ResultCode == ResultSucceeded:
		case res.ResultCode == ResultSucceededWithError:
			notes = append(notes, fmt.Sprintf("%s succeeded with errors (HRESULT %s)", id, res.HResult.Describe(HResultNames)))
		default:
			failed = append(failed, fmt.Sprintf("%s: %s (HRESULT %s)", id, resultName(res.ResultCode), res.HResult.Describe(HResultNames)))
		}
		reboot = reboot || res.RebootRequired
	}
	if len(failed) > 0 {
		return sdk.StatusFailed, strings.Join(failed, "; ")
	}
	msg := "installed"
	if len(notes) > 0 {
		msg += "; " + strings.Join(notes, "; ")
	}
	switch {
	case reboot:
		msg += "; reboot required"
	case rebootPending:
		msg += "; a restart is pending on the host"
	}
	return sdk.StatusSucceeded, msg
}

// resultName names an OperationResultCode.
func resultName(code int) string {
	names := []string{"not started", "in progress", "succeeded", "succeeded with errors", "failed", "aborted"}
	if code >= 0 && code < len(names) {
		return names[code]
	}
	return fmt.Sprintf("result code %d", code)
}

// remoteHint explains E_ACCESSDENIED from the Windows Update Agent, which
// refuses to download, install or accept license terms for a caller in a
// network logon session on some Windows versions.
func remoteHint(err error) string {
	var se *winscript.ScriptError
	if errors.As(err, &se) && se.HResult == 0x80070005 {
		return " (the Windows Update Agent refuses some calls from remote sessions; see docs/providers/windows.md, \"Access denied\")"
	}
	return ""
}

// reboot restarts Windows once for all reboot actions, also after a
// failed install: the updates that did install need it, and a pending
// restart is a common reason for an install to fail.
func (a *applier) reboot(reboots []int) {
	a.progress(sdk.Progress{Message: strings.Join(RebootCommand, " ")})
	res, err := a.r.Run(a.ctx, sdk.Cmd{Argv: RebootCommand, Timeout: 2 * time.Minute})
	switch {
	case err != nil:
		a.setAll(reboots, sdk.StatusFailed, "shutdown.exe: "+err.Error())
	case res.ExitCode != 0:
		a.setAll(reboots, sdk.StatusFailed, (&sdk.ExitError{Cmd: sdk.Cmd{Argv: RebootCommand}, Result: res}).Error())
	default:
		a.setAll(reboots, sdk.StatusSucceeded, "restart in 30 seconds")
	}
}
