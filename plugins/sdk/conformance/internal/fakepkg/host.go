// Package fakepkg is a toy package manager for the conformance kit's own
// tests: Host answers a "pkg" command in memory, and Provider is a tend
// provider driving it, well behaved or with a chosen bug.
package fakepkg

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Host is an sdk.Runner that knows one program, pkg:
//
//	pkg list                   installed "NAME VERSION" lines
//	pkg candidates             "NAME FROM TO CLASS" for each installed package with a newer offer
//	pkg versions NAME          offered versions of NAME, oldest first
//	pkg install NAME VERSION   install (or change to) an offered version
//
// Versions are integers. Anything else exits 127.
type Host struct {
	mu        sync.Mutex
	installed map[string]int
	offered   map[string][]int
}

// NewHost returns a host with a installed at 1 and b at 1; a is offered at
// 1, 2 and 3 (3 a security update), b at 1 and 2, c at 1.
func NewHost() *Host {
	return &Host{
		installed: map[string]int{"a": 1, "b": 1},
		offered:   map[string][]int{"a": {1, 2, 3}, "b": {1, 2}, "c": {1}},
	}
}

// Run implements sdk.Runner.
func (h *Host) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Result{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	fail := func(code int, format string, args ...any) (sdk.Result, error) {
		return sdk.Result{ExitCode: code, Stderr: fmt.Appendf(nil, format+"\n", args...)}, nil
	}
	if len(c.Argv) < 2 || c.Argv[0] != "pkg" {
		return fail(127, "unknown command %q", c.Argv)
	}
	var out strings.Builder
	switch args := c.Argv[2:]; {
	case c.Argv[1] == "list" && len(args) == 0:
		for _, n := range sortedNames(h.installed) {
			fmt.Fprintf(&out, "%s %d\n", n, h.installed[n])
		}
	case c.Argv[1] == "candidates" && len(args) == 0:
		for _, n := range sortedNames(h.installed) {
			offers := h.offered[n]
			if len(offers) > 0 && offers[len(offers)-1] > h.installed[n] {
				fmt.Fprintf(&out, "%s %d %d %s\n", n, h.installed[n], offers[len(offers)-1], "security")
			}
		}
	case c.Argv[1] == "versions" && len(args) == 1:
		for _, v := range h.offered[args[0]] {
			fmt.Fprintf(&out, "%d\n", v)
		}
	case c.Argv[1] == "install" && len(args) == 2:
		v, err := strconv.Atoi(args[1])
		if err != nil || !slices.Contains(h.offered[args[0]], v) {
			return fail(100, "pkg: %s %s is not offered", args[0], args[1])
		}
		h.installed[args[0]] = v
	default:
		return fail(127, "pkg: bad usage %q", c.Argv)
	}
	return sdk.Result{Stdout: []byte(out.String())}, nil
}

func sortedNames(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
