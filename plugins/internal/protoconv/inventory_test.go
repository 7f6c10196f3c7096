package protoconv

import (
	"slices"
	"testing"

	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// TestInventoryTrimsDebianVersions checks that Debian versions from a
// provider are read as dpkg reads them, blanks around them dropped, and
// that other schemes' versions are left as sent.
func TestInventoryTrimsDebianVersions(t *testing.T) {
	in := &pb.Inventory{
		Installed:  []*pb.Installed{{Id: "a", Name: "a", Version: " 1.0-1\t"}},
		Available:  []*pb.Update{{Id: "a", Name: "a", From: " 1.0-1", To: "1.0-2 "}},
		Unfinished: []*pb.Unfinished{{Name: "b", Version: "2.0 ", State: "half-configured"}},
		Versions:   map[string]*pb.Versions{"a": {Versions: []string{" 1.0-2", "1.0-1 "}}},
	}
	inv, err := InventoryFromProto(in)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Installed[0].Version != "1.0-1" || inv.Available[0].From != "1.0-1" || inv.Available[0].To != "1.0-2" ||
		inv.Unfinished[0].Version != "2.0" || !slices.Equal(inv.Versions["a"], []string{"1.0-2", "1.0-1"}) {
		t.Errorf("debian versions not trimmed: %+v", inv)
	}
	in.VersionScheme = "opaque"
	inv, err = InventoryFromProto(in)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Installed[0].Version != " 1.0-1\t" {
		t.Errorf("opaque version changed: %q", inv.Installed[0].Version)
	}
}
