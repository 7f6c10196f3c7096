package gitsource

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/sirupsen/logrus"
)

// Layout of an export root, which belongs to one Source:
//
//	<sha>/          the configuration tree of commit <sha>
//	.<sha>.path     the Options.Path it was exported from (a stamp)
//	.tmp-<sha>-*/   an export being written (left over after a crash)
const (
	tmpPrefix   = ".tmp-"
	stampSuffix = ".path"
)

// Export writes the tree of commit h (only the Options.Path subtree when
// set) to root/<full sha> and returns that directory. It is written to a
// temporary directory in root and renamed into place, so a reader never
// sees half an export; an existing export of the same commit and path is
// reused (a stamp file .<sha>.path beside it records the path). root
// belongs to this Source: Prune removes what it does not keep. Files get mode 0644, executables 0755; submodules are skipped.
// A symlink is written only when it stays inside the exported tree: its
// target must be relative, may start with "../" components that do not
// climb above the export, and may not contain ".." anywhere else; any
// other symlink fails the export, as do entry names that are empty, ".",
// ".." or contain a slash.
func (s *Source) Export(h plumbing.Hash, root string) (dir string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := h.String()
	final := filepath.Join(root, name)
	stamp := filepath.Join(root, "."+name+stampSuffix)
	if fi, err := os.Stat(final); err == nil && fi.IsDir() {
		if b, err := os.ReadFile(stamp); err == nil && string(b) == s.subdir+"\n" {
			return final, nil
		}
		// Exported from another Path (the option changed): do it again.
		if err := os.RemoveAll(final); err != nil {
			return "", fmt.Errorf("remove stale export: %w", err)
		}
	}
	repo, err := s.open()
	if err != nil {
		return "", err
	}
	c, err := s.commit(repo, h)
	if err != nil {
		return "", err
	}
	tree, err := c.Tree()
	if err != nil {
		return "", fmt.Errorf("read tree of commit %s: %w", h, err)
	}
	if s.subdir != "" {
		if tree, err = s.subtree(repo.Storer, tree, h); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	tmp, err := os.MkdirTemp(root, tmpPrefix+name[:12]+"-")
	if err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	defer func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}()
	w := newExporter(repo.Storer, tmp, s.log.WithField("commit", name))
	if err := w.tree(tree, ""); err != nil {
		return "", fmt.Errorf("export commit %s of %s: %w", h, s.safeURL, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	if err := os.WriteFile(stamp, []byte(s.subdir+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("export directory: %w", err)
	}
	tmp = ""
	s.log.WithFields(logrus.Fields{"commit": name, "dir": final}).Debug("exported configuration")
	return final, nil
}

// subtree returns the Options.Path directory of tree, the tree of commit h.
func (s *Source) subtree(st storer.EncodedObjectStorer, tree *object.Tree, h plumbing.Hash) (*object.Tree, error) {
	e, err := tree.FindEntry(s.subdir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, &message{msg: fmt.Sprintf("path %q does not exist in commit %s of branch %q of %s", s.subdir, h, s.branch, s.safeURL), err: ErrPathNotFound}
	}
	if err != nil {
		return nil, fmt.Errorf("find %q in commit %s: %w", s.subdir, h, err)
	}
	if e.Mode != filemode.Dir {
		return nil, &message{msg: fmt.Sprintf("path %q is not a directory in commit %s of branch %q of %s", s.subdir, h, s.branch, s.safeURL), err: ErrPathNotFound}
	}
	sub, err := object.GetTree(st, e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read tree %q of commit %s: %w", s.subdir, h, err)
	}
	return sub, nil
}

// WriteTree writes tree t, whose objects are in store, into the existing
// directory dir, by the rules of Export (modes, symlinks kept inside the
// tree, submodules skipped and logged to log, bad entry names refused).
// It is for trees read from other repositories than a Source's clone, such
// as the configuration at tend plan --base.
func WriteTree(store storer.EncodedObjectStorer, t *object.Tree, dir string, log logrus.FieldLogger) error {
	return newExporter(store, dir, log).tree(t, "")
}

// MaxExportSize bounds the files of one exported tree, in bytes (512 MiB):
// a commit carrying a huge (well-compressed) blob fails its export instead
// of filling the state directory's disk.
const MaxExportSize = 512 << 20

// exportLimit is MaxExportSize; tests lower it.
var exportLimit int64 = MaxExportSize

// exporter writes trees below root, within a budget of MaxExportSize.
type exporter struct {
	store storer.EncodedObjectStorer
	root  string
	log   logrus.FieldLogger
	left  *int64 // bytes the files written from here on may still take
}

func newExporter(store storer.EncodedObjectStorer, root string, log logrus.FieldLogger) exporter {
	left := exportLimit
	return exporter{store: store, root: root, log: log, left: &left}
}

// tree writes t as the directory rel (slash-separated, "" for root).
func (w exporter) tree(t *object.Tree, rel string) error {
	for _, e := range t.Entries {
		if e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsAny(e.Name, "/\x00") {
			return fmt.Errorf("invalid entry name %q in %q", e.Name, rel)
		}
		p := path.Join(rel, e.Name)
		dst := filepath.Join(w.root, filepath.FromSlash(p))
		switch e.Mode {
		case filemode.Dir:
			sub, err := object.GetTree(w.store, e.Hash)
			if err != nil {
				return fmt.Errorf("read tree %s: %w", p, err)
			}
			if err := os.Mkdir(dst, 0o755); err != nil {
				return err
			}
			if err := w.tree(sub, p); err != nil {
				return err
			}
		case filemode.Regular, filemode.Deprecated:
			if err := w.file(e.Hash, p, dst, 0o644); err != nil {
				return err
			}
		case filemode.Executable:
			if err := w.file(e.Hash, p, dst, 0o755); err != nil {
				return err
			}
		case filemode.Symlink:
			if err := w.symlink(e.Hash, p, dst); err != nil {
				return err
			}
		case filemode.Submodule:
			w.log.WithField("path", p).Warn("skipping submodule: its contents are not exported")
		default:
			return fmt.Errorf("%s: unsupported file mode %s", p, e.Mode)
		}
	}
	return nil
}

func (w exporter) file(h plumbing.Hash, p, dst string, mode os.FileMode) (err error) {
	b, err := object.GetBlob(w.store, h)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if b.Size > *w.left {
		return fmt.Errorf("%s (%d bytes): the exported files would be larger than the limit of %d MiB", p, b.Size, exportLimit>>20)
	}
	*w.left -= b.Size
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	defer r.Close()
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return f.Chmod(mode) // whatever the umask
}

func (w exporter) symlink(h plumbing.Hash, p, dst string) error {
	b, err := object.GetBlob(w.store, h)
	if err != nil {
		return fmt.Errorf("read symlink %s: %w", p, err)
	}
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("read symlink %s: %w", p, err)
	}
	defer r.Close()
	target, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return fmt.Errorf("read symlink %s: %w", p, err)
	}
	if err := checkLink(p, string(target)); err != nil {
		return err
	}
	return os.Symlink(string(target), dst)
}

// checkLink refuses a symlink at p (slash-separated, relative to the export
// root) whose target could resolve outside the export. Only leading ".."
// components are allowed, and no more than p's directory depth: every
// other component descends, and symlinks met on the way obey the same
// rule, so resolution never leaves the tree.
func checkLink(p, target string) error {
	if target == "" || strings.ContainsRune(target, 0) || strings.HasPrefix(target, "/") || strings.ContainsRune(target, '\\') {
		return fmt.Errorf("symlink %s -> %q: only relative links inside the exported tree are allowed", p, target)
	}
	up, descended := 0, false
	for _, part := range strings.Split(target, "/") {
		switch part {
		case "", ".":
		case "..":
			if descended {
				return fmt.Errorf("symlink %s -> %s: \"..\" is only allowed at the start of a link target", p, target)
			}
			up++
		default:
			descended = true
		}
	}
	depth := strings.Count(p, "/")
	if up > depth {
		return fmt.Errorf("symlink %s -> %s points outside the exported tree", p, target)
	}
	return nil
}

// Prune removes the exports in root other than those of keep, and
// temporary directories left by interrupted exports. Entries it did not
// create are left alone; a missing root is no error.
func (s *Source) Prune(root string, keep ...plumbing.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("prune exports: %w", err)
	}
	kept := make(map[string]bool, len(keep))
	for _, h := range keep {
		kept[h.String()] = true
	}
	var errs []error
	for _, e := range entries {
		n := e.Name()
		var sha string
		switch {
		case strings.HasPrefix(n, tmpPrefix):
		case isHash(n):
			sha = n
		case strings.HasPrefix(n, ".") && strings.HasSuffix(n, stampSuffix) && isHash(n[1:len(n)-len(stampSuffix)]):
			sha = n[1 : len(n)-len(stampSuffix)]
		default:
			continue
		}
		if kept[sha] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(root, n)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune exports: %w", err)
	}
	return nil
}

// isHash reports whether n is a full SHA-1 or SHA-256 object name.
func isHash(n string) bool {
	if len(n) != 40 && len(n) != 64 {
		return false
	}
	for _, c := range n {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
