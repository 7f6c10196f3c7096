package apttest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Suites of the test repository, in sources-list order.
const (
	Stable   = "stable"
	Security = "stable-security"
)

// The origin and labels of the suites' Release files. As in Debian, the
// security suite has a label of its own ("Debian" / "Debian-Security").
const (
	origin        = "tend"
	label         = "tend"
	securityLabel = "tend-Security"
)

// Publish adds pkgs to a suite of the root's repository and regenerates
// the suite's Packages (with dpkg-scanpackages) and Release files. Run
// Update afterwards for apt to see them.
func (r *Root) Publish(t testing.TB, suite string, pkgs ...Pkg) {
	t.Helper()
	if err := publish(r.Repo, r.Arch, suite, pkgs); err != nil {
		t.Fatal(err)
	}
}

func publish(repo, arch, suite string, pkgs []Pkg) error {
	if suite == "" || strings.ContainsAny(suite, "/ \t\n") {
		return fmt.Errorf("apttest: bad suite name %q", suite)
	}
	pool := filepath.Join(repo, "pool", suite)
	if err := os.MkdirAll(pool, 0o755); err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	if _, err := buildDebs(pool, pkgs); err != nil {
		return err
	}
	// Filename fields are relative to the repository's top.
	cmd := exec.Command("dpkg-scanpackages", "-m", filepath.Join("pool", suite))
	cmd.Dir = repo
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apttest: dpkg-scanpackages: %w: %s", err, stderr.Bytes())
	}
	index := "main/binary-" + arch + "/Packages"
	dist := filepath.Join(repo, "dists", suite)
	if err := os.MkdirAll(filepath.Join(dist, filepath.Dir(index)), 0o755); err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dist, index), stdout.Bytes(), 0o644); err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	release := releaseFile(suite, arch, index, stdout.Bytes(), time.Now())
	if err := os.WriteFile(filepath.Join(dist, "Release"), release, 0o644); err != nil {
		return fmt.Errorf("apttest: %w", err)
	}
	return nil
}

// releaseFile is a suite's (unsigned) Release file listing one index.
func releaseFile(suite, arch, index string, data []byte, now time.Time) []byte {
	lbl := label
	if strings.HasSuffix(suite, "-security") {
		lbl = securityLabel
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Origin: %s\nLabel: %s\nSuite: %s\nCodename: %s\n", origin, lbl, suite, suite)
	fmt.Fprintf(&b, "Date: %s\n", now.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Architectures: %s\nComponents: main\nDescription: tend test repository\n", arch)
	fmt.Fprintf(&b, "MD5Sum:\n %x %d %s\n", md5.Sum(data), len(data), index)
	fmt.Fprintf(&b, "SHA256:\n %x %d %s\n", sha256.Sum256(data), len(data), index)
	return b.Bytes()
}
