package agent

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOSRelease(t *testing.T) {
	got := osRelease([]byte("# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nNAME='Debian'\nbogus line\n"))
	want := map[string]string{"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "ID": "debian", "VERSION_ID": "12", "NAME": "Debian"}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

// TestMachineFacts reads this machine's facts: the arch always, the
// kernel and os where Linux has them.
func TestMachineFacts(t *testing.T) {
	f := machineFacts()
	if f["arch"] != runtime.GOARCH || f["hostname"] == "" {
		t.Errorf("facts = %v", f)
	}
	if runtime.GOOS == "linux" && (f["kernel"] == "" || f["os"] == "") {
		t.Errorf("facts on linux = %v", f)
	}
}
