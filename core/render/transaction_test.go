package render

import (
	"bytes"
	"testing"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

// transactionPlan has a host of every transaction status: resolved live
// with dependencies and a removal allowed, blocked by a rejected
// dependency, resolved as recorded with nothing extra, recorded for other
// updates, and a provider that does not resolve.
func transactionPlan() *model.Plan {
	scanned := at("2026-11-23T09:59:58Z")
	resolved := at("2026-11-23T10:00:01Z")
	app := model.Action{ID: "web_1/apt/app", Type: model.ActionUpgrade, Package: "app", From: "1.0", To: "2.0",
		CVEs: []string{}, Reason: "approve[0]: packages=app"}
	liba := model.Change{Package: "liba", Kind: model.ChangeUpgrade, From: "1.0", To: "2.0", RequiredBy: []string{"app"}}
	libnew := model.Change{Package: "libnew", Kind: model.ChangeInstall, To: "1.1", RequiredBy: []string{"app"}}
	oldlib := model.Change{Package: "oldlib", Kind: model.ChangeRemove, From: "0.9", RequiredBy: []string{"app"}}
	appChange := model.Change{Package: "app", Kind: model.ChangeUpgrade, From: "1.0", To: "2.0"}
	reason := `app 2.0 needs liba 1.0 → 2.0, which policy linux_security rejects (reject "liba")`
	host := func(name string) model.HostPlan {
		a := app
		a.ID = name + "/apt/app"
		return model.HostPlan{Host: name, Provider: "apt", Policy: "linux_security", ScannedAt: scanned,
			Reboot: model.RebootNone, Actions: []model.Action{a}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{}}
	}
	allowed := host("web_1")
	allowed.Transaction = &model.Transaction{Status: model.TransactionResolved, Source: model.ResolvedLive, ResolvedAt: resolved,
		Changes: []model.Change{appChange, liba, libnew, oldlib}, Extra: []model.Change{liba, libnew, oldlib}}
	blocked := host("web_2")
	blocked.Actions = []model.Action{}
	blocked.Skipped = []model.Skipped{{Package: "app", To: "2.0", Reason: "transaction blocked: " + reason},
		{Package: "liba", Reason: `installed version 1.0 matches reject "liba"`}}
	blocked.Errors = []string{"transaction blocked: " + reason}
	blocked.Transaction = &model.Transaction{Status: model.TransactionBlocked, Source: model.ResolvedLive, ResolvedAt: resolved,
		Changes: []model.Change{liba, appChange}, Extra: []model.Change{liba}, Reason: reason}
	recorded := host("web_3")
	recorded.Transaction = &model.Transaction{Status: model.TransactionResolved, Source: model.ResolvedRecorded, ResolvedAt: resolved,
		Changes: []model.Change{appChange}}
	other := host("web_4")
	other.Transaction = &model.Transaction{Status: model.TransactionUnresolved, Source: model.ResolvedRecorded, ResolvedAt: resolved,
		Reason: "dependencies not resolved since 2026-11-23T10:00:01Z: the recorded resolution is for other updates"}
	unsupported := host("web_5")
	unsupported.Transaction = &model.Transaction{Status: model.TransactionUnsupported,
		Reason: "provider apt does not resolve transactions: dependencies are not checked"}
	hosts := []model.HostPlan{allowed, blocked, recorded, other, unsupported}
	return &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   *at("2026-11-23T10:00:00Z"),
		Config:        model.PlanConfig{Dir: "fleet", Commit: "9f2c1ab3d4e5f60718293a4b5c6d7e8f90a1b2c3"},
		Inventory:     model.PlanInventory{Source: "live"},
		Hosts:         hosts,
		Summary:       model.Summarize(hosts),
	}
}

func TestGoldenTransactions(t *testing.T) {
	// The base allowed the dependency on web_2: this change blocks it.
	base := transactionPlan()
	base.Hosts[1] = base.Hosts[0]
	base.Hosts[1].Host = "web_2"
	base.Hosts[1].Actions = []model.Action{{ID: "web_2/apt/app", Type: model.ActionUpgrade, Package: "app", From: "1.0", To: "2.0", CVEs: []string{}}}
	tests := map[string]func(w *bytes.Buffer) error{
		"json_transactions": func(w *bytes.Buffer) error { return JSON(w, transactionPlan()) },
		"text_transactions": func(w *bytes.Buffer) error { return Text(w, transactionPlan(), nil, TextOptions{}) },
		"text_transactions_color": func(w *bytes.Buffer) error {
			return Text(w, transactionPlan(), nil, TextOptions{Color: true})
		},
		"md_transactions": func(w *bytes.Buffer) error {
			return Markdown(w, transactionPlan(), nil, MarkdownOptions{Base: plandiff.Diff(base, transactionPlan()), BaseLabel: "origin/main (9f2c1ab)"})
		},
		"text_delta_transactions": func(w *bytes.Buffer) error {
			return DeltaText(w, plandiff.Diff(base, transactionPlan()), "origin/main (9f2c1ab)", TextOptions{})
		},
	}
	for name, render := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := render(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}
