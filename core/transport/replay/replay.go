// Package replay is a transport that answers commands from a recording
// instead of running them: the stdout, stderr and exit code a real host
// gave each command (Recorder captures them through any other Runner),
// after a configurable delay per command that stands for the network and
// the host's work. Fleet-scale runs (a daemon's scan and apply over 1,000
// hosts) can then be measured on one machine.
package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Recording is what a host answered, command by command; it is stored as
// JSON.
type Recording struct {
	Commands []Entry `json:"commands"`
}

// Entry is one command and what it produced. A command asked again with
// different answers (dpkg's status before and after an apply) has one
// entry per answer, in order.
type Entry struct {
	Argv     []string `json:"argv"`
	Stdin    []byte   `json:"stdin,omitempty"`
	Env      []string `json:"env,omitempty"`
	Stdout   []byte   `json:"stdout"`
	Stderr   []byte   `json:"stderr"`
	ExitCode int      `json:"exit_code"`
}

// Load reads a recording written by Save.
func Load(path string) (*Recording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Recording
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Save writes the recording as JSON.
func (r *Recording) Save(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// key is what makes two commands the same command.
func key(argv, env []string, stdin []byte) string {
	return strings.Join(argv, "\x00") + "\x01" + strings.Join(env, "\x00") + "\x01" + string(stdin)
}

// Runner replays a recording: Run waits Delay (or until the command's
// timeout or the context ends), then answers with the recorded result.
// A command asked more often than it was recorded gets its last answer
// again; one never recorded is an error. Run is safe for concurrent use;
// each Runner replays the recording from its start.
type Runner struct {
	Delay time.Duration

	mu      sync.Mutex
	answers map[string][]Entry
	asked   map[string]int
}

// New returns a Runner replaying rec with delay per command.
func New(rec *Recording, delay time.Duration) *Runner {
	r := &Runner{Delay: delay, answers: map[string][]Entry{}, asked: map[string]int{}}
	for _, e := range rec.Commands {
		k := key(e.Argv, e.Env, e.Stdin)
		r.answers[k] = append(r.answers[k], e)
	}
	return r
}

// Run answers c from the recording.
func (r *Runner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	k := key(c.Argv, c.Env, c.Stdin)
	r.mu.Lock()
	list := r.answers[k]
	n := r.asked[k]
	r.asked[k]++
	r.mu.Unlock()
	if len(list) == 0 {
		return sdk.Result{}, fmt.Errorf("replay: %s is not in the recording", c)
	}
	e := list[min(n, len(list)-1)]
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	if r.Delay > 0 {
		t := time.NewTimer(r.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return sdk.Result{}, fmt.Errorf("replay: %s: %w", c, ctx.Err())
		}
	} else if err := ctx.Err(); err != nil {
		return sdk.Result{}, fmt.Errorf("replay: %s: %w", c, err)
	}
	return sdk.Result{Stdout: slices.Clone(e.Stdout), Stderr: slices.Clone(e.Stderr), ExitCode: e.ExitCode}, nil
}

// Recorder runs commands through Inner and records what they produced.
// A command that could not be run (an error, not an exit code) is not
// recorded. Run is safe for concurrent use.
type Recorder struct {
	Inner sdk.Runner

	mu  sync.Mutex
	rec Recording
}

// Run runs c through Inner and records its result.
func (r *Recorder) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	res, err := r.Inner.Run(ctx, c)
	if err != nil {
		return res, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rec.Commands = append(r.rec.Commands, Entry{
		Argv: slices.Clone(c.Argv), Stdin: slices.Clone(c.Stdin), Env: slices.Clone(c.Env),
		Stdout: slices.Clone(res.Stdout), Stderr: slices.Clone(res.Stderr), ExitCode: res.ExitCode,
	})
	return res, nil
}

// Recording returns what was recorded so far.
func (r *Recorder) Recording() *Recording {
	r.mu.Lock()
	defer r.mu.Unlock()
	return &Recording{Commands: slices.Clone(r.rec.Commands)}
}
