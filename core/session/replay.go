package session

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/transport/replay"
	"github.com/tend-sh/tend/plugins/sdk"
)

// The benchmark hooks, for measuring fleet-scale runs on one machine
// (make bench) and for tests; not a way to reach real hosts:
//
//	TEND_BENCH_RECORD=FILE        every command any host runs is recorded, and saved to FILE when the session ends
//	TEND_BENCH_REPLAY=FILE        every host, whatever its transport, is answered from that recording
//	TEND_BENCH_REPLAY_DELAY=50ms  after this delay per command, standing for the network (default 0)
const (
	envRecord      = "TEND_BENCH_RECORD"
	envReplay      = "TEND_BENCH_REPLAY"
	envReplayDelay = "TEND_BENCH_REPLAY_DELAY"
)

// replayed is a loaded recording and its delay.
type replayed struct {
	rec   *replay.Recording
	delay time.Duration
	hosts map[string]*replay.Runner
}

// recording records every command of the session into one file.
type recording struct {
	path string
	mu   sync.Mutex
	rec  []*replay.Recorder
}

func (r *recording) wrap(inner sdk.Runner) sdk.Runner {
	rec := &replay.Recorder{Inner: inner}
	r.mu.Lock()
	r.rec = append(r.rec, rec)
	r.mu.Unlock()
	return rec
}

// save writes what every host ran, host after host.
func (r *recording) save() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	all := &replay.Recording{}
	for _, rec := range r.rec {
		all.Commands = append(all.Commands, rec.Recording().Commands...)
	}
	if err := all.Save(r.path); err != nil {
		logrus.WithError(err).Errorf("%s: could not save the recording", envRecord)
	}
}

// benchHooks reads the hooks from the environment.
func benchHooks() (*replayed, *recording, error) {
	var rec *recording
	if p := os.Getenv(envRecord); p != "" {
		rec = &recording{path: p}
	}
	p := os.Getenv(envReplay)
	if p == "" {
		return nil, rec, nil
	}
	r, err := replay.Load(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", envReplay, err)
	}
	var delay time.Duration
	if d := os.Getenv(envReplayDelay); d != "" {
		if delay, err = time.ParseDuration(d); err != nil || delay < 0 {
			return nil, nil, fmt.Errorf("%s=%q: not a duration such as 50ms", envReplayDelay, d)
		}
	}
	return &replayed{rec: r, delay: delay, hosts: map[string]*replay.Runner{}}, rec, nil
}

// benchRunner returns the replaying Runner of host h when the session
// replays (ok), one per host for the session.
func (t *transports) benchRunner(h *config.Host) (sdk.Runner, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.loaded {
		t.loaded = true
		if t.replay, t.recorder, t.loadErr = benchHooks(); t.loadErr != nil {
			return nil, false, t.loadErr
		}
	}
	if t.loadErr != nil {
		return nil, false, t.loadErr
	}
	if t.replay == nil {
		return nil, false, nil
	}
	r, ok := t.replay.hosts[h.Name]
	if !ok {
		r = replay.New(t.replay.rec, t.replay.delay)
		t.replay.hosts[h.Name] = r
	}
	return r, true, nil
}
