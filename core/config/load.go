package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/tend-sh/tend/core/internal/words"
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

// Load reads and decodes every *.tend.hcl file under dir. Only files inside
// dir are read (see Files), host lists included, within the size limits.
func Load(dir string) (*Config, hcl.Diagnostics) {
	c, err := openConfined(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail:   err.Error(),
		}}
	}
	defer c.Close()
	files, diags := c.walk()
	if len(files) == 0 && !diags.HasErrors() {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("%s holds no *%s files.", dir, FileSuffix),
		}}
	}
	srcs := make(map[string][]byte, len(files))
	var total int64
	for _, f := range files {
		b, err := c.read(f, MaxFileSize)
		if err != nil {
			diags = append(diags, configFileDiag(f, err))
			continue
		}
		if total += int64(len(b)); total > MaxTotalSize {
			diags = append(diags, fileDiag(f, "Configuration too large",
				fmt.Errorf("takes the configuration files and host lists together over the limit of %s", words.Size(MaxTotalSize))))
			break
		}
		srcs[f] = b
	}
	cfg, more := LoadSources(dir, srcs, func(p string) ([]byte, error) { return c.read(p, MaxHostListSize) })
	return cfg, append(diags, more...)
}

// LoadSources decodes configuration from in-memory files keyed by path.
// readFile reads files the configuration refers to (host lists); paths are
// resolved relative to the referring file and must stay inside dir. It is
// the seam tests and the fuzz target use. The limits (MaxFileSize,
// MaxHostListSize, MaxTotalSize, MaxNestingDepth) apply here too: a file
// over them is reported and not parsed.
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
		src := srcs[name]
		if !d.budget(name, len(src), MaxFileSize, "Configuration file too large") {
			continue
		}
		cfg.Sources[name] = src
		if diags := checkNesting(name, src); diags.HasErrors() {
			d.add(diags)
			continue
		}
		file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
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
	total    int64 // bytes of every file so far, against MaxTotalSize
}

// budget checks a file of size bytes against its own limit and the total;
// false (with a diagnostic at the file's start) when it is over either.
func (d *decoder) budget(path string, size int, limit int64, summary string) bool {
	if int64(size) > limit {
		d.diags = append(d.diags, fileDiag(path, summary, tooLarge{int64(size), limit}))
		return false
	}
	if d.total += int64(size); d.total > MaxTotalSize {
		d.diags = append(d.diags, fileDiag(path, "Configuration too large",
			fmt.Errorf("takes the configuration files and host lists together over the limit of %s", words.Size(MaxTotalSize))))
		return false
	}
	return true
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
		if len(block.Labels) == 1 && !d.checkName(block.Type, block.Labels[0], block.LabelRanges[0]) {
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
