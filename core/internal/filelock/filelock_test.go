package filelock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLock: a second open file of the lock waits (TryLock: ErrHeld) until
// the first is closed.
func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a, b := open(), open()
	defer b.Close()
	if err := Lock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); !errors.Is(err, ErrHeld) {
		t.Fatalf("TryLock while held = %v, want ErrHeld", err)
	}
	got := make(chan error, 1)
	go func() { got <- Lock(b) }()
	a.Close()
	if err := <-got; err != nil {
		t.Fatalf("Lock after release = %v", err)
	}
}
