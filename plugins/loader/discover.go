package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tend-sh/tend/plugins/internal/handshake"
)

// BinaryPrefix is the file name prefix of provider binaries.
const BinaryPrefix = "tend-provider-"

// EnvPluginDir names a directory searched for providers before the others.
const EnvPluginDir = "TEND_PLUGIN_DIR"

// SearchDirs returns where providers are looked for, in order:
// $TEND_PLUGIN_DIR, CONFIG/.tend/providers, then the directory of the
// running tend executable.
func SearchDirs(configDir string) []string {
	var dirs []string
	if d := os.Getenv(EnvPluginDir); d != "" {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, filepath.Join(configDir, ".tend", "providers"))
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		dirs = append(dirs, filepath.Dir(exe))
	}
	return dirs
}

// ErrNotFound means no binary for the provider exists in the search path.
var ErrNotFound = errors.New("provider not found")

// Find returns the path of tend-provider-NAME in the first directory that
// has it.
func Find(name string, dirs []string) (string, error) {
	if strings.ContainsAny(name, `/\`) || name == "" {
		return "", fmt.Errorf("invalid provider name %q", name)
	}
	for _, d := range dirs {
		p := filepath.Join(d, BinaryPrefix+name)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: no executable %s%s in %s", ErrNotFound, BinaryPrefix, name, strings.Join(dirs, ", "))
}

// Available lists the providers found in dirs (first one wins per name).
func Available(dirs []string) map[string]string {
	out := map[string]string{}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(e.Name(), BinaryPrefix)
			if !ok || name == "" {
				continue
			}
			if _, seen := out[name]; seen {
				continue
			}
			if p, err := Find(name, []string{d}); err == nil {
				out[name] = p
			}
		}
	}
	return out
}

// Checksum returns "sha256:<hex>" of the file at path.
func Checksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// ProtocolVersion is the provider protocol version this tend speaks.
const ProtocolVersion = handshake.ProtocolVersion
