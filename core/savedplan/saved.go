package savedplan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/model"
)

// Write writes a plan file atomically (temporary file, fsync, rename),
// so a crash never leaves half a plan behind.
func Write(path string, sp *model.SavedPlan) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sp); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes())
}

// NotPlanError is a file read as a saved plan that is JSON, but not a plan
// of this format version.
type NotPlanError struct {
	Path          string
	FormatVersion string
}

func (e *NotPlanError) Error() string {
	return fmt.Sprintf("%s is not a tend plan file (format_version %q)", e.Path, e.FormatVersion)
}

// Read reads a plan file written by Write.
func Read(path string) (*model.SavedPlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sp model.SavedPlan
	if err := json.Unmarshal(data, &sp); err != nil {
		return nil, fmt.Errorf("%s is not a tend plan file: %w", path, err)
	}
	if sp.FormatVersion != model.SavedPlanFormatVersion || sp.Plan == nil {
		return nil, &NotPlanError{Path: path, FormatVersion: sp.FormatVersion}
	}
	return &sp, nil
}
