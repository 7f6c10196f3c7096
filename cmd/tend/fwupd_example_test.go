package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/fwupd/fwupdtest"
)

// envRecordFwupdExample, set to 1, makes TestRecordFwupdExample scan real
// fwupd labs into the fwupd sections of examples/msp-fleet's snapshots.
const envRecordFwupdExample = "TEND_RECORD_FWUPD_EXAMPLE"

// TestRecordFwupdExample records the firmware of examples/msp-fleet from a
// real fwupd: for each host, one fwupdtest lab (the test plugin's webcam
// and a cabinet of release 1.2.4, with the urgency and device flags given
// here), scanned with tend scan through tend-provider-fwupd; the fwupd
// section of the scan replaces the one in the host's snapshot, the rest of
// the snapshot stays. Run it again with
//
//	TEND_RECORD_FWUPD_EXAMPLE=1 go test -run TestRecordFwupdExample ./cmd/tend
func TestRecordFwupdExample(t *testing.T) {
	if os.Getenv(envRecordFwupdExample) != "1" {
		t.Skip("records the example's firmware snapshots; set " + envRecordFwupdExample + "=1")
	}
	if err := fwupdtest.Available(); err != nil {
		t.Fatal(err)
	}
	loadertest.Install(t, "fwupd", "github.com/tend-sh/tend/providers/fwupd/cmd/tend-provider-fwupd")
	released := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	for _, h := range []struct {
		host string
		opts fwupdtest.Options
	}{
		{"acme_db_1", fwupdtest.Options{Flags: []string{"needs-reboot"}, Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "critical", Created: released}}}},
		{"acme_web_1", fwupdtest.Options{Flags: []string{"usable-during-update"}, Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "high", Created: released}}}},
		{"acme_web_2", fwupdtest.Options{Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "low", Created: released}}}},
	} {
		recordFwupdHost(t, h.host, h.opts)
	}
}

func recordFwupdHost(t *testing.T, host string, o fwupdtest.Options) {
	lab, err := fwupdtest.Start(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Stop()
	for _, kv := range lab.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, out := t.TempDir(), t.TempDir()
	hcl := "host \"" + host + "\" {\n  transport = \"local\"\n}\n\npolicy \"firmware\" {\n  provider = \"fwupd\"\n  targets  = [host." + host + "]\n}\n"
	if err := os.WriteFile(filepath.Join(cfg, "lab.tend.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"init", "-C", cfg}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("tend init: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if code := run([]string{"scan", "-C", cfg, "--out", out}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("tend scan: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	scanned := readSnapshot(t, filepath.Join(out, host, "inventory.json"))
	path := filepath.Join("..", "..", "examples", "msp-fleet", "snapshots", host, "inventory.json")
	snap := readSnapshot(t, path)
	snap.Providers["fwupd"] = scanned.Providers["fwupd"]
	b, err := inventory.Encode(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readSnapshot(t *testing.T, path string) *model.Snapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s model.Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}
