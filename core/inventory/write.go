package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tend-sh/tend/core/model"
)

// Encode renders a snapshot as the contract's JSON: two-space indentation,
// keys in contract order, a trailing newline.
func Encode(s *model.Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write stores DIR/<host>/inventory.json atomically: a reader never sees a
// half-written snapshot.
func Write(dir string, s *model.Snapshot) error {
	data, err := Encode(s)
	if err != nil {
		return err
	}
	hostDir := filepath.Join(dir, s.Host)
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		return fmt.Errorf("writing inventory: %w", err)
	}
	tmp, err := os.CreateTemp(hostDir, ".inventory-*")
	if err != nil {
		return fmt.Errorf("writing inventory: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing inventory: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing inventory: %w", err)
	}
	return os.Rename(tmp.Name(), filepath.Join(hostDir, FileName))
}
