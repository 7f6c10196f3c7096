package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"
)

// FileName is the lock file tend init writes beside the configuration.
const FileName = ".tend.lock.hcl"

// Lock records, per provider, the binary tend init accepted.
type Lock struct {
	Name     string
	Version  string
	Protocol int
	Hash     string // "sha256:<hex>"
}

var lockSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"name"}}}}

var lockEntrySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "version", Required: true}, {Name: "protocol", Required: true}, {Name: "hash", Required: true},
}}

// Read reads CONFIG/.tend.lock.hcl. A missing file is an empty lock.
func Read(configDir string) (map[string]Lock, error) {
	path := filepath.Join(configDir, FileName)
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Lock{}, nil
	}
	if err != nil {
		return nil, err
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	content, diags := file.Body.Content(lockSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	out := map[string]Lock{}
	for _, b := range content.Blocks {
		c, diags := b.Body.Content(lockEntrySchema)
		if diags.HasErrors() {
			return nil, diags
		}
		l := Lock{Name: b.Labels[0]}
		for name, dst := range map[string]any{"version": &l.Version, "protocol": &l.Protocol, "hash": &l.Hash} {
			v, diags := c.Attributes[name].Expr.Value(nil)
			if diags.HasErrors() {
				return nil, diags
			}
			if err := gocty.FromCtyValue(v, dst); err != nil {
				return nil, fmt.Errorf("%s: provider %q: %s: %w", path, l.Name, name, err)
			}
		}
		if !strings.HasPrefix(l.Hash, "sha256:") {
			return nil, fmt.Errorf("%s: provider %q: hash must look like sha256:<hex>", path, l.Name)
		}
		out[l.Name] = l
	}
	return out, nil
}

// Write writes the lock file, providers sorted by name.
func Write(configDir string, locks map[string]Lock) error {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment,
		Bytes: []byte("# Written by tend init: the provider binaries this configuration was checked\n# with. Commit it; tend refuses a binary whose hash differs.\n")}})
	names := make([]string, 0, len(locks))
	for n := range locks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l := locks[n]
		body.AppendNewline()
		b := body.AppendNewBlock("provider", []string{n}).Body()
		b.SetAttributeValue("version", cty.StringVal(l.Version))
		b.SetAttributeValue("protocol", cty.NumberIntVal(int64(l.Protocol)))
		b.SetAttributeValue("hash", cty.StringVal(l.Hash))
	}
	path := filepath.Join(configDir, FileName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, f.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
