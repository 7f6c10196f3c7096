package testfile

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes body to path (mode 0644), creating the directories above
// it, and fails t on an error.
func Write(t testing.TB, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
