package sdk

import (
	"context"
	"testing"

	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// noResolver is a Provider without the Resolver capability.
type noResolver struct{ Provider }

// TestResolveUnimplemented: a provider that is no Resolver answers
// Unimplemented, before it needs the exec service.
func TestResolveUnimplemented(t *testing.T) {
	_, err := (&server{impl: noResolver{}}).Resolve(context.Background(), &pb.ResolveRequest{Host: "web_1"})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("Resolve of a provider without it: %v; want Unimplemented", err)
	}
}
