package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEncodeHostListLoads: what EncodeHostList writes is a hosts file the
// configuration loads, with the same hosts, transports and labels.
func TestEncodeHostListLoads(t *testing.T) {
	entries := []HostListEntry{
		{Name: "zeta", Transport: TransportAgent},
		{Name: "alpha", Transport: TransportAgent, Labels: map[string]string{"role": "web", "client": "acme"}},
	}
	b, err := EncodeHostList(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := "[\n  {\"name\":\"alpha\",\"transport\":\"agent\",\"labels\":{\"client\":\"acme\",\"role\":\"web\"}},\n  {\"name\":\"zeta\",\"transport\":\"agent\"}\n]\n"
	if string(b) != want {
		t.Fatalf("encoded:\n%s\nwant:\n%s", b, want)
	}
	if b, _ := EncodeHostList(nil); string(b) != "[]\n" {
		t.Errorf("empty = %q", b)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "agents.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte("hosts \"agents\" {\n  file = \"agents.json\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a, z := cfg.Hosts["alpha"], cfg.Hosts["zeta"]
	if a == nil || z == nil || a.Transport != TransportAgent || z.Transport != TransportAgent || a.Labels["client"] != "acme" || a.Labels["role"] != "web" {
		t.Errorf("hosts = %+v, %+v", a, z)
	}
}
