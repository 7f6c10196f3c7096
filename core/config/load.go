package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

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
		{Type: "freeze", LabelNames: []string{"name"}},
		{Type: "feed", LabelNames: []string{"name"}},
		{Type: "advisory", LabelNames: []string{"name"}},
		{Type: "notify", LabelNames: []string{"name"}},
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
			diags = append(diags, overTotal(f))
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
	l := &loader{cfg: &Config{
		Dir:        dir,
		Sources:    map[string][]byte{},
		Providers:  map[string]*Provider{},
		Hosts:      map[string]*Host{},
		HostLists:  map[string]*HostList{},
		Groups:     map[string]*Group{},
		Windows:    map[string]*Window{},
		Policies:   map[string]*Policy{},
		Freezes:    map[string]*Freeze{},
		Feeds:      map[string]*Feed{},
		Advisories: map[string]*Advisory{},
		Notify:     map[string]*Notify{},
	}, readFile: readFile}
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(srcs) {
		diags = append(diags, l.loadFile(name, srcs[name])...)
	}
	diags = append(diags, resolve(l.cfg)...)
	l.cfg.Digest = digest(dir, l.cfg.Sources)
	return l.cfg, diags
}

// digest hashes every source by its path relative to dir, in sorted order.
func digest(dir string, srcs map[string][]byte) string {
	h := sha256.New()
	for _, n := range sortedKeys(srcs) {
		rel, err := filepath.Rel(dir, n)
		if err != nil {
			rel = n
		}
		content := srcs[n]
		if strings.HasSuffix(n, FileSuffix) {
			content = meaningful(content, n)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(content))
		h.Write(content)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// meaningful returns what of an HCL file can change the configuration:
// its tokens without comments and line breaks, each with its type. So
// editing a comment or reformatting (tend fmt) keeps the digest, and a
// saved plan fresh. A file that does not lex is taken as it is.
func meaningful(src []byte, filename string) []byte {
	toks, diags := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return src
	}
	var b bytes.Buffer
	for _, t := range toks {
		if t.Type == hclsyntax.TokenComment || t.Type == hclsyntax.TokenNewline {
			continue
		}
		fmt.Fprintf(&b, "%d\x00%d\x00", t.Type, len(t.Bytes))
		b.Write(t.Bytes)
	}
	return b.Bytes()
}

// loader reads the files of one configuration, within the limits, and
// declares their blocks in cfg.
type loader struct {
	cfg      *Config
	readFile func(string) ([]byte, error)
	total    int64 // bytes of every file so far, against MaxTotalSize
}

// loadFile parses one configuration file and declares its blocks. A file
// over the limits is not parsed.
func (l *loader) loadFile(name string, src []byte) hcl.Diagnostics {
	if diag := l.budget(name, len(src), MaxFileSize, "Configuration file too large"); diag != nil {
		return hcl.Diagnostics{diag}
	}
	l.cfg.Sources[name] = src
	if diags := checkNesting(name, src); diags.HasErrors() {
		return diags
	}
	file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if file == nil || file.Body == nil {
		return diags
	}
	content, more := file.Body.Content(rootSchema)
	diags = append(diags, more...)
	for _, block := range content.Blocks {
		diags = append(diags, l.declare(block)...)
	}
	return diags
}

// readHostList reads the file of a host list, within its limit and the
// total, and keeps it among the sources unless it nests too deeply to be
// decoded.
func (l *loader) readHostList(hl *HostList) ([]byte, hcl.Diagnostics) {
	data, err := l.readFile(hl.Path)
	var big tooLarge
	switch {
	case errors.Is(err, errOutside):
		return nil, hcl.Diagnostics{outsideDiag(hl, "it "+errOutside.Error())}
	case errors.As(err, &big):
		return nil, hcl.Diagnostics{errorAt(hl.FileRange, "Host list too large", "%s %s.", hl.File, err)}
	case err != nil:
		return nil, hcl.Diagnostics{errorAt(hl.FileRange, "Cannot read host list", "%s %s.", hl.File, err)}
	}
	if diag := l.budget(hl.Path, len(data), MaxHostListSize, "Host list too large"); diag != nil {
		return nil, hcl.Diagnostics{diag}
	}
	l.cfg.Sources[hl.Path] = data
	if off := jsonNestingProblem(data, MaxNestingDepth); off >= 0 {
		return nil, hcl.Diagnostics{errorAt(newLineIndex(data).rangeAt(hl.Path, off), "Host list nested too deeply",
			"%s: arrays and objects nest more than %d levels deep here; the file is not decoded.", hl.File, MaxNestingDepth)}
	}
	return data, nil
}

// budget checks a file of size bytes against its own limit and the total;
// a diagnostic at the file's start when it is over either.
func (l *loader) budget(path string, size int, limit int64, summary string) *hcl.Diagnostic {
	if int64(size) > limit {
		return fileDiag(path, summary, tooLarge{int64(size), limit})
	}
	if l.total += int64(size); l.total > MaxTotalSize {
		return overTotal(path)
	}
	return nil
}

// overTotal is the error of the file that takes the configuration over
// MaxTotalSize.
func overTotal(path string) *hcl.Diagnostic {
	return fileDiag(path, "Configuration too large",
		fmt.Errorf("takes the configuration files and host lists together over the limit of %s", words.Size(MaxTotalSize)))
}
