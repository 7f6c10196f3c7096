package apttest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Pkg describes a test package.
type Pkg struct {
	Name    string
	Version string
	Arch    string // "all" when empty
	Depends string // a Depends field, optional
	// Source is a Source field, optional: "libwebp", or "glibc (2.36-9)"
	// for a source version other than Version.
	Source string
	// Conflicts and Breaks are those fields, optional.
	Conflicts, Breaks string
	// Postinst is the body of a postinst script, optional: "exit 1" makes
	// a package that fails to configure.
	Postinst string
	// Script is the body of a shell script the package installs as
	// /usr/bin/NAME, executable, optional: what a health check can run
	// ("exit 1" makes a version that breaks it). Only packages installed
	// by dpkg (see SeedThreshold) or apt have it.
	Script string
	// Size pads the package's one file to this many bytes, optional.
	Size int
}

func (p Pkg) arch() string {
	if p.Arch == "" {
		return "all"
	}
	return p.Arch
}

// fileName is the package's file name in a pool: name_version_arch.deb,
// with the epoch left out as Debian does.
func (p Pkg) fileName() string {
	v := p.Version
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	return fmt.Sprintf("%s_%s_%s.deb", p.Name, v, p.arch())
}

// control is the package's DEBIAN/control file.
func (p Pkg) control() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Package: %s\nVersion: %s\nArchitecture: %s\n", p.Name, p.Version, p.arch())
	b.WriteString("Maintainer: tend tests <tests@tend.invalid>\nInstalled-Size: 1\nSection: misc\nPriority: optional\n")
	if p.Source != "" {
		fmt.Fprintf(&b, "Source: %s\n", p.Source)
	}
	if p.Depends != "" {
		fmt.Fprintf(&b, "Depends: %s\n", p.Depends)
	}
	if p.Conflicts != "" {
		fmt.Fprintf(&b, "Conflicts: %s\n", p.Conflicts)
	}
	if p.Breaks != "" {
		fmt.Fprintf(&b, "Breaks: %s\n", p.Breaks)
	}
	fmt.Fprintf(&b, "Description: tend test package %s\n", p.Name)
	return b.String()
}

// docFile is the one file a test package installs, relative to the root.
func (p Pkg) docFile() string { return "usr/share/doc/" + p.Name + "/tend-test" }

// scriptFile is where the package's Script goes, relative to the root.
func (p Pkg) scriptFile() string { return "usr/bin/" + p.Name }

// docContent is that file's content: name, version and padding.
func (p Pkg) docContent() []byte {
	s := p.Name + " " + p.Version + "\n"
	if n := p.Size - len(s); n > 0 {
		s += strings.Repeat("x", n-1) + "\n"
	}
	return []byte(s)
}

// buildTime is the time of every file in a test package.
var buildTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// maxCached is the largest .deb the in-memory cache keeps.
const maxCached = 64 << 10

// debCache holds built packages by description: building is a process
// per package, and tests build the same ones again and again.
var debCache struct {
	sync.Mutex
	m map[Pkg][]byte
}

func buildDeb(dir string, p Pkg) (string, error) {
	if p.Name == "" || p.Version == "" {
		return "", fmt.Errorf("apttest: package needs a name and a version: %+v", p)
	}
	out := filepath.Join(dir, p.fileName())
	debCache.Lock()
	data, ok := debCache.m[p]
	debCache.Unlock()
	if !ok {
		var err error
		if data, err = dpkgDeb(p); err != nil {
			return "", err
		}
		if len(data) <= maxCached {
			debCache.Lock()
			if debCache.m == nil {
				debCache.m = map[Pkg][]byte{}
			}
			debCache.m[p] = data
			debCache.Unlock()
		}
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return "", fmt.Errorf("apttest: %w", err)
	}
	return out, nil
}

// dpkgDeb stages p in a temporary directory and builds it with
// dpkg-deb (gzip at level 1: a few hundred bytes, a few milliseconds).
func dpkgDeb(p Pkg) ([]byte, error) {
	stage, err := os.MkdirTemp("", "apttest-deb-")
	if err != nil {
		return nil, fmt.Errorf("apttest: %w", err)
	}
	defer os.RemoveAll(stage)
	tree := filepath.Join(stage, "tree")
	files := map[string][]byte{
		"DEBIAN/control": []byte(p.control()),
		p.docFile():      p.docContent(),
	}
	if p.Postinst != "" {
		files["DEBIAN/postinst"] = []byte("#!/bin/sh\n" + p.Postinst + "\n")
	}
	if p.Script != "" {
		files[p.scriptFile()] = []byte("#!/bin/sh\n" + p.Script + "\n")
	}
	for name, data := range files {
		path := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("apttest: %w", err)
		}
		mode := os.FileMode(0o644)
		if name == "DEBIAN/postinst" || name == p.scriptFile() {
			mode = 0o755
		}
		if err := os.WriteFile(path, data, mode); err != nil {
			return nil, fmt.Errorf("apttest: %w", err)
		}
	}
	// Fixed times make the same package the same bytes, run after run.
	err = filepath.WalkDir(tree, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(path, buildTime, buildTime)
	})
	if err != nil {
		return nil, fmt.Errorf("apttest: %w", err)
	}
	deb := filepath.Join(stage, "out.deb")
	cmd := exec.Command("dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", tree, deb)
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", buildTime.Unix()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("apttest: dpkg-deb -b %s %s: %w: %s", p.Name, p.Version, err, stderr.Bytes())
	}
	data, err := os.ReadFile(deb)
	if err != nil {
		return nil, fmt.Errorf("apttest: %w", err)
	}
	return data, nil
}

// buildDebs builds pkgs into dir with one worker per CPU and returns
// their paths in order.
func buildDebs(dir string, pkgs []Pkg) ([]string, error) {
	paths := make([]string, len(pkgs))
	errs := make([]error, len(pkgs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.NumCPU(), len(pkgs))) {
		wg.Go(func() {
			for i := range next {
				paths[i], errs[i] = buildDeb(dir, pkgs[i])
			}
		})
	}
	for i := range pkgs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}
