package conformance

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
)

// EnvRecord is the environment variable that makes RecordLocally return a
// runner: TEND_CONFORMANCE_RECORD=1 go test -run TestConformance .
const EnvRecord = "TEND_CONFORMANCE_RECORD"

// RecordLocally returns a Runner that runs commands on this machine, as
// tend's local transport does, when TEND_CONFORMANCE_RECORD=1 is set, and
// nil otherwise. Set TestCase.Record to it: a normal test run replays the
// committed fixtures, and a run with the variable set records them anew.
// Recording runs the apply steps for real, so record on a machine (or in
// files) you can afford to change.
func RecordLocally() sdk.Runner {
	if os.Getenv(EnvRecord) != "1" {
		return nil
	}
	return local.Runner{}
}

// Recorder is an sdk.Runner that runs each command through another Runner
// and records the command and its result into a fixtures directory, for
// Replay to answer from later. A command run several times keeps every
// result, in order.
type Recorder struct {
	runner sdk.Runner
	dir    string
	ph     placeholders

	mu       sync.Mutex
	fixtures map[string]*fixture
	runs     int
}

// NewRecorder returns a Recorder running commands through runner and
// recording them into dir, which it creates or empties of fixture files
// (*.json) first; any other *.json file there is an error, as the fixtures
// need a directory of their own. placeholders maps a name to a value that differs between
// runs, such as a temporary directory: fixtures hold ${NAME} instead of the
// value, in commands and in their output.
func NewRecorder(runner sdk.Runner, dir string, placeholders map[string]string) (*Recorder, error) {
	ph, err := newPlaceholders(placeholders)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := removeFixtures(dir); err != nil {
		return nil, err
	}
	return &Recorder{runner: runner, dir: dir, ph: ph, fixtures: map[string]*fixture{}}, nil
}

// Run runs c through the wrapped Runner and records it. A failure to write
// the fixture is returned as the command's error.
func (r *Recorder) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	res, err := r.runner.Run(ctx, c)
	cmd := r.ph.command(c)
	hres, herr := r.ph.hideResult(res, err)

	r.mu.Lock()
	defer r.mu.Unlock()
	k := cmd.key()
	f, ok := r.fixtures[k]
	if !ok {
		f = newFixture(cmd)
		r.fixtures[k] = f
	}
	f.Results = append(f.Results, newFixtureResult(hres, herr))
	r.runs++
	if werr := writeFixture(r.dir, f); werr != nil {
		return res, fmt.Errorf("conformance: recording %s: %w", cmd, werr)
	}
	return res, err
}

// recorded returns how many command runs have been recorded.
func (r *Recorder) recorded() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs
}
