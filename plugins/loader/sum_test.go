package loader

import (
	"errors"
	"os"
	"testing"
)

// TestChecksumCachedUntilChanged: a provider started twice is hashed once,
// but a binary rewritten in place after that (same size, modification time
// set back) is hashed again and refused.
func TestChecksumCachedUntilChanged(t *testing.T) {
	path := testProvider(t)
	locked, err := Checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		p, err := Launch(Options{Name: "test", Path: path, Checksum: locked})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
	}
	if c, ok := sums.Load(path); !ok || c.(cachedSum).sum != locked {
		t.Fatalf("checksum of %s not cached after a launch", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 0xff
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data[len(data)-1:], int64(len(data)-1)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	_, err = Launch(Options{Name: "test", Path: path, Checksum: locked})
	var ce *ChecksumError
	if !errors.As(err, &ce) || ce.Actual == locked {
		t.Fatalf("err = %v; want the rewritten binary refused", err)
	}
}
