package loader

import (
	"context"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"github.com/tend-sh/tend/plugins/sdk"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// TestVersionSchemeRoundTrip: the scheme a provider declares reaches tend
// in its schema and in every scanned inventory.
func TestVersionSchemeRoundTrip(t *testing.T) {
	p, _ := launch(t, testProvider(t))
	ctx := context.Background()
	sc, err := p.Schema(ctx)
	if err != nil || sc.VersionScheme != sdk.VersionDotted {
		t.Fatalf("schema version scheme = %q, %v; want dotted", sc.VersionScheme, err)
	}
	if err := p.Configure(ctx, map[string]any{"greeting": "hello"}); err != nil {
		t.Fatal(err)
	}
	inv, _, err := p.Scan(ctx, "web_1", nil, local.Runner{})
	if err != nil || inv.VersionScheme != sdk.VersionDotted {
		t.Fatalf("scanned version scheme = %v, %v; want dotted", inv, err)
	}
}

// decodeInventory sends in over the wire and decodes it as tend does.
func decodeInventory(t *testing.T, in *pb.Inventory) (*sdk.Inventory, error) {
	t.Helper()
	b, err := proto.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var wire pb.Inventory
	if err := proto.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	return protoconv.InventoryFromProto(&wire)
}

func TestInventoryVersionSchemeFromProto(t *testing.T) {
	for _, s := range []sdk.VersionScheme{"", sdk.VersionDebian, sdk.VersionSemver, sdk.VersionDotted, sdk.VersionOpaque} {
		inv, err := decodeInventory(t, &pb.Inventory{VersionScheme: string(s)})
		if err != nil || inv.VersionScheme != s {
			t.Errorf("%q decoded as %v, %v", s, inv, err)
		}
	}
	_, err := decodeInventory(t, &pb.Inventory{VersionScheme: "rpm"})
	if err == nil || !strings.Contains(err.Error(), `unknown version scheme "rpm"`) {
		t.Errorf("an unknown scheme: err = %v", err)
	}
}

// schemaClient answers GetSchema with resp, as a provider not built on the
// SDK might.
type schemaClient struct {
	pb.ProviderClient
	resp *pb.GetSchemaResponse
}

func (c schemaClient) GetSchema(context.Context, *pb.GetSchemaRequest, ...grpc.CallOption) (*pb.GetSchemaResponse, error) {
	return c.resp, nil
}

func TestSchemaUnknownVersionScheme(t *testing.T) {
	p := &Provider{name: "odd", rpc: schemaClient{resp: &pb.GetSchemaResponse{Name: "odd", Version: "1.0.0", VersionScheme: "calver"}}}
	_, err := p.Schema(context.Background())
	want := `provider "odd": schema: unknown version scheme "calver": tend knows debian, semver, dotted, winget, fwupd, opaque`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
