package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeduplicated(t *testing.T) {
	p := &ProviderInventory{
		Installed: []Installed{
			{ID: "curl", Name: "curl", Version: "1"},
			{ID: "curl", Name: "curl", Version: "1"},
			{ID: "nginx", Name: "nginx", Version: "1"},
			{ID: "nginx", Name: "nginx", Version: "2"},
			{ID: "libc6:amd64", Name: "libc6", Version: "2.36"},
			{ID: "libc6:i386", Name: "libc6", Version: "2.36"},
		},
		Available: []Update{
			{ID: "curl", Name: "curl", From: "1", To: "2"},
			{ID: "curl", Name: "curl", From: "1", To: "2"},
			{ID: "nginx", Name: "nginx", From: "1", To: "3"},
			{ID: "nginx", Name: "nginx", From: "1", To: "4"},
			{ID: "libc6:amd64", Name: "libc6", From: "2.36", To: "2.37"},
			{ID: "libc6:i386", Name: "libc6", From: "2.36", To: "2.37"},
		},
	}
	inst, avail, dups := p.Deduplicated()
	wantInst := []Installed{{ID: "curl", Name: "curl", Version: "1"},
		{ID: "libc6:amd64", Name: "libc6", Version: "2.36"}, {ID: "libc6:i386", Name: "libc6", Version: "2.36"}}
	if diff := cmp.Diff(wantInst, inst); diff != "" {
		t.Errorf("installed (-want +got):\n%s", diff)
	}
	wantAvail := []Update{{ID: "curl", Name: "curl", From: "1", To: "2"}, {ID: "libc6:amd64", Name: "libc6", From: "2.36", To: "2.37"}}
	if diff := cmp.Diff(wantAvail, avail); diff != "" {
		t.Errorf("available (-want +got):\n%s", diff)
	}
	wantDups := []Duplicate{
		{List: ListInstalled, Key: "curl", Count: 2, Versions: []string{"1"}},
		{List: ListInstalled, Key: "nginx", Count: 2, Versions: []string{"1", "2"}},
		{List: ListAvailable, Key: "curl", Count: 2, Versions: []string{"2"}},
		{List: ListAvailable, Key: "nginx", Count: 2, Versions: []string{"3", "4"}},
	}
	if diff := cmp.Diff(wantDups, dups); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	if len(p.Installed) != 6 || len(p.Available) != 6 {
		t.Error("Deduplicated modified its receiver")
	}
}
