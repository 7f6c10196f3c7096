// Command tend-aptlab builds a hermetic Debian lab for demos and manual
// testing: an alternate root with packages installed, a local repository
// with "stable" and "stable-security" suites holding newer versions, and a
// tend configuration whose apt provider acts on that root. Nothing outside
// the lab directory is touched; apt and dpkg run with the root's options.
//
//	tend-aptlab -dir /tmp/lab
//	TEND_PLUGIN_DIR=bin tend init -C /tmp/lab/config
//	tend plan -C /tmp/lab/config
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

func main() {
	dir := flag.String("dir", "", "directory to create the lab in (must not exist or be empty)")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: tend-aptlab -dir DIR")
		os.Exit(2)
	}
	if err := run(*dir); err != nil {
		fmt.Fprintf(os.Stderr, "tend-aptlab: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if entries, _ := os.ReadDir(abs); len(entries) > 0 {
		return fmt.Errorf("%s is not empty", abs)
	}
	if err := apttest.Available(); err != nil {
		return fmt.Errorf("%w (apt-get install dpkg-dev)", err)
	}
	root, err := apttest.Create(abs, Quickstart())
	if err != nil {
		return err
	}
	if err := writeConfig(abs, root.Dir); err != nil {
		return err
	}
	fmt.Printf("root:   %s\nrepo:   %s\nconfig: %s\n", root.Dir, root.Repo, filepath.Join(abs, "config"))
	return nil
}

// Quickstart is the lab of `make demo`: the quickstart example's packages,
// two security updates and two ordinary ones pending.
func Quickstart() apttest.Options {
	return apttest.Options{
		Installed: []apttest.Pkg{
			{Name: "openssl", Version: "3.0.20-1~deb12u1"},
			{Name: "libssl3", Version: "3.0.20-1~deb12u1"},
			{Name: "curl", Version: "7.88.1-10+deb12u14"},
			{Name: "tzdata", Version: "2025b-0+deb12u1"},
			{Name: "nginx", Version: "1.22.1-9+deb12u6"},
		},
		Stable: []apttest.Pkg{
			{Name: "tzdata", Version: "2025b-0+deb12u2"},
			{Name: "curl", Version: "7.88.1-10+deb12u14"},
			{Name: "nginx", Version: "1.22.1-9+deb12u7"},
		},
		Security: []apttest.Pkg{
			{Name: "openssl", Version: "3.0.20-1~deb12u2"},
			{Name: "libssl3", Version: "3.0.20-1~deb12u2"},
		},
	}
}

const configTemplate = `# A tend configuration for the lab: the quickstart policy, with the apt
# provider acting on the lab's alternate root instead of this machine.
provider "apt" {
  root = %q
}

host "local" {
  transport = "local"
  labels    = { env = "lab" }
}

policy "security_only" {
  provider = "apt"
  targets  = [host.local]
  approve {
    classification = ["security"]
  }
  reboot = "never"
}
`

func writeConfig(dir, root string) error {
	conf := filepath.Join(dir, "config")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(conf, "lab.tend.hcl"), []byte(fmt.Sprintf(configTemplate, root)), 0o644)
}
