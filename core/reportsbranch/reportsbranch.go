package reportsbranch

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ConfigCommitTrailer is the trailer key naming the config commit a report
// was made from.
const ConfigCommitTrailer = "Tend-Config-Commit"

// Files maps slash-separated paths (e.g. "hosts/web_1/report.json") to
// their contents.
type Files map[string][]byte

// Commit describes the commit to make.
type Commit struct {
	// Message is the full message; see Message for the first line.
	Message string
	// Trailers are appended as "Key: value" lines after a blank line,
	// sorted by key.
	Trailers map[string]string
	// Author is used as author and committer; the caller sets When.
	Author object.Signature
	// Remove lists slash-separated paths to delete from the tree (a path
	// files also holds is written, not removed); absent ones are ignored,
	// and directories left empty go too.
	Remove []string
	// Blobs are more files, each given by the hash of a blob the
	// repository already holds (a snapshot the branch has unchanged, whose
	// bytes need not be encoded again); they are laid over the tree like
	// the files, which must not name the same paths.
	Blobs map[string]plumbing.Hash
}

// Message builds the DESIGN.md first line
// "tend: <config-commit-short> <n> hosts, <n> changed, <n> failed" and the
// Tend-Config-Commit trailer. An empty configCommit gives "unknown" and no
// trailer.
func Message(configCommit string, hosts, changed, failed int) (msg string, trailers map[string]string) {
	short := configCommit
	if len(short) > 7 {
		short = short[:7]
	}
	trailers = map[string]string{}
	if short == "" {
		short = "unknown"
	} else {
		trailers[ConfigCommitTrailer] = configCommit
	}
	msg = fmt.Sprintf("tend: %s %d hosts, %d changed, %d failed", short, hosts, changed, failed)
	return msg, trailers
}

// fullMessage renders the message with its trailers.
func (c Commit) fullMessage() string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(c.Message, "\n"))
	b.WriteString("\n")
	if len(c.Trailers) > 0 {
		keys := make([]string, 0, len(c.Trailers))
		for k := range c.Trailers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, c.Trailers[k])
		}
	}
	return b.String()
}

// Write commits files onto branch in the repository at repoPath (normal or
// bare). The new tree is the branch's current tree with every path in files
// replaced or added and c.Remove's paths deleted; other paths are kept. If the tree is unchanged no commit
// is made and the current head is returned with changed=false. A missing
// branch is created with an orphan commit. The ref is moved with a
// compare-and-swap; one lost race is retried.
func Write(repoPath, branch string, files Files, c Commit) (hash plumbing.Hash, changed bool, err error) {
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("open repository %s: %w", repoPath, err)
	}
	return write(repo, branch, files, c)
}

func write(repo *git.Repository, branch string, files Files, c Commit) (plumbing.Hash, bool, error) {
	name := plumbing.NewBranchReferenceName(branch)
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		old, err := repo.Storer.Reference(name)
		if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return plumbing.ZeroHash, false, fmt.Errorf("read %s: %w", name, err)
		}
		var parent *plumbing.Hash
		if old != nil {
			h := old.Hash()
			parent = &h
		}
		st := stage(repo.Storer)
		head, changed, err := build(st, parent, files, c)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if !changed {
			return head, false, nil
		}
		if err := st.flush(); err != nil {
			return plumbing.ZeroHash, false, err
		}
		err = repo.Storer.CheckAndSetReference(plumbing.NewHashReference(name, head), old)
		if err == nil {
			return head, true, nil
		}
		lastErr = err
	}
	return plumbing.ZeroHash, false, fmt.Errorf("update %s: %w", name, lastErr)
}

// build writes the commit for files on top of parent (nil: orphan) into the
// object store without touching any ref. When the tree would not change it
// returns *parent and changed=false.
func build(s storer.Storer, parent *plumbing.Hash, files Files, c Commit) (plumbing.Hash, bool, error) {
	if len(files) == 0 && len(c.Blobs) == 0 && len(c.Remove) == 0 && parent != nil {
		return *parent, false, nil
	}
	root, err := splitPaths(files, c.Blobs, c.Remove)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	var parents []plumbing.Hash
	oldTree := plumbing.ZeroHash
	if parent != nil {
		pc, err := object.GetCommit(s, *parent)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("read commit %s: %w", parent, err)
		}
		oldTree = pc.TreeHash
		parents = []plumbing.Hash{*parent}
	}
	newTree, _, err := overlay(s, oldTree, root)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	if parent != nil && newTree == oldTree {
		return *parent, false, nil
	}
	commit := &object.Commit{
		Author:       c.Author,
		Committer:    c.Author,
		Message:      c.fullMessage(),
		TreeHash:     newTree,
		ParentHashes: parents,
	}
	obj := s.NewEncodedObject()
	if err := commit.Encode(obj); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("encode commit: %w", err)
	}
	h, err := s.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("store commit: %w", err)
	}
	return h, true, nil
}

// dir is the part of files below one directory.
type dir struct {
	files  map[string][]byte
	blobs  map[string]plumbing.Hash
	dirs   map[string]*dir
	remove map[string]bool
}

func newDir() *dir {
	return &dir{files: map[string][]byte{}, blobs: map[string]plumbing.Hash{}, dirs: map[string]*dir{}, remove: map[string]bool{}}
}

// writes says d writes a file, here or below.
func (d *dir) writes() bool {
	if len(d.files) > 0 || len(d.blobs) > 0 {
		return true
	}
	for _, sub := range d.dirs {
		if sub.writes() {
			return true
		}
	}
	return false
}

// splitPaths validates the paths and arranges them (files by content,
// files by blob hash, and paths to remove) as a directory tree.
func splitPaths(files Files, blobs map[string]plumbing.Hash, remove []string) (*dir, error) {
	root := newDir()
	for p, content := range files {
		d, last, err := root.place(p)
		if err != nil {
			return nil, err
		}
		d.files[last] = content
	}
	for p, h := range blobs {
		d, last, err := root.place(p)
		if err != nil {
			return nil, err
		}
		if _, dup := d.files[last]; dup {
			return nil, fmt.Errorf("report path %q is given both as content and as a blob", p)
		}
		d.blobs[last] = h
	}
	for _, p := range remove {
		if _, written := files[p]; written {
			continue
		}
		if _, written := blobs[p]; written {
			continue
		}
		parts, err := splitPath(p)
		if err != nil {
			return nil, err
		}
		d := root
		for _, part := range parts[:len(parts)-1] {
			_, isFile := d.files[part]
			if _, isBlob := d.blobs[part]; isFile || isBlob {
				break // written as a file: nothing below it to remove
			}
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.remove[parts[len(parts)-1]] = true
	}
	return root, nil
}

// place validates path p and returns the directory below root that holds
// it, made as needed, and its last element.
func (root *dir) place(p string) (*dir, string, error) {
	parts, err := splitPath(p)
	if err != nil {
		return nil, "", err
	}
	d := root
	for _, part := range parts[:len(parts)-1] {
		_, clash := d.files[part]
		if _, blob := d.blobs[part]; clash || blob {
			return nil, "", fmt.Errorf("report path %q: %q is both a file and a directory", p, part)
		}
		sub, ok := d.dirs[part]
		if !ok {
			sub = newDir()
			d.dirs[part] = sub
		}
		d = sub
	}
	last := parts[len(parts)-1]
	if _, clash := d.dirs[last]; clash {
		return nil, "", fmt.Errorf("report path %q is both a file and a directory", p)
	}
	return d, last, nil
}

// splitPath validates a path of the tree and splits it.
func splitPath(p string) ([]string, error) {
	parts := strings.Split(p, "/")
	for _, part := range parts {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") || strings.ContainsRune(part, 0) {
			return nil, fmt.Errorf("invalid report path %q", p)
		}
	}
	return parts, nil
}

// overlay returns the hash of the tree old (zero: empty) with d laid over
// it, and whether that tree is empty. Subtrees d does not touch are kept
// by hash and never read.
func overlay(s storer.EncodedObjectStorer, old plumbing.Hash, d *dir) (plumbing.Hash, bool, error) {
	entries := map[string]object.TreeEntry{}
	if !old.IsZero() {
		t, err := object.GetTree(s, old)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("read tree %s: %w", old, err)
		}
		for _, e := range t.Entries {
			entries[e.Name] = e
		}
	}
	for name := range d.remove {
		if e, ok := entries[name]; ok && e.Mode != filemode.Dir {
			delete(entries, name)
		}
	}
	for name, content := range d.files {
		h, err := storeBlob(s, content)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
	}
	for name, h := range d.blobs {
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
	}
	for name, sub := range d.dirs {
		base := plumbing.ZeroHash
		if e, ok := entries[name]; ok && e.Mode == filemode.Dir {
			base = e.Hash
		} else if !sub.writes() {
			continue // only removals below a directory the tree lacks
		}
		h, empty, err := overlay(s, base, sub)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if empty {
			delete(entries, name)
			continue
		}
		entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
	}
	tree := &object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, e := range entries {
		tree.Entries = append(tree.Entries, e)
	}
	sortEntries(tree.Entries)
	obj := s.NewEncodedObject()
	if err := tree.Encode(obj); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("encode tree: %w", err)
	}
	h, err := storeObject(s, obj)
	return h, len(tree.Entries) == 0, err
}

// sortEntries orders tree entries the way Git requires: by name, with a
// directory compared as if its name ended in "/".
func sortEntries(es []object.TreeEntry) {
	key := func(e object.TreeEntry) string {
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	sort.Slice(es, func(i, j int) bool { return key(es[i]) < key(es[j]) })
}

func storeBlob(s storer.EncodedObjectStorer, content []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(content)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	defer w.Close()
	if _, err := w.Write(content); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write blob: %w", err)
	}
	return storeObject(s, obj)
}

// storeObject stores obj unless the store already has it.
func storeObject(s storer.EncodedObjectStorer, obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h := obj.Hash()
	if s.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := s.SetEncodedObject(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("store %s %s: %w", obj.Type(), h, err)
	}
	return h, nil
}
