package fwupd

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
)

// queueRunner answers each command with the next of its answers.
type queueRunner struct {
	t       *testing.T
	answers []answer
	argvs   [][]string
}

type answer struct {
	fixture string
	exit    int
}

func (q *queueRunner) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) {
	q.argvs = append(q.argvs, c.Argv)
	if len(q.answers) == 0 {
		q.t.Fatalf("unexpected command %q", c.Argv)
	}
	a := q.answers[0]
	q.answers = q.answers[1:]
	var out []byte
	if a.fixture != "" {
		out = fixture(q.t, a.fixture)
	}
	return sdk.Result{Stdout: out, ExitCode: a.exit}, nil
}

const webcamName = "ACME Corp. Integrated Webcam™"

var devicesArgv = []string{"fwupdmgr", "get-devices", "--json", "--no-unreported-check", "--no-metadata-check", "--no-remote-check"}

func TestApplyUpgrade(t *testing.T) {
	q := &queueRunner{t: t, answers: []answer{{fixture: "devices.json"}, {}, {fixture: "devices-after.json"}}}
	res, err := Apply(context.Background(), q, Config{}, []sdk.Action{{ID: "h/fwupd/webcam", Type: sdk.ActionUpgrade, Package: webcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if err != nil || res[0].Status != sdk.StatusSucceeded || res[0].Message != "" {
		t.Fatalf("Apply: %v, %+v", err, res)
	}
	want := [][]string{devicesArgv,
		{"fwupdmgr", "install", "--json", "--assume-yes", "--no-reboot-check", "--no-unreported-check", "--no-metadata-check", "--no-remote-check", webcamID, "1.2.4"},
		devicesArgv}
	if !reflect.DeepEqual(q.argvs, want) {
		t.Errorf("argv = %q", q.argvs)
	}
}

func TestApplyDowngrade(t *testing.T) {
	q := &queueRunner{t: t, answers: []answer{{fixture: "devices-after.json"}, {fixture: "install-missing.json", exit: 1}}}
	res, _ := Apply(context.Background(), q, Config{}, []sdk.Action{{ID: "h/fwupd/webcam", Type: sdk.ActionDowngrade, Package: webcamName, From: "1.2.4", To: "1.2.9"}}, func(sdk.Progress) {})
	if res[0].Status != sdk.StatusFailed || res[0].Message != "fwupd: Unable to locate release 1.2.9 for Integrated Webcam™" {
		t.Errorf("result = %+v", res[0])
	}
	if got := q.argvs[1]; !reflect.DeepEqual(got[len(got)-3:], []string{"--allow-older", webcamID, "1.2.9"}) {
		t.Errorf("downgrade argv = %q", got)
	}
}

// TestApplyRefuses: actions fwupdmgr install must not see fail before it
// runs.
func TestApplyRefuses(t *testing.T) {
	for _, c := range []struct {
		a       sdk.Action
		answers []answer
		want    string
	}{
		{sdk.Action{Type: sdk.ActionRemove, Package: webcamName}, nil, "not remove"},
		{sdk.Action{Type: sdk.ActionUpgrade, Package: webcamName, To: "--force"}, nil, `"--force" is not a firmware version`},
		{sdk.Action{Type: sdk.ActionUpgrade, Package: "Nobody", To: "1"}, []answer{{fixture: "devices.json"}}, `fwupd knows no device "Nobody"`},
		{sdk.Action{Type: sdk.ActionUpgrade, Package: webcamName, From: "1.2.2", To: "1.2.4"}, []answer{{fixture: "devices-needs-reboot.json"}}, "not applicable, not installed: an earlier update waits for a reboot"},
	} {
		q := &queueRunner{t: t, answers: c.answers}
		c.a.ID = "h/fwupd/x"
		res, _ := Apply(context.Background(), q, Config{}, []sdk.Action{c.a}, func(sdk.Progress) {})
		if res[0].Status != sdk.StatusFailed || !strings.Contains(res[0].Message, c.want) {
			t.Errorf("%+v: %+v, want failed with %q", c.a, res[0], c.want)
		}
		for _, argv := range q.argvs {
			if argv[1] == "install" {
				t.Errorf("%+v: fwupdmgr install ran", c.a)
			}
		}
	}
}
