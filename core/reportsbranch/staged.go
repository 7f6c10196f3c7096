package reportsbranch

import (
	"errors"
	"fmt"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/memory"
)

// staged is a repository's store whose new objects are kept in memory
// until flush writes them all as one packfile: a report commit of a large
// fleet is thousands of blobs, and one loose file each (created, zlib'd,
// renamed one at a time) is most of what committing costs. Reads fall
// through to the repository for what was not staged.
type staged struct {
	storage.Storer
	mem    *memory.ObjectStorage
	hashes []plumbing.Hash
}

func stage(s storage.Storer) *staged {
	return &staged{Storer: s, mem: &memory.NewStorage().ObjectStorage}
}

func (s *staged) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (s *staged) SetEncodedObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	h, err := s.mem.SetEncodedObject(obj)
	if err == nil {
		s.hashes = append(s.hashes, h)
	}
	return h, err
}

func (s *staged) HasEncodedObject(h plumbing.Hash) error {
	if s.mem.HasEncodedObject(h) == nil {
		return nil
	}
	return s.Storer.HasEncodedObject(h)
}

func (s *staged) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if obj, err := s.mem.EncodedObject(t, h); err == nil {
		return obj, nil
	}
	return s.Storer.EncodedObject(t, h)
}

func (s *staged) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if n, err := s.mem.EncodedObjectSize(h); err == nil {
		return n, nil
	}
	return s.Storer.EncodedObjectSize(h)
}

// flush writes the staged objects into the repository: one packfile (no
// deltas: report blobs are small and compressing them is enough) where the
// store takes packfiles, else object by object. A repository on a
// filesystem gets the pack written here (writePack: the fastest zlib level,
// the index from the offsets written); the store is then told to read its
// pack indexes again, so it finds the new objects.
func (s *staged) flush() error {
	if len(s.hashes) == 0 {
		return nil
	}
	if fsys, ok := s.Storer.(interface{ Filesystem() billy.Filesystem }); ok {
		src := func(h plumbing.Hash) (plumbing.EncodedObject, error) {
			return s.mem.EncodedObject(plumbing.AnyObject, h)
		}
		if err := writePack(fsys.Filesystem(), src, s.hashes); err != nil {
			return err
		}
		if r, ok := s.Storer.(interface{ Reindex() }); ok {
			r.Reindex()
		}
		return nil
	}
	pw, ok := s.Storer.(storer.PackfileWriter)
	if !ok {
		for _, h := range s.hashes {
			obj, err := s.mem.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				return err
			}
			if _, err := s.Storer.SetEncodedObject(obj); err != nil {
				return fmt.Errorf("store %s %s: %w", obj.Type(), h, err)
			}
		}
		return nil
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return fmt.Errorf("write packfile: %w", err)
	}
	if _, err := packfile.NewEncoder(w, s.mem, false).Encode(s.hashes, 0); err != nil {
		return errors.Join(fmt.Errorf("write packfile: %w", err), w.Close())
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write packfile: %w", err)
	}
	return nil
}
