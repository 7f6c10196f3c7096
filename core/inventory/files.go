package inventory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// HostDirs lists the host directories of a snapshot directory, sorted
// (those ReadDir reads; a directory without inventory.json has none).
func HostDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading inventory: %w", err)
	}
	var hosts []string
	for _, e := range entries {
		if e.IsDir() {
			hosts = append(hosts, e.Name())
		}
	}
	sort.Strings(hosts)
	return hosts, nil
}

// ReadHostFile returns the bytes of DIR/<host>/inventory.json, with the
// checks ReadDir makes before parsing (a regular file, at most
// MaxSnapshotSize); nil and no error when there is no file.
func ReadHostFile(dir, host string) ([]byte, error) {
	data, err := readFile(filepath.Join(dir, host, reportsbranch.SnapshotFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// Parser parses the snapshots of one read as ReadDir does, sharing one copy
// of each repeated string among them; it is safe for concurrent use.
type Parser struct{ in *interner }

// NewParser returns a Parser.
func NewParser() *Parser { return &Parser{in: newInterner()} }

// Parse is Parse of DIR/<host>/inventory.json's bytes.
func (p *Parser) Parse(dir, host string, data []byte) (*model.Snapshot, error) {
	return parse(filepath.Join(dir, host, reportsbranch.SnapshotFile), data, host, p.in)
}
