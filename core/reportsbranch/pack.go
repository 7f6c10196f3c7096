package reportsbranch

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
)

// writePack writes objs (read from src) into the repository whose
// directory is fs as one packfile and its index: no deltas (report blobs
// are small), each object compressed at zlib's fastest level, as Git
// compresses loose objects (core.looseCompression), and the index built
// from the offsets written rather than by reading the pack back. The pack
// is renamed into objects/pack before its index, so a reader that sees
// the index finds the whole pack.
func writePack(fs billy.Filesystem, src func(plumbing.Hash) (plumbing.EncodedObject, error), objs []plumbing.Hash) error {
	dir := fs.Join("objects", "pack")
	if err := fs.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write packfile: %w", err)
	}
	tmp, err := fs.TempFile(dir, "tmp_pack_")
	if err != nil {
		return fmt.Errorf("write packfile: %w", err)
	}
	sum, idx, err := encodePack(tmp, src, objs)
	if err == nil {
		err = syncFile(tmp)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write packfile: %w", err), fs.Remove(tmp.Name()))
	}
	base := fs.Join(dir, "pack-"+sum.String())
	if err := fs.Rename(tmp.Name(), base+".pack"); err != nil {
		return errors.Join(fmt.Errorf("write packfile: %w", err), fs.Remove(tmp.Name()))
	}
	readOnly(fs, base+".pack")
	tmpIdx, err := fs.TempFile(dir, "tmp_idx_")
	if err != nil {
		return fmt.Errorf("write pack index: %w", err)
	}
	_, err = idxfile.NewEncoder(tmpIdx).Encode(idx)
	if err == nil {
		err = syncFile(tmpIdx)
	}
	if cerr := tmpIdx.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fs.Rename(tmpIdx.Name(), base+".idx")
	}
	if err != nil {
		return errors.Join(fmt.Errorf("write pack index: %w", err), fs.Remove(tmpIdx.Name()))
	}
	readOnly(fs, base+".idx")
	return nil
}

// encodePack writes the packfile of objs to w and returns its checksum and
// index.
func encodePack(w io.Writer, src func(plumbing.Hash) (plumbing.EncodedObject, error), all []plumbing.Hash) (plumbing.Hash, *idxfile.MemoryIndex, error) {
	objs := make([]plumbing.Hash, 0, len(all)) // each once: an index lists no hash twice
	seen := make(map[plumbing.Hash]bool, len(all))
	for _, oh := range all {
		if !seen[oh] {
			seen[oh] = true
			objs = append(objs, oh)
		}
	}
	h := sha1.New()
	out := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<16)
	var head [12]byte
	copy(head[:], "PACK")
	binary.BigEndian.PutUint32(head[4:], 2)
	binary.BigEndian.PutUint32(head[8:], uint32(len(objs)))
	if _, err := out.Write(head[:]); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	iw := new(idxfile.Writer)
	if err := iw.OnHeader(uint32(len(objs))); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	pos := uint64(len(head))
	var entry bytes.Buffer
	zw, err := zlib.NewWriterLevel(&entry, zlib.BestSpeed)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	for _, oh := range objs {
		obj, err := src(oh)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		entry.Reset()
		entry.Write(objectHeader(obj.Type(), obj.Size()))
		zw.Reset(&entry)
		r, err := obj.Reader()
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		_, err = io.Copy(zw, r)
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			return plumbing.ZeroHash, nil, fmt.Errorf("%s %s: %w", obj.Type(), oh, err)
		}
		iw.Add(oh, pos, crc32.ChecksumIEEE(entry.Bytes()))
		if _, err := out.Write(entry.Bytes()); err != nil {
			return plumbing.ZeroHash, nil, err
		}
		pos += uint64(entry.Len())
	}
	if err := out.Flush(); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	var sum plumbing.Hash
	copy(sum[:], h.Sum(nil))
	if _, err := w.Write(sum[:]); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	if err := iw.OnFooter(sum); err != nil {
		return plumbing.ZeroHash, nil, err
	}
	idx, err := iw.Index()
	return sum, idx, err
}

// objectHeader is a pack entry's type and size: the type in bits 4–6 of
// the first byte, the size in its low 4 bits and 7 more in each following
// byte, the high bit saying another byte follows.
func objectHeader(t plumbing.ObjectType, size int64) []byte {
	b := []byte{byte(t)<<4 | byte(size&0x0f)}
	size >>= 4
	for size != 0 {
		b[len(b)-1] |= 0x80
		b = append(b, byte(size&0x7f))
		size >>= 7
	}
	return b
}

func syncFile(f billy.File) error {
	if s, ok := f.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// readOnly makes a pack file read-only, as Git leaves them; a filesystem
// that cannot change modes keeps its default.
func readOnly(fs billy.Filesystem, name string) {
	if c, ok := fs.(billy.Chmod); ok {
		_ = c.Chmod(name, 0o444)
	}
}
