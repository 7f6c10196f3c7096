package session

import (
	"fmt"
	"sync"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/core/transport/ssh"
	"github.com/tend-sh/tend/plugins/sdk"
)

// transports hands out the Runner each host is reached by: the local
// runner, or one SSH connection per host, reused by every command of the
// run and closed at its end.
type transports struct {
	mu  sync.Mutex
	ssh map[string]*ssh.Client
	// replay and record are the benchmark hooks (replay.go): every host
	// answered from a recording, or every command recorded.
	replay   *replayed
	recorder *recording
	loaded   bool
	loadErr  error
}

// Runner returns the Runner that reaches host h: the local runner, or the
// session's SSH connection to h, opened on first use.
func (ps *Providers) Runner(h *config.Host) (sdk.Runner, error) { return ps.hosts.runner(h) }

func (t *transports) runner(h *config.Host) (sdk.Runner, error) {
	if r, ok, err := t.benchRunner(h); ok || err != nil {
		return r, err
	}
	r, err := t.real(h)
	if err != nil || t.recorder == nil {
		return r, err
	}
	return t.recorder.wrap(r), nil
}

// real returns the Runner of the host's own transport.
func (t *transports) real(h *config.Host) (sdk.Runner, error) {
	switch h.Transport {
	case config.TransportLocal:
		return local.Runner{}, nil
	case config.TransportSSH:
		t.mu.Lock()
		defer t.mu.Unlock()
		if c, ok := t.ssh[h.Name]; ok {
			return c, nil
		}
		o := ssh.Options{Address: h.Address}
		if s := h.SSH; s != nil {
			o.Port, o.User, o.IdentityFile, o.KnownHostsFile, o.Sudo = s.Port, s.User, s.IdentityFile, s.KnownHostsFile, s.Sudo
			o.Shell = ssh.Shell(s.Shell)
		}
		c, err := ssh.New(o)
		if err != nil {
			return nil, fmt.Errorf("host %q: %w", h.Name, err)
		}
		if t.ssh == nil {
			t.ssh = map[string]*ssh.Client{}
		}
		t.ssh[h.Name] = c
		return c, nil
	case config.TransportAgent:
		return nil, fmt.Errorf("host %q uses transport \"agent\": it is reached only through a controller's NATS connection; run `tend serve --nats URL` (or tend serve with its embedded server), not tend scan or tend apply", h.Name)
	}
	return nil, fmt.Errorf("host %q: unknown transport %q", h.Name, h.Transport)
}

func (t *transports) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.recorder.save()
	for _, c := range t.ssh {
		_ = c.Close()
	}
	t.ssh = nil
}
