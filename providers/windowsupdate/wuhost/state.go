package wuhost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
	"github.com/tend-sh/tend/providers/windowsupdate"
)

// State is one replayed host. Note says where its data came from; Scan is
// what the scan script prints; InstallResults, by update id, what
// installing an update gives (absent: it succeeds); Reboots counts the
// restarts asked for.
type State struct {
	Note           string                               `json:"note"`
	Scan           windowsupdate.ScanDocument           `json:"scan"`
	InstallResults map[string]windowsupdate.ApplyResult `json:"install_results,omitempty"`
	Reboots        int                                  `json:"reboots,omitempty"`
}

// Load reads a State from a JSON file; unknown fields are errors, so a
// fixture cannot drift from the contract unnoticed.
func Load(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// Save writes s to path as indented JSON.
func (s *State) Save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Run answers one command as the host would: the provider's scripts
// through powershell.exe, and its restart through shutdown.exe; anything
// else exits 1 saying it is not replayed. A command that breaks the
// contract (other flags, a script that is not one of the provider's,
// parameters that are not the script's) exits 64 with the reason on
// stderr, which fails the provider's call.
func (s *State) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) {
	if len(c.Argv) == 0 {
		return fail(64, "no command"), nil
	}
	switch {
	case slices.Equal(c.Argv, windowsupdate.RebootCommand):
		s.Reboots++
		s.Scan.RebootPending = false
		return sdk.Result{}, nil
	case c.Argv[0] == winscript.Program:
		return s.script(c)
	default:
		return fail(1, fmt.Sprintf("wuhost: %s is not replayed by this host", c)), nil
	}
}

// script answers a powershell.exe command.
func (s *State) script(c sdk.Cmd) (sdk.Result, error) {
	want := append([]string{winscript.Program}, winscript.Flags...)
	if len(c.Argv) != len(want)+1 || !slices.Equal(c.Argv[:len(want)], want) {
		return fail(64, fmt.Sprintf("wuhost: argv %q is not %q followed by the encoded script", c.Argv, want)), nil
	}
	text, err := winscript.DecodeCommand(c.Argv[len(want)])
	if err != nil {
		return fail(64, "wuhost: "+err.Error()), nil
	}
	var doc any
	switch text {
	case windowsupdate.ScanScript.Text():
		var p windowsupdate.ScanParams
		if err := strictJSON(c.Stdin, &p); err != nil {
			return fail(64, "wuhost: scan parameters: "+err.Error()), nil
		}
		doc = s.Scan
	case windowsupdate.ApplyScript.Text():
		var p windowsupdate.ApplyParams
		if err := strictJSON(c.Stdin, &p); err != nil {
			return fail(64, "wuhost: apply parameters: "+err.Error()), nil
		}
		doc = s.apply(p)
	default:
		return fail(64, "wuhost: the encoded script is none of the windowsupdate provider's scripts"), nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return sdk.Result{}, err
	}
	return sdk.Result{Stdout: out}, nil
}

// apply does what scripts/apply.ps1 does to the host's updates.
func (s *State) apply(p windowsupdate.ApplyParams) windowsupdate.ApplyDocument {
	var doc windowsupdate.ApplyDocument
	for _, id := range p.Install {
		i := slices.IndexFunc(s.Scan.Updates, func(u windowsupdate.ScanUpdate) bool { return u.UpdateID == id && !u.IsInstalled })
		if i < 0 {
			doc.Results = append(doc.Results, windowsupdate.ApplyResult{UpdateID: id, ResultCode: windowsupdate.ResultFailed, HResult: 0x80240017})
			continue
		}
		u := &s.Scan.Updates[i]
		if !u.EulaAccepted && !p.AcceptEula {
			doc.Results = append(doc.Results, windowsupdate.ApplyResult{UpdateID: id, ResultCode: windowsupdate.ResultFailed, HResult: 0x80240023})
			continue
		}
		res, ok := s.InstallResults[id]
		if !ok {
			res = windowsupdate.ApplyResult{ResultCode: windowsupdate.ResultSucceeded, RebootRequired: u.RebootBehavior != windowsupdate.NeverReboots}
		}
		res.UpdateID = id
		u.EulaAccepted = true
		u.IsDownloaded = true
		if res.ResultCode == windowsupdate.ResultSucceeded || res.ResultCode == windowsupdate.ResultSucceededWithError {
			u.IsInstalled = true
			s.Scan.RebootPending = s.Scan.RebootPending || res.RebootRequired
		}
		doc.Results = append(doc.Results, res)
	}
	doc.RebootPending = s.Scan.RebootPending
	return doc
}

// strictJSON decodes one JSON object with no unknown fields.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the parameters")
	}
	return nil
}

func fail(code int, msg string) sdk.Result {
	return sdk.Result{ExitCode: code, Stderr: []byte(msg + "\n")}
}
