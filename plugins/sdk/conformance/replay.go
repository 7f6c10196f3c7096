package conformance

import (
	"context"
	"fmt"
	"sync"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Replayer is an sdk.Runner that answers commands from recorded fixtures;
// nothing runs for real. The n-th run of a command gets the n-th recorded
// result, and runs past the last recorded one get the last again.
type Replayer struct {
	dir      string
	ph       placeholders
	fixtures map[string]*fixture

	mu     sync.Mutex
	calls  map[string]int
	misses []string
}

// Replay loads the fixtures a Recorder wrote into dir. placeholders must
// name the same placeholders as when recording, with this run's values.
func Replay(dir string, placeholders map[string]string) (*Replayer, error) {
	ph, err := newPlaceholders(placeholders)
	if err != nil {
		return nil, err
	}
	fx, err := readFixtures(dir)
	if err != nil {
		return nil, fmt.Errorf("conformance: reading fixtures in %s: %w", dir, err)
	}
	return &Replayer{dir: dir, ph: ph, fixtures: fx, calls: map[string]int{}}, nil
}

// Run answers c from the fixtures. A command that was never recorded is an
// error naming it and saying how to record.
func (r *Replayer) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Result{}, err
	}
	cmd := r.ph.command(c)
	k := cmd.key()
	r.mu.Lock()
	f, ok := r.fixtures[k]
	n := r.calls[k]
	r.calls[k] = n + 1
	if !ok {
		r.misses = append(r.misses, cmd.String())
	}
	r.mu.Unlock()
	if !ok {
		return sdk.Result{}, fmt.Errorf("conformance: the command %s is not in the fixtures in %s; "+
			"if the provider's commands changed, record the fixtures again (set TestCase.Record, e.g. %s=1 go test -run YourConformanceTest)",
			cmd, r.dir, EnvRecord)
	}
	n = min(n, len(f.Results)-1)
	return r.ph.showResult(f.Results[n].result())
}

// takeMisses returns the commands asked for that were not recorded since
// the last call, and forgets them.
func (r *Replayer) takeMisses() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.misses
	r.misses = nil
	return m
}
