package diagnostics

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/core/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestWriteJSON(t *testing.T) {
	src := []byte("window \"w\" {\n\tschedule = \"0 25 * * SAT\"\n  duration = \"6h\"\n}\n" +
		"policy \"p\" {\n  provider = \"apt\"\n  targets  = []\n}\n")
	dir := filepath.Join("conf")
	_, diags := config.LoadSources(dir, map[string][]byte{filepath.Join(dir, "w.tend.hcl"): src}, os.ReadFile)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, diags, dir); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Valid bool }
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.Valid {
		t.Fatalf("not a JSON document saying invalid: %v\n%s", err, buf.Bytes())
	}
	golden := filepath.Join("testdata", "validate.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteJSON output differs from %s (go test -update to accept):\n%s", golden, buf.Bytes())
	}
}

func TestWriteJSONValid(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, nil, ""); err != nil {
		t.Fatal(err)
	}
	const want = "{\n  \"format_version\": \"1\",\n  \"valid\": true,\n  \"error_count\": 0,\n  \"warning_count\": 0,\n  \"diagnostics\": []\n}\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
