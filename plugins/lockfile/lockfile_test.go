package lockfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLockRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if got, err := Read(dir); err != nil || len(got) != 0 {
		t.Fatalf("missing lock = %v, %v", got, err)
	}
	want := map[string]Lock{
		"apt":    {Name: "apt", Version: "0.1.0", Protocol: 1, Hash: "sha256:" + strings.Repeat("ab", 32)},
		"winget": {Name: "winget", Version: "0.2.0", Protocol: 1, Hash: "sha256:" + strings.Repeat("cd", 32)},
	}
	if err := Write(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !strings.Contains(string(data), "provider \"apt\" {\n  version  = \"0.1.0\"") {
		t.Errorf("lock file =\n%s", data)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("provider \"apt\" {\n version = \"1\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "protocol") {
		t.Errorf("incomplete lock: err = %v", err)
	}
}
