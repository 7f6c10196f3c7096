package apt

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/tend-sh/tend/plugins/sdk"
)

// ClearHooks is the apt configuration every apt command on an alternate
// root reads from stdin (-c /dev/stdin): it clears the hooks of the
// machine's apt.conf.d, which would run on the machine, not in the root.
const ClearHooks = `#clear DPkg::Pre-Invoke;
#clear DPkg::Pre-Install-Pkgs;
#clear DPkg::Post-Invoke;
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
`

// env is added to the environment of every command.
var env = []string{"DEBIAN_FRONTEND=noninteractive", "APT_LISTCHANGES_FRONTEND=none", "LC_ALL=C"}

// target is where commands act: the running system (root "/") or an
// alternate root seen from it.
type target struct {
	root string
	// archs are an alternate root's architectures, native first; unused
	// for "/".
	archs []string
}

// newTarget is the target of cfg: root "/" when cfg.Root is empty.
func newTarget(cfg Config) (target, error) {
	if cfg.Root == "" || cfg.Root == "/" {
		return target{root: "/"}, nil
	}
	root, err := cleanRoot(cfg.Root)
	return target{root: root}, err
}

func (t target) alternate() bool { return t.root != "/" }

// path is p (absolute) inside the root.
func (t target) path(p string) string {
	if !t.alternate() {
		return p
	}
	return path.Join(t.root, p)
}

// aptOptions are the options that make apt act on the root (see the
// package documentation).
func (t target) aptOptions() []string {
	if !t.alternate() {
		return nil
	}
	return []string{
		"-c", "/dev/stdin",
		"-o", "Dir=" + t.root,
		"-o", "Dir::State::status=" + t.path("/var/lib/dpkg/status"),
		"-o", "Dir::Log=" + t.path("/var/log/apt"),
		"-o", "APT::Architecture=" + t.archs[0],
		"-o", "APT::Architectures=" + strings.Join(t.archs, ","),
		"-o", "DPkg::Options::=--root=" + t.root,
		"-o", "DPkg::Options::=--log=" + t.path("/var/log/dpkg.log"),
		"-o", "DPkg::Options::=--force-script-chrootless",
	}
}

// apt is an apt program (apt-get, apt-cache, apt-mark, apt) with the
// root's options and then args.
func (t target) apt(program string, args ...string) sdk.Cmd {
	c := sdk.Cmd{Argv: append(append([]string{program}, t.aptOptions()...), args...), Env: env}
	if t.alternate() {
		c.Stdin = []byte(ClearHooks)
	}
	return c
}

// dpkgQuery is dpkg-query on the root's database with args.
func (t target) dpkgQuery(args ...string) sdk.Cmd {
	argv := []string{"dpkg-query"}
	if t.alternate() {
		argv = append(argv, "--admindir="+t.path("/var/lib/dpkg"))
	}
	return sdk.Cmd{Argv: append(argv, args...), Env: env}
}

// archFile is dpkg's list of the architectures it installs for.
const archFile = "/var/lib/dpkg/arch"

var archRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parseArchFile reads ROOT/var/lib/dpkg/arch: the native architecture,
// then the foreign ones, one a line.
func parseArchFile(content string) ([]string, error) {
	var archs []string
	for _, f := range strings.Fields(content) {
		if !archRE.MatchString(f) {
			return nil, fmt.Errorf("%s: bad architecture %q", archFile, f)
		}
		archs = append(archs, f)
	}
	return archs, nil
}

// resolveArchs completes t for an alternate root: the architectures from
// the root's arch file (content, if it exists), else the machine's.
func (t *target) resolveArchs(ctx context.Context, r sdk.Runner, content string, exists bool) error {
	if !t.alternate() {
		return nil
	}
	if exists {
		archs, err := parseArchFile(content)
		if err != nil {
			return err
		}
		if len(archs) > 0 {
			t.archs = archs
			return nil
		}
	}
	res, err := sdk.Check(ctx, r, sdk.Cmd{Argv: []string{"dpkg", "--print-architecture"}, Env: env})
	if err != nil {
		return fmt.Errorf("architecture of %s: %w", t.root, err)
	}
	archs, err := parseArchFile(string(res.Stdout))
	if err != nil || len(archs) != 1 {
		return fmt.Errorf("architecture of %s: dpkg --print-architecture said %q", t.root, res.Stdout)
	}
	t.archs = archs
	return nil
}

// readArchs completes t for an alternate root by reading its arch file.
func (t *target) readArchs(ctx context.Context, r sdk.Runner) error {
	if !t.alternate() {
		return nil
	}
	res, err := r.Run(ctx, sdk.Cmd{Argv: []string{"cat", t.path(archFile)}, Env: env})
	if err != nil {
		return fmt.Errorf("architecture of %s: %w", t.root, err)
	}
	return t.resolveArchs(ctx, r, string(res.Stdout), res.ExitCode == 0)
}
