package agent

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/agentwire"
)

// TestReconnectDelay: random within the bounds, both doubled per failed
// attempt, never past the cap.
func TestReconnectDelay(t *testing.T) {
	o := &Options{ReconnectMin: 10 * time.Second, ReconnectMax: 30 * time.Second, ReconnectCap: 5 * time.Minute}
	for n, want := range map[int][2]time.Duration{
		1: {10 * time.Second, 30 * time.Second},
		2: {20 * time.Second, 60 * time.Second},
		3: {40 * time.Second, 120 * time.Second},
		9: {2 * time.Minute, 5 * time.Minute},
	} {
		for range 200 {
			if d := reconnectDelay(o, n); d < want[0] || d > want[1] {
				t.Fatalf("attempt %d: %s, want within %s–%s", n, d, want[0], want[1])
			}
		}
	}
}

// TestMaterialiseConfined: a desired state's file may not leave the
// configuration directory; a good one replaces the older revision.
func TestMaterialiseConfined(t *testing.T) {
	st, err := openStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../x.tend.hcl", "/etc/passwd", "a/../../x"} {
		ds := &agentwire.DesiredState{Group: "web", Revision: 1, Files: map[string][]byte{bad: []byte("x")}}
		if _, err := st.materialise(ds); err == nil || !strings.Contains(err.Error(), "outside the configuration") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for rev := uint64(1); rev <= 2; rev++ {
		ds := &agentwire.DesiredState{Group: "web", Revision: rev, Files: map[string][]byte{"sub/a.tend.hcl": []byte("# r")}}
		if _, err := st.materialise(ds); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := osReadDir(st.path("config", "web"))
	if len(entries) != 1 || entries[0] != "r2" {
		t.Errorf("config/web holds %v, want only r2", entries)
	}
}

// TestEnroll: the seed is created once, 0600, and gives the same public key.
func TestEnroll(t *testing.T) {
	dir := t.TempDir()
	pub, created, err := Enroll(dir)
	if err != nil || !created || !strings.HasPrefix(pub, "U") {
		t.Fatalf("first enroll: %q %v %v", pub, created, err)
	}
	again, created, err := Enroll(dir)
	if err != nil || created || again != pub {
		t.Fatalf("second enroll: %q %v %v; want %q", again, created, err, pub)
	}
}

func osReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}
