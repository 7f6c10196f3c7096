package apttest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// dpkgInstall installs pkgs with one dpkg -i call.
func (r *Root) dpkgInstall(pkgs []Pkg) error {
	if len(pkgs) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "apttest-install-")
	if err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	defer os.RemoveAll(dir)
	paths, err := buildDebs(dir, pkgs)
	if err != nil {
		return err
	}
	cmd := exec.Command("dpkg", append(append(r.dpkgArgs(), "-i"), paths...)...)
	cmd.Env = env()
	_, err = output(cmd)
	return err
}

// seed writes pkgs into the dpkg database as installed, the way dpkg
// would have: a status entry, an info/NAME.list file and the package's
// file.
func (r *Root) seed(pkgs []Pkg) error {
	sorted := slices.Clone(pkgs)
	slices.SortFunc(sorted, func(a, b Pkg) int { return strings.Compare(a.Name, b.Name) })
	var status bytes.Buffer
	for _, p := range sorted {
		if p.Script != "" {
			return fmt.Errorf("apttest: %s has a Script, which only dpkg installs; install at most %d packages", p.Name, SeedThreshold)
		}
		ctl := p.control()
		// Status goes second in dpkg's field order; its place does not matter to readers.
		status.WriteString(strings.Replace(ctl, "\n", "\nStatus: install ok installed\n", 1))
		status.WriteString("\n")
		dirs := []string{"/.", "/usr", "/usr/share", "/usr/share/doc", "/usr/share/doc/" + p.Name}
		list := strings.Join(dirs, "\n") + "\n/" + p.docFile() + "\n"
		if err := os.WriteFile(filepath.Join(r.Dir, "var/lib/dpkg/info", p.Name+".list"), []byte(list), 0o644); err != nil {
			return fmt.Errorf("apttest: %w", err)
		}
		file := filepath.Join(r.Dir, p.docFile())
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return fmt.Errorf("apttest: %w", err)
		}
		if err := os.WriteFile(file, p.docContent(), 0o644); err != nil {
			return fmt.Errorf("apttest: %w", err)
		}
	}
	path := filepath.Join(r.Dir, "var/lib/dpkg/status")
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	if err := os.WriteFile(path, append(old, status.Bytes()...), 0o644); err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	return nil
}
