package config

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// Declaring is the cross-block check made as each top-level block arrives,
// file by file: a name is declared once per kind. A second block of the
// same kind and name is reported and not decoded at all (so a second host
// list's file is never read); hosts, which come from host blocks and host
// lists alike, are checked one by one as they are added. References
// between blocks are checked once every file is decoded (resolve.go).

// declare checks a top-level block's name and adds the block to the
// configuration, unless its name is taken.
func (l *loader) declare(block *hcl.Block) hcl.Diagnostics {
	if len(block.Labels) == 1 {
		if diags := checkName(block.Type, block.Labels[0], block.LabelRanges[0]); diags.HasErrors() {
			return diags
		}
	}
	if diag := l.cfg.redeclared(block); diag != nil {
		return hcl.Diagnostics{diag}
	}
	return l.add(block)
}

// add decodes a top-level block and adds what it declares to the
// configuration.
func (l *loader) add(block *hcl.Block) hcl.Diagnostics {
	c := l.cfg
	var diags hcl.Diagnostics
	switch block.Type {
	case "tend":
		c.Tend, diags = decodeTend(block)
	case "provider":
		var p *Provider
		p, diags = decodeProvider(block)
		c.Providers[p.Name] = p
	case "host":
		var h *Host
		h, diags = decodeHost(block)
		diags = append(diags, c.declareHost(h)...)
	case "hosts":
		var hl *HostList
		hl, diags = decodeHostList(block, c.Dir)
		c.HostLists[hl.Name] = hl
		diags = append(diags, l.declareHostList(hl)...)
	case "group":
		var g *Group
		g, diags = decodeGroup(block)
		c.Groups[g.Name] = g
	case "window":
		var w *Window
		w, diags = decodeWindow(block)
		c.Windows[w.Name] = w
	case "policy":
		var p *Policy
		p, diags = decodePolicy(block)
		c.Policies[p.Name] = p
	case "freeze":
		var f *Freeze
		f, diags = decodeFreeze(block)
		c.Freezes[f.Name] = f
	case "feed":
		var f *Feed
		f, diags = decodeFeed(block)
		c.Feeds[f.Name] = f
	case "advisory":
		var ad *Advisory
		ad, diags = decodeAdvisory(block)
		c.Advisories[ad.Name] = ad
	case "notify":
		var n *Notify
		n, diags = decodeNotify(block)
		c.Notify[n.Name] = n
	}
	return diags
}

// redeclared reports a block whose kind and name were declared before;
// nil when they were not. Host blocks are checked by declareHost.
func (c *Config) redeclared(block *hcl.Block) *hcl.Diagnostic {
	if block.Type == "tend" {
		if c.Tend == nil {
			return nil
		}
		return errorAt(block.DefRange, "Duplicate tend block",
			"Only one tend block is allowed; the first is at %s.", pos(c.Tend.DeclRange))
	}
	kind, first, taken := c.firstDeclaration(block.Type, block.Labels[0])
	if !taken {
		return nil
	}
	return duplicate(kind, block.Labels[0], first, block.DefRange)
}

// firstDeclaration returns, for a labelled top-level block type, the kind
// in words and where name was declared first, if it was.
func (c *Config) firstDeclaration(blockType, name string) (kind string, first hcl.Range, taken bool) {
	switch blockType {
	case "provider":
		if p, ok := c.Providers[name]; ok {
			return "provider", p.DeclRange, true
		}
	case "hosts":
		if l, ok := c.HostLists[name]; ok {
			return "hosts list", l.DeclRange, true
		}
	case "group":
		if g, ok := c.Groups[name]; ok {
			return "group", g.DeclRange, true
		}
	case "window":
		if w, ok := c.Windows[name]; ok {
			return "window", w.DeclRange, true
		}
	case "policy":
		if p, ok := c.Policies[name]; ok {
			return "policy", p.DeclRange, true
		}
	case "freeze":
		if f, ok := c.Freezes[name]; ok {
			return "freeze", f.DeclRange, true
		}
	case "feed":
		if f, ok := c.Feeds[name]; ok {
			return "feed", f.DeclRange, true
		}
	case "advisory":
		if a, ok := c.Advisories[name]; ok {
			return "advisory", a.DeclRange, true
		}
	case "notify":
		if n, ok := c.Notify[name]; ok {
			return "notify sink", n.DeclRange, true
		}
	}
	return "", hcl.Range{}, false
}

// declareHost adds a host, from a host block or a host list, unless a host
// of that name came first.
func (c *Config) declareHost(h *Host) hcl.Diagnostics {
	if prev, ok := c.Hosts[h.Name]; ok {
		return hcl.Diagnostics{duplicate("host", h.Name, prev.DeclRange, h.DeclRange)}
	}
	c.Hosts[h.Name] = h
	return nil
}

// declareHostList reads the file of a host list and declares each valid
// entry as a host, recording the names in the list.
func (l *loader) declareHostList(hl *HostList) hcl.Diagnostics {
	if hl.Path == "" {
		return nil
	}
	data, diags := l.readHostList(hl)
	if diags.HasErrors() {
		return diags
	}
	entries, at, diags := parseHostList(hl, data)
	for i, e := range entries {
		h, more := decodeHostEntry(hl, i, e, at[i])
		diags = append(diags, more...)
		if h == nil {
			continue
		}
		hl.Hosts = append(hl.Hosts, h.Name)
		diags = append(diags, l.cfg.declareHost(h)...)
	}
	sort.Strings(hl.Hosts)
	return diags
}

// duplicate reports a second declaration of the same name.
func duplicate(kind, name string, first, again hcl.Range) *hcl.Diagnostic {
	return errorAt(again, fmt.Sprintf("Duplicate %s %q", kind, name),
		"A %s named %q was already declared at %s.", kind, name, pos(first))
}
