package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FileSuffix is the suffix of configuration files.
const FileSuffix = ".tend.hcl"

// rootSchema lists the top-level blocks of the language.
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "tend"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "host", LabelNames: []string{"name"}},
		{Type: "hosts", LabelNames: []string{"name"}},
		{Type: "group", LabelNames: []string{"name"}},
		{Type: "window", LabelNames: []string{"name"}},
		{Type: "policy", LabelNames: []string{"name"}},
	},
}

// Files returns the configuration files under dir, recursively, sorted.
// Directories whose names start with "." (such as .git and .tend) are skipped.
func Files(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), FileSuffix) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Load reads and decodes every *.tend.hcl file under dir.
func Load(dir string) (*Config, hcl.Diagnostics) {
	files, err := Files(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		}}
	}
	if len(files) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("%s holds no *%s files.", dir, FileSuffix),
		}}
	}
	srcs := make(map[string][]byte, len(files))
	var diags hcl.Diagnostics
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read configuration file",
				Detail:   err.Error(),
			})
			continue
		}
		srcs[f] = b
	}
	cfg, more := LoadSources(dir, srcs, os.ReadFile)
	return cfg, append(diags, more...)
}

// LoadSources decodes configuration from in-memory files keyed by path.
// readFile reads files the configuration refers to (host lists); paths are
// resolved relative to the referring file. It is the seam tests and the fuzz
// target use.
func LoadSources(dir string, srcs map[string][]byte, readFile func(string) ([]byte, error)) (*Config, hcl.Diagnostics) {
	cfg := &Config{
		Dir:       dir,
		Sources:   map[string][]byte{},
		Providers: map[string]*Provider{},
		Hosts:     map[string]*Host{},
		HostLists: map[string]*HostList{},
		Groups:    map[string]*Group{},
		Windows:   map[string]*Window{},
		Policies:  map[string]*Policy{},
	}
	d := &decoder{cfg: cfg, readFile: readFile}
	names := make([]string, 0, len(srcs))
	for name := range srcs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cfg.Sources[name] = srcs[name]
		file, diags := hclsyntax.ParseConfig(srcs[name], name, hcl.InitialPos)
		d.diags = append(d.diags, diags...)
		if file == nil || file.Body == nil {
			continue
		}
		d.decodeFile(file.Body)
	}
	d.resolve()
	cfg.Digest = digest(dir, cfg.Sources)
	return cfg, d.diags
}

// digest hashes every source by its path relative to dir, in sorted order.
func digest(dir string, srcs map[string][]byte) string {
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		rel, err := filepath.Rel(dir, n)
		if err != nil {
			rel = n
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(srcs[n]))
		h.Write(srcs[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// decoder accumulates the configuration and its diagnostics across files.
type decoder struct {
	cfg      *Config
	diags    hcl.Diagnostics
	readFile func(string) ([]byte, error)
}

func (d *decoder) add(diags hcl.Diagnostics) { d.diags = append(d.diags, diags...) }

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	r := rng
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &r,
	})
}

func (d *decoder) decodeFile(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	d.add(diags)
	for _, block := range content.Blocks {
		if len(block.Labels) == 1 && !hclsyntax.ValidIdentifier(block.Labels[0]) {
			d.errorf(block.LabelRanges[0], "Invalid name",
				"%q is not a valid %s name: use letters, digits, underscores and dashes, starting with a letter.", block.Labels[0], block.Type)
			continue
		}
		switch block.Type {
		case "tend":
			d.decodeTend(block)
		case "provider":
			d.decodeProvider(block)
		case "host":
			if h := d.decodeHost(block); h != nil {
				d.addHost(h)
			}
		case "hosts":
			d.decodeHostList(block)
		case "group":
			d.decodeGroup(block)
		case "window":
			d.decodeWindow(block)
		case "policy":
			d.decodePolicy(block)
		}
	}
}

// duplicate reports a second declaration of the same name.
func (d *decoder) duplicate(kind, name string, first, again hcl.Range) {
	d.errorf(again, fmt.Sprintf("Duplicate %s %q", kind, name),
		"A %s named %q was already declared at %s.", kind, name, first.String())
}
