package apttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Options describe a new root.
type Options struct {
	// Installed packages. Up to SeedThreshold of them are installed with
	// one real `dpkg --root … -i` call; more are written straight into
	// the dpkg database (status entries, info/*.list files and the files
	// themselves, no maintainer scripts), which takes milliseconds where
	// dpkg takes minutes for thousands.
	Installed []Pkg
	// Stable and Security are published in the suites of those names.
	Stable, Security []Pkg
	// OSRelease is the content of ROOT/etc/os-release; empty means
	// DefaultOSRelease.
	OSRelease string
}

// SeedThreshold is the number of installed packages above which NewRoot
// writes the dpkg database directly instead of running dpkg.
const SeedThreshold = 50

// DefaultOSRelease is the os-release file of a new root.
const DefaultOSRelease = "PRETTY_NAME=\"tend test root\"\nID=debian\nVERSION_ID=\"12\"\n"

// Root is a temporary alternate root and the local repository its sources
// list points at.
type Root struct {
	Dir  string // the root: ROOT/var/lib/dpkg, ROOT/etc/apt, …
	Repo string // the repository: REPO/dists/<suite>, REPO/pool/<suite>
	Arch string // the native architecture (of the machine's dpkg)
}

// hooksConf is the apt configuration file, inside the root, that clears
// the machine's apt hooks for commands acting on the root.
const hooksConf = "etc/apt/apttest-hooks.conf"

// clearHooks is an apt configuration that clears the hooks a machine's
// apt.conf.d may set (dpkg-preconfigure, cache cleaners, PackageKit
// notifications): they would run on the machine, not in the root.
const clearHooks = `#clear DPkg::Pre-Invoke;
#clear DPkg::Pre-Install-Pkgs;
#clear DPkg::Post-Invoke;
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
`

// Available reports whether the programs the harness needs exist.
func Available() error {
	var missing []string
	for _, p := range []string{"dpkg", "dpkg-deb", "dpkg-query", "dpkg-scanpackages", "apt-get", "apt-cache", "apt-mark"} {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("apttest: missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// NewRoot creates a root in a temporary directory (removed when the test
// ends) with Create, skipping the test when Available fails.
func NewRoot(t testing.TB, opts Options) *Root {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(err)
	}
	r, err := Create(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Create makes a root in dir/root and its repository in dir/repo,
// publishes opts.Stable and opts.Security, installs opts.Installed and
// runs apt-get update, so apt sees the repository at once. It is NewRoot
// for programs (a demo lab): nothing is removed afterwards.
func Create(dir string, opts Options) (*Root, error) {
	arch, err := output(exec.Command("dpkg", "--print-architecture"))
	if err != nil {
		return nil, err
	}
	r := &Root{Dir: filepath.Join(dir, "root"), Repo: filepath.Join(dir, "repo"), Arch: strings.TrimSpace(arch)}
	if err := r.create(opts); err != nil {
		return nil, err
	}
	if err := publish(r.Repo, r.Arch, Stable, opts.Stable); err != nil {
		return nil, err
	}
	if err := publish(r.Repo, r.Arch, Security, opts.Security); err != nil {
		return nil, err
	}
	if len(opts.Installed) > SeedThreshold {
		err = r.seed(opts.Installed)
	} else {
		err = r.dpkgInstall(opts.Installed)
	}
	if err != nil {
		return nil, err
	}
	if _, err := output(r.AptCommand("apt-get", "-q", "update")); err != nil {
		return nil, err
	}
	return r, nil
}

// create makes the root's directories and files.
func (r *Root) create(opts Options) error {
	for _, d := range []string{
		"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers",
		"var/lib/apt/lists/partial", "var/cache/apt/archives/partial",
		"etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d",
		"var/log/apt", "run", "tmp",
	} {
		if err := os.MkdirAll(filepath.Join(r.Dir, d), 0o755); err != nil {
			return fmt.Errorf("apttest: %w", err)
		}
	}
	osRelease := opts.OSRelease
	if osRelease == "" {
		osRelease = DefaultOSRelease
	}
	sources := fmt.Sprintf("deb [trusted=yes] file:%s %s main\ndeb [trusted=yes] file:%s %s main\n", r.Repo, Stable, r.Repo, Security)
	for name, content := range map[string]string{
		"var/lib/dpkg/status":    "",
		"var/lib/dpkg/available": "",
		"var/lib/dpkg/arch":      r.Arch + "\n",
		"etc/apt/sources.list":   sources,
		"etc/os-release":         osRelease,
		hooksConf:                clearHooks,
	} {
		if err := os.WriteFile(filepath.Join(r.Dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("apttest: %w", err)
		}
	}
	return nil
}

// AptArgs are the options that make apt-get, apt-cache and apt-mark act on
// the root, for tests and benchmarks that run apt by hand.
func (r *Root) AptArgs() []string {
	return []string{
		"-c", filepath.Join(r.Dir, hooksConf),
		"-o", "Dir=" + r.Dir,
		"-o", "Dir::State::status=" + filepath.Join(r.Dir, "var/lib/dpkg/status"),
		"-o", "Dir::Log=" + filepath.Join(r.Dir, "var/log/apt"),
		"-o", "APT::Architecture=" + r.Arch,
		"-o", "DPkg::Options::=--root=" + r.Dir,
		"-o", "DPkg::Options::=--log=" + filepath.Join(r.Dir, "var/log/dpkg.log"),
		"-o", "DPkg::Options::=--force-script-chrootless",
	}
}

// dpkgArgs are the options that make dpkg act on the root.
func (r *Root) dpkgArgs() []string {
	return []string{"--root=" + r.Dir, "--log=" + filepath.Join(r.Dir, "var/log/dpkg.log"), "--force-script-chrootless"}
}

// env is the environment apt and dpkg get: the process's and more.
func env() []string {
	return append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
}

// Apt runs an apt program (apt-get, apt-cache, apt-mark, apt) on the root
// with AptArgs and the given arguments, failing the test when it fails.
func (r *Root) Apt(t testing.TB, program string, args ...string) string {
	t.Helper()
	out, err := output(r.AptCommand(program, args...))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// AptCommand is the command Apt runs.
func (r *Root) AptCommand(program string, args ...string) *exec.Cmd {
	cmd := exec.Command(program, append(r.AptArgs(), args...)...)
	cmd.Env = env()
	return cmd
}

// Update runs apt-get update on the root.
func (r *Root) Update(t testing.TB) {
	t.Helper()
	r.Apt(t, "apt-get", "-q", "update")
}

// Installed reads the root's dpkg database: name → version of every
// package that is fully installed ("ii" or "hi").
func (r *Root) Installed(t testing.TB) map[string]string {
	t.Helper()
	st := r.Status(t)
	m := map[string]string{}
	for name, s := range st {
		if s.State == "ii" || s.State == "hi" {
			m[name] = s.Version
		}
	}
	return m
}

// PkgStatus is one package's entry in the dpkg database.
type PkgStatus struct {
	Version string
	State   string // db:Status-Abbrev without the error flag: "ii", "hi", "iF", …
}

// Status reads every package of the root's dpkg database, by name (for a
// name installed for several architectures, the last dpkg lists).
func (r *Root) Status(t testing.TB) map[string]PkgStatus {
	t.Helper()
	cmd := exec.Command("dpkg-query", "--admindir="+filepath.Join(r.Dir, "var/lib/dpkg"),
		"-W", "-f", "${Package}\t${Version}\t${db:Status-Abbrev}\n")
	out, err := output(cmd)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]PkgStatus{}
	for line := range strings.Lines(out) {
		f := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if len(f) == 3 && len(f[2]) >= 2 {
			m[f[0]] = PkgStatus{Version: f[1], State: f[2][:2]}
		}
	}
	return m
}

// Clone copies the root's directory (cp -a) into a new temporary one,
// sharing the repository, for tests that each need a fresh root.
func (r *Root) Clone(t testing.TB) *Root {
	t.Helper()
	c := *r
	c.Dir = filepath.Join(t.TempDir(), "root")
	if _, err := output(exec.Command("cp", "-a", r.Dir, c.Dir)); err != nil {
		t.Fatal(err)
	}
	return &c
}

// output runs cmd and returns its stdout, or an error with its stderr.
func output(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return stdout.String(), fmt.Errorf("apttest: %s: %w: %s%s", strings.Join(cmd.Args, " "), err, stderr.Bytes(), tail(stdout.String()))
		}
		return stdout.String(), fmt.Errorf("apttest: %w", err)
	}
	return stdout.String(), nil
}

// tail is the end of a command's output, for error messages.
func tail(s string) string {
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
