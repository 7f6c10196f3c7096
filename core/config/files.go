package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/internal/safeopen"
	"github.com/tend-sh/tend/core/internal/words"
)

// Every file tend reads because a configuration says so stays inside the
// configuration directory: the *.tend.hcl files the walk finds and the host
// lists they name. Reads go through an os.Root, so neither "..", an absolute
// path nor a symbolic link can lead out of it; only regular files are read
// (a FIFO would block, a device never end), and no more than a limit. A
// file that breaks a rule is not read at all, so no diagnostic can quote it.

// errOutside is why a path that leads out of the configuration directory
// is not read.
var errOutside = errors.New("leads outside the configuration directory (symbolic links must be relative and stay inside it)")

// tooLarge is the error of a file over its size limit.
type tooLarge struct{ size, limit int64 }

func (e tooLarge) Error() string {
	return fmt.Sprintf("is %s, more than the limit of %s", words.Size(e.size), words.Size(e.limit))
}

// confined reads files below one configuration directory.
type confined struct {
	dir  string // as the caller named it; paths in diagnostics start with it
	root *os.Root
}

func openConfined(dir string) (*confined, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &confined{dir: dir, root: root}, nil
}

func (c *confined) Close() error { return c.root.Close() }

// rel turns a path as used in diagnostics (dir joined with a relative
// path) into a name inside the root; errOutside when it climbs out.
func (c *confined) rel(path string) (string, error) {
	rel, err := filepath.Rel(c.dir, path)
	if err != nil || !filepath.IsLocal(rel) {
		return "", errOutside
	}
	return rel, nil
}

// stat checks that name (inside the root) is a regular file of at most
// limit bytes, following symbolic links only as long as they stay inside.
func (c *confined) stat(name string, limit int64) (fs.FileInfo, error) {
	fi, err := c.root.Stat(name)
	if err != nil {
		return nil, rootError(err)
	}
	if err := checkInfo(fi, limit); err != nil {
		return nil, err
	}
	return fi, nil
}

// read returns the content of path (as used in diagnostics) under the
// rules above; errors name only the path the configuration used.
func (c *confined) read(path string, limit int64) ([]byte, error) {
	name, err := c.rel(path)
	if err != nil {
		return nil, err
	}
	// Stat first, so a FIFO is never opened: opening one blocks.
	if _, err := c.stat(name, limit); err != nil {
		return nil, err
	}
	f, err := c.root.OpenFile(name, safeopen.ReadFlags, 0)
	if err != nil {
		return nil, rootError(err)
	}
	defer f.Close()
	fi, err := f.Stat() // what was opened, should it have changed since
	if err != nil {
		return nil, err
	}
	if err := checkInfo(fi, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge{int64(len(data)), limit}
	}
	return data, nil
}

func checkInfo(fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("is not a regular file but a %s", kindOf(fi.Mode()))
	}
	if fi.Size() > limit {
		return tooLarge{fi.Size(), limit}
	}
	return nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// rootError maps an os.Root error to errOutside when the path escapes,
// dropping the syscall noise; other errors stay as they are.
func rootError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		return errOutside
	}
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walk lists the *.tend.hcl files below the root, sorted, skipping
// directories whose names start with "." (.git, .tend). Symbolic links to
// directories are not followed; a file that breaks the rules above is
// left out with an error diagnostic.
func (c *confined) walk() ([]string, hcl.Diagnostics) {
	var files []string
	var diags hcl.Diagnostics
	err := fs.WalkDir(c.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			diags = append(diags, fileDiag(filepath.Join(c.dir, filepath.FromSlash(p)), "Cannot read configuration directory", err))
			return nil
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), FileSuffix) {
			return nil
		}
		full := filepath.Join(c.dir, filepath.FromSlash(p))
		if _, err := c.stat(filepath.FromSlash(p), MaxFileSize); err != nil {
			diags = append(diags, configFileDiag(full, err))
			return nil
		}
		files = append(files, full)
		return nil
	})
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		})
	}
	sort.Strings(files)
	return files, diags
}

// configFileDiag is the diagnostic of a configuration file that was not read.
func configFileDiag(path string, err error) *hcl.Diagnostic {
	var big tooLarge
	switch {
	case errors.Is(err, errOutside):
		return fileDiag(path, "Configuration file outside the configuration directory", err)
	case errors.As(err, &big):
		return fileDiag(path, "Configuration file too large", err)
	}
	return fileDiag(path, "Cannot read configuration file", err)
}

// fileDiag is an error about a whole file, positioned at its start; the
// file is not among the sources, so nothing of it is quoted.
func fileDiag(path, summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("%s %s.", filepath.Base(path), err),
		Subject: &hcl.Range{
			Filename: path,
			Start:    hcl.InitialPos,
			End:      hcl.Pos{Line: 1, Column: 1, Byte: 0},
		},
	}
}

// Files returns the configuration files under dir, recursively, sorted.
// Directories whose names start with "." (such as .git and .tend) are
// skipped. A *.tend.hcl that is not a regular file inside dir (a symbolic
// link leading out of it, a FIFO, a device) or is larger than MaxFileSize
// is an error: the returned error lists every such file.
func Files(dir string) ([]string, error) {
	c, err := openConfined(dir)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	files, diags := c.walk()
	if diags.HasErrors() {
		return files, diags
	}
	return files, nil
}
