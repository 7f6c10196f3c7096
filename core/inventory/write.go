package inventory

import (
	"bytes"
	"path/filepath"

	gojson "github.com/goccy/go-json"

	"github.com/tend-sh/tend/core/internal/atomicfile"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Encode renders a snapshot as the contract's JSON: two-space indentation,
// keys in contract order, a trailing newline. The bytes are those
// encoding/json writes (TestEncodeMatchesEncodingJSON), from goccy/go-json,
// about 3× faster: a report commit of a whole fleet encodes every snapshot.
func Encode(s *model.Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := gojson.NewEncoder(&buf)
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
	return atomicfile.Write(filepath.Join(dir, s.Host, reportsbranch.SnapshotFile), data)
}
