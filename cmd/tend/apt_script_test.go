package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestScriptApt runs the scenarios in testdata/apt/*.txtar against the real
// apt provider, built into $TEND_PLUGIN_DIR; each scenario makes its
// hermetic root with aptlab.
func TestScriptApt(t *testing.T) {
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	plugins := loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/apt",
		Setup: func(env *testscript.Env) error {
			env.Setenv("TEND_PLUGIN_DIR", plugins)
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"aptlab": aptlabCmd},
	})
}

// aptlabCmd is "aptlab DIR CONFIG SUITE:NAME=VERSION[@SCRIPT][;FIELD=VALUE]...":
// it creates a root in DIR/root with a repository in DIR/repo, where SUITE
// is installed, stable or security and FIELD a control field of the package
// (Depends, Conflicts or Breaks), and writes CONFIG/apt.tend.hcl, the
// provider block acting on that root. With @SCRIPT, the package installs
// the content of the file SCRIPT as /usr/bin/NAME (see apttest.Pkg.Script).
func aptlabCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: aptlab DIR CONFIG SUITE:NAME=VERSION[@SCRIPT][;FIELD=VALUE]...")
	}
	var opts apttest.Options
	for _, a := range args[2:] {
		spec, fields, _ := strings.Cut(a, ";")
		suite, pkg, ok1 := strings.Cut(spec, ":")
		name, version, ok2 := strings.Cut(pkg, "=")
		if !ok1 || !ok2 {
			ts.Fatalf("aptlab: %q is not SUITE:NAME=VERSION", a)
		}
		version, script, withScript := strings.Cut(version, "@")
		p := apttest.Pkg{Name: name, Version: version}
		if withScript {
			p.Script = ts.ReadFile(script)
		}
		for _, f := range strings.Split(fields, ";") {
			field, value, _ := strings.Cut(f, "=")
			switch field {
			case "":
			case "Depends":
				p.Depends = value
			case "Conflicts":
				p.Conflicts = value
			case "Breaks":
				p.Breaks = value
			default:
				ts.Fatalf("aptlab: %q: no control field %q here", a, field)
			}
		}
		switch suite {
		case "installed":
			opts.Installed = append(opts.Installed, p)
		case "stable":
			opts.Stable = append(opts.Stable, p)
		case "security":
			opts.Security = append(opts.Security, p)
		default:
			ts.Fatalf("aptlab: suite %q is not installed, stable or security", suite)
		}
	}
	root, err := apttest.Create(ts.MkAbs(args[0]), opts)
	ts.Check(err)
	provider := fmt.Sprintf("provider \"apt\" {\n  root = %q\n}\n", root.Dir)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]+"/apt.tend.hcl"), []byte(provider), 0o644))
}
