package sdk

import (
	"context"
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/protobuf/proto"
)

// schemeProvider declares scheme; it is only asked for its schema.
type schemeProvider struct {
	Provider
	scheme VersionScheme
}

func (p schemeProvider) Schema(context.Context) (*SchemaResponse, error) {
	return &SchemaResponse{Name: "p", Version: "1.0.0", VersionScheme: p.scheme}, nil
}

func TestSchemaVersionSchemeToProto(t *testing.T) {
	resp, err := (&server{impl: schemeProvider{scheme: VersionOpaque}}).GetSchema(context.Background(), &pb.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var wire pb.GetSchemaResponse
	if err := proto.Unmarshal(b, &wire); err != nil || wire.VersionScheme != "opaque" {
		t.Errorf("version_scheme on the wire = %q, %v; want opaque", wire.VersionScheme, err)
	}
	_, err = (&server{impl: schemeProvider{scheme: "semvr"}}).GetSchema(context.Background(), &pb.GetSchemaRequest{})
	if err == nil || !strings.Contains(err.Error(), `the schema of provider "p": unknown version scheme "semvr"`) {
		t.Errorf("an unknown scheme: err = %v", err)
	}
}

// TestScanVersionScheme: a scan's inventory carries the schema's scheme
// without the provider setting it; one that sets another is refused.
func TestScanVersionScheme(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		declared, scanned, want VersionScheme
		err                     string
	}{
		{VersionDotted, "", VersionDotted, ""},
		{VersionDotted, VersionDotted, VersionDotted, ""},
		{"", "", "", ""},
		{VersionDotted, VersionSemver, "", `the scan reports version scheme "semver", but the schema of provider "p" declares "dotted"`},
	} {
		got, err := (&server{impl: schemeProvider{scheme: c.declared}}).versionScheme(ctx, c.scanned)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("declared %q, scanned %q: %q, %v; want %q, %q", c.declared, c.scanned, got, err, c.want, c.err)
		}
	}
	inv := protoconv.InventoryToProto(&Inventory{VersionScheme: VersionSemver})
	if inv.VersionScheme != "semver" {
		t.Errorf("inventory version_scheme = %q, want semver", inv.VersionScheme)
	}
}
