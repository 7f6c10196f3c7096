package apt

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/tend-sh/tend/plugins/sdk"
)

// call is one command a runner was asked to run and what came of it.
type call struct {
	Cmd sdk.Cmd
	Res sdk.Result
	Err error
}

// recorder wraps a Runner and records every call.
type recorder struct {
	r     sdk.Runner
	mu    sync.Mutex
	calls []call
}

func (rec *recorder) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	res, err := rec.r.Run(ctx, c)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls = append(rec.calls, call{Cmd: c, Res: res, Err: err})
	return res, err
}

// argvs are the recorded command lines, in the order they ran.
func (rec *recorder) argvs() [][]string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out [][]string
	for _, c := range rec.calls {
		out = append(out, c.Cmd.Argv)
	}
	return out
}

// count counts the recorded calls whose argv has all of words.
func (rec *recorder) count(words ...string) int {
	n := 0
	for _, argv := range rec.argvs() {
		if containsAll(argv, words) {
			n++
		}
	}
	return n
}

// find returns the first recorded call whose argv has all of words.
func (rec *recorder) find(words ...string) (call, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, c := range rec.calls {
		if containsAll(c.Cmd.Argv, words) {
			return c, true
		}
	}
	return call{}, false
}

func containsAll(argv, words []string) bool {
	for _, w := range words {
		if !slices.Contains(argv, w) {
			return false
		}
	}
	return true
}

// fake is a Runner that answers from canned results: the first rule
// whose words all appear in the argv wins; without one, the command
// "exits" 0 with no output. A rule with several results gives them in
// turn, the last one again and again.
type fake struct {
	mu    sync.Mutex
	rules []*rule
}

type rule struct {
	words []string
	res   []sdk.Result
	err   error
	do    func() // runs when the rule answers
}

func (f *fake) on(words string, res ...sdk.Result) *fake {
	f.rules = append(f.rules, &rule{words: strings.Fields(words), res: res})
	return f
}

func (f *fake) fail(words string, err error, do func()) *fake {
	f.rules = append(f.rules, &rule{words: strings.Fields(words), err: err, do: do})
	return f
}

func (f *fake) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Result{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if !containsAll(c.Argv, r.words) {
			continue
		}
		if r.do != nil {
			r.do()
		}
		if len(r.res) == 0 {
			return sdk.Result{}, r.err
		}
		res := r.res[0]
		if len(r.res) > 1 {
			r.res = r.res[1:]
		}
		return res, r.err
	}
	return sdk.Result{}, nil
}

func out(s string) sdk.Result { return sdk.Result{Stdout: []byte(s)} }
