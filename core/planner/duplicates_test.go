package planner

import (
	"testing"

	"github.com/tend-sh/tend/core/model"
)

// dupSnap is a snapshot whose lists repeat entries.
func dupSnap(installed []string, updates ...model.Update) *model.Snapshot {
	s := snap("web_1", installed, updates...)
	p := s.Providers["apt"]
	p.Installed = append(p.Installed, p.Installed...)
	return s
}

func TestDuplicateInventoryEntries(t *testing.T) {
	approve := "approve { classification = [\"security\"] }\n"
	multi := func(arch string) model.Update {
		u := sec("libc6", "2.36-9", "2.36-10")
		u.ID = "libc6:" + arch
		return u
	}
	runRuleCases(t, []ruleCase{{
		name:   "an update listed twice verbatim is planned once, with a warning",
		policy: approve,
		snap:   dupSnap([]string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"), sec("openssl", "3.0.11-1", "3.0.11-2")),
		now:    "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
		// Without pins or reject the installed list does not matter to the
		// plan, and is not checked.
		warns: []string{
			`host "web_1": the apt inventory lists available update "openssl" 2 times; it is planned once`,
		},
	}, {
		name:   "an update listed with two target versions is not planned: an error for the host, the rest plans",
		policy: approve + `pin = { nginx = "1.22.1-9" }`,
		snap: dupSnap([]string{"openssl=3.0.11-1", "nginx=1.22.1-8"},
			sec("openssl", "3.0.11-1", "3.0.11-2"), sec("nginx", "1.22.1-8", "1.22.1-9"), sec("nginx", "1.22.1-8", "1.22.1-10")),
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			`error: the apt inventory lists available update "nginx" 2 times with different versions (1.22.1-9, 1.22.1-10): nginx is not planned on this host until a scan lists it once`,
			"reboot: none",
		},
		warns: []string{
			`host "web_1": the apt inventory lists available update "nginx" 2 times with different versions (1.22.1-9, 1.22.1-10): nginx is not planned on this host until a scan lists it once`,
			`host "web_1": the apt inventory lists installed package "nginx" 2 times; it is planned once`,
			`host "web_1": the apt inventory lists installed package "openssl" 2 times; it is planned once`,
		},
	}, {
		name:   "an installed package listed with two versions is not pinned",
		policy: approve + `pin = { nginx = "1.22.1-9" }`,
		snap: func() *model.Snapshot {
			s := snap("web_1", []string{"nginx=1.22.1-8", "nginx=1.22.1-7"})
			return s
		}(),
		now: "2026-11-23T10:00:00Z",
		want: []string{
			`error: the apt inventory lists installed package "nginx" 2 times with different versions (1.22.1-8, 1.22.1-7): nginx is not planned on this host until a scan lists it once`,
			"reboot: none",
		},
		warns: []string{
			`host "web_1": the apt inventory lists installed package "nginx" 2 times with different versions (1.22.1-8, 1.22.1-7): nginx is not planned on this host until a scan lists it once`,
		},
	}, {
		name:   "a package of two architectures going to one version is one action, without a warning",
		policy: approve,
		snap:   snap("web_1", []string{"libc6=2.36-9"}, multi("amd64"), multi("i386")),
		now:    "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade libc6 2.36-9->2.36-10: approve[0]: classification=security",
			"reboot: none",
		},
	}})
}

// TestActionIDsUnique checks the planner's promise that action ids are
// unique within a plan, whatever the inventory repeats.
func TestActionIDsUnique(t *testing.T) {
	cfg := loadConfig(t, oneHost+"policy \"p\" {\n provider = \"apt\"\n targets = [host.web_1]\n approve { classification = [\"security\"] }\n reboot = \"always\"\n pin = { curl = \"8.0-1\" }\n}\n")
	u := sec("openssl", "3.0.11-1", "3.0.11-2")
	r := sec("reboot", "1", "2")
	s := dupSnap([]string{"openssl=3.0.11-1", "curl=7.0-1", "reboot=1"}, u, u, u, r)
	s.Providers["apt"].Available = append(s.Providers["apt"].Available, model.Update{ID: "curl", Name: "curl", From: "7.0-1", To: "8.0-1"})
	pl, _ := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"web_1": s}, Now: at(t, "2026-11-23T10:00:00Z")})
	seen := map[string]bool{}
	for _, h := range pl.Hosts {
		for _, a := range h.Actions {
			if seen[a.ID] {
				t.Errorf("action id %s twice in the plan:\n%v", a.ID, lines(h))
			}
			seen[a.ID] = true
		}
	}
}
