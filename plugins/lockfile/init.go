package lockfile

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/loader"
)

// InitResult describes one provider tend init locked.
type InitResult struct {
	Lock    Lock
	Path    string
	Changed bool // the lock entry is new or differs from the previous one
}

// Init finds every provider the policies use, checks each binary's version
// against required_providers, and writes the lock file with their hashes.
// Nothing is written unless every provider checks out.
func Init(ctx context.Context, cfg *config.Config, log *logrus.Logger) ([]InitResult, error) {
	old, err := Read(cfg.Dir)
	if err != nil {
		return nil, err
	}
	dirs := loader.SearchDirs(cfg.Dir)
	locks := map[string]Lock{}
	var results []InitResult
	for _, name := range Needed(cfg) {
		path, err := loader.Find(name, dirs)
		if err != nil {
			return nil, err
		}
		sum, err := loader.Checksum(path)
		if err != nil {
			return nil, err
		}
		p, err := loader.Launch(loader.Options{Name: name, Path: path, Checksum: sum, Logger: log})
		if err != nil {
			return nil, err
		}
		schema, err := p.Schema(ctx)
		p.Close()
		if err != nil {
			return nil, err
		}
		if schema.Name != name {
			return nil, fmt.Errorf("%s says it is provider %q, not %q", path, schema.Name, name)
		}
		if cfg.Tend != nil {
			if want, ok := cfg.Tend.RequiredProviders[name]; ok {
				c, err := config.ParseConstraint(want)
				if err != nil {
					return nil, err
				}
				if !c.Check(schema.Version) {
					return nil, fmt.Errorf("provider %q at %s is version %s, which does not satisfy required_providers %q", name, path, schema.Version, want)
				}
			}
		}
		l := Lock{Name: name, Version: schema.Version, Protocol: loader.ProtocolVersion, Hash: sum}
		locks[name] = l
		results = append(results, InitResult{Lock: l, Path: path, Changed: old[name] != l})
	}
	if err := Write(cfg.Dir, locks); err != nil {
		return nil, err
	}
	return results, nil
}
