package reportsbranch

import (
	"context"
	"testing"
)

func TestDiffers(t *testing.T) {
	repo := workRepo(t)
	const report = `{"generated_at": "2026-11-23T10:00:00Z", "state": "compliant"}`
	if _, _, err := Write(repo, "tend/reports", Files{"summary.json": []byte(report)}, testCommit("first")); err != nil {
		t.Fatal(err)
	}
	tree, err := Fetch(context.Background(), repo, "", "tend/reports")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files Files
		want  bool
	}{
		{"same", Files{"summary.json": []byte(report)}, false},
		{"later timestamps", Files{"summary.json": []byte(`{"generated_at": "2026-11-24T09:30:12.5+01:00", "state": "compliant"}`)}, false},
		{"other content", Files{"summary.json": []byte(`{"generated_at": "2026-11-23T10:00:00Z", "state": "non_compliant"}`)}, true},
		{"new file", Files{"summary.json": []byte(report), "SUMMARY.md": []byte("# x\n")}, true},
	}
	for _, tt := range tests {
		got, err := Differs(tree, tt.files)
		if err != nil || got != tt.want {
			t.Errorf("%s: Differs = %v, %v; want %v", tt.name, got, err, tt.want)
		}
		same := NormalizedSum(tt.files["summary.json"]) == NormalizedSum([]byte(report))
		if same == tt.want && tt.name != "new file" {
			t.Errorf("%s: NormalizedSum agrees = %v, want %v", tt.name, same, !tt.want)
		}
	}
	if got, err := Differs(&Tree{}, Files{"summary.json": []byte(report)}); err != nil || !got {
		t.Errorf("empty branch: Differs = %v, %v; want true", got, err)
	}
}

func TestClientDir(t *testing.T) {
	for in, want := range map[string]string{
		"acme": "clients/acme", "globex/eu": "clients/globex%2Feu", "Initech Inc": "clients/Initech%20Inc",
		"..": "clients/%2E.", ".git": "clients/%2Egit",
	} {
		if got := ClientDir(in); got != want {
			t.Errorf("ClientDir(%q) = %q, want %q", in, got, want)
		}
	}
}
