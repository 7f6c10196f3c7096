package reportsbranch

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestClientBranch(t *testing.T) {
	for client, want := range map[string]string{
		"acme":      "tend/reports-clients/acme",
		"Acme Corp": "tend/reports-clients/Acme%20Corp",
		"a/b":       "tend/reports-clients/a%2Fb",
		"..":        "tend/reports-clients/%2E%2E",
		"x.lock":    "tend/reports-clients/x%2Elock",
		"a:b~c^d":   "tend/reports-clients/a%3Ab%7Ec%5Ed",
		"müller":    "tend/reports-clients/m%C3%BCller",
	} {
		got := ClientBranch("tend/reports", client)
		if got != want {
			t.Errorf("ClientBranch(%q) = %q, want %q", client, got, want)
		}
		if err := plumbing.NewBranchReferenceName(got).Validate(); err != nil {
			t.Errorf("ClientBranch(%q) = %q is not a valid ref: %v", client, got, err)
		}
	}
	if ClientBranch("tend/reports", "a b") == ClientBranch("tend/reports", "a%20b") {
		t.Error("two labels share a branch")
	}
}
