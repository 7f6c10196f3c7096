package loader

import (
	"context"
	"errors"
	"fmt"

	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"github.com/tend-sh/tend/plugins/sdk"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrResolveUnsupported means the provider does not resolve transactions:
// it has no Resolve (built before the RPC, or its package manager cannot
// simulate), so tend cannot show or check what the actions pull in.
var ErrResolveUnsupported = errors.New("the provider does not resolve dependencies")

// Resolve asks the provider for the whole transaction actions would be on
// host, read-only, running its commands through runner: the changes, the
// planned packages included, and warnings. A provider without Resolve
// returns an error that is ErrResolveUnsupported (errors.Is).
func (p *Provider) Resolve(ctx context.Context, host string, actions []sdk.Action, runner sdk.Runner) ([]sdk.Change, []string, error) {
	id, stop := p.serveExec(runner)
	defer stop()
	resp, err := p.rpc.Resolve(ctx, &pb.ResolveRequest{Host: host, Actions: protoconv.ActionsToProto(actions), ExecBrokerId: id})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil, fmt.Errorf("provider %q: %w", p.name, ErrResolveUnsupported)
	}
	if err != nil {
		return nil, nil, p.wrap("Resolve", err)
	}
	return protoconv.ChangesFromProto(resp.Changes), resp.Warnings, nil
}
