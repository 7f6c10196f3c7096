package session

import (
	"context"
	"fmt"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader"
)

// Resolve asks provider, read-only, for the whole transaction actions
// would be on host, through the host's transport as Scan reaches it: the
// changes the package manager would make, planned packages included, and
// warnings that did not stop it. When the provider does not resolve
// dependencies, the error is loader.ErrResolveUnsupported (errors.Is); an
// unsatisfiable transaction is an error carrying the package manager's
// explanation.
func (ps *Providers) Resolve(ctx context.Context, host, provider string, actions []model.ProviderAction) ([]model.Change, []string, error) {
	h, ok := ps.cfg.Hosts[host]
	if !ok {
		return nil, nil, fmt.Errorf("host %q is not in the configuration", host)
	}
	if h.Transport == config.TransportAgent {
		// The agent's provider resolves the transaction on the host when
		// it applies, and installs nothing when it differs.
		return nil, nil, fmt.Errorf("host %q runs tend agent: %w", host, loader.ErrResolveUnsupported)
	}
	runner, err := ps.hosts.runner(h)
	if err != nil {
		return nil, nil, err
	}
	p, err := ps.Get(ctx, provider)
	if err != nil {
		return nil, nil, err
	}
	return p.Resolve(ctx, host, actions, runner)
}
