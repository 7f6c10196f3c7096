package protoconv

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/version"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// InventoryToProto returns inv as a scan response's inventory.
// ReleasedAt travels as RFC 3339 in UTC, empty when zero.
func InventoryToProto(inv *model.ProviderInventory) *pb.Inventory {
	out := &pb.Inventory{Facts: inv.Facts, PendingReboot: inv.PendingReboot, VersionScheme: string(inv.VersionScheme)}
	for _, it := range inv.Installed {
		out.Installed = append(out.Installed, &pb.Installed{Id: it.ID, Name: it.Name, Version: it.Version, Arch: it.Arch,
			Source: it.Source, SourceVersion: it.SourceVersion})
	}
	for _, u := range inv.Available {
		out.Available = append(out.Available, updateToProto(u))
	}
	for _, u := range inv.Unfinished {
		out.Unfinished = append(out.Unfinished, &pb.Unfinished{Name: u.Name, Version: u.Version, State: u.State})
	}
	if len(inv.Versions) > 0 {
		out.Versions = map[string]*pb.Versions{}
		names := make([]string, 0, len(inv.Versions))
		for n := range inv.Versions {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out.Versions[n] = &pb.Versions{Versions: inv.Versions[n]}
		}
	}
	return out
}

func updateToProto(u model.Update) *pb.Update {
	released := ""
	if !u.ReleasedAt.IsZero() {
		released = u.ReleasedAt.UTC().Format(time.RFC3339)
	}
	return &pb.Update{
		Id: u.ID, Name: u.Name, From: u.From, To: u.To, Classification: u.Classification,
		Severity: u.Severity, Cves: u.CVEs, Kb: u.KB, ReleasedAt: released, RebootRequired: u.RebootRequired,
		Title: u.Title,
	}
}

// InventoryFromProto returns the inventory a scan response holds, with
// empty (not nil) facts, installed and available lists and CVEs, as the
// snapshot contract writes them. A missing inventory or a released_at that
// is not RFC 3339, or a version scheme tend does not know, is an error.
func InventoryFromProto(in *pb.Inventory) (*model.ProviderInventory, error) {
	if in == nil {
		return nil, errors.New("scan returned no inventory")
	}
	scheme, err := version.ParseScheme(in.VersionScheme)
	if err != nil {
		return nil, err
	}
	out := &model.ProviderInventory{Facts: in.Facts, PendingReboot: in.PendingReboot,
		Installed: []model.Installed{}, Available: []model.Update{}, VersionScheme: scheme}
	if out.Facts == nil {
		out.Facts = map[string]string{}
	}
	trim := versionTrimmer(scheme)
	for _, it := range in.Installed {
		out.Installed = append(out.Installed, model.Installed{ID: it.Id, Name: it.Name, Version: trim(it.Version), Arch: it.Arch,
			Source: it.Source, SourceVersion: trim(it.SourceVersion)})
	}
	for _, u := range in.Unfinished {
		out.Unfinished = append(out.Unfinished, model.Unfinished{Name: u.Name, Version: trim(u.Version), State: u.State})
	}
	for _, u := range in.Available {
		m, err := updateFromProto(u)
		if err != nil {
			return nil, err
		}
		m.From, m.To = trim(m.From), trim(m.To)
		out.Available = append(out.Available, m)
	}
	if len(in.Versions) > 0 {
		out.Versions = map[string][]string{}
		for n, v := range in.Versions {
			vs := make([]string, len(v.Versions))
			for i, s := range v.Versions {
				vs[i] = trim(s)
			}
			out.Versions[n] = vs
		}
	}
	return out, nil
}

// versionTrimmer returns what versions read from a provider go through:
// for Debian versions, dpkg's trimming of blanks around them (so " 1.0"
// from a provider is 1.0, as dpkg reads it); others stay as sent.
func versionTrimmer(scheme version.Scheme) func(string) string {
	if scheme == "" || scheme == version.Debian {
		return debversion.Trim
	}
	return func(s string) string { return s }
}

func updateFromProto(u *pb.Update) (model.Update, error) {
	m := model.Update{ID: u.Id, Name: u.Name, From: u.From, To: u.To, Classification: u.Classification,
		Severity: u.Severity, CVEs: u.Cves, KB: u.Kb, RebootRequired: u.RebootRequired, Title: u.Title}
	if m.CVEs == nil {
		m.CVEs = []string{}
	}
	if u.ReleasedAt != "" {
		t, err := time.Parse(time.RFC3339, u.ReleasedAt)
		if err != nil {
			return model.Update{}, fmt.Errorf("update %s: released_at %q: %w", u.Name, u.ReleasedAt, err)
		}
		m.ReleasedAt = t
	}
	return m, nil
}
