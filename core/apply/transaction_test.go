package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

// TestApplyChecksTransaction: the transaction the plan showed goes to the
// provider, which installs nothing when its own resolution differs; a host
// whose transaction the plan blocked fails without its provider being
// asked anything.
func TestApplyChecksTransaction(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"a1", "a2", "a3"}, "")
	res := initAndPlan(t, cfg)
	for i := range res.Saved.Plan.Hosts {
		h := &res.Saved.Plan.Hosts[i]
		if h.Transaction == nil || h.Transaction.Status != model.TransactionResolved {
			t.Fatalf("%s: transaction = %+v", h.Host, h.Transaction)
		}
		switch h.Host {
		case "a2": // the package manager now wants another version
			h.Transaction.Changes[0].To = "3"
		case "a3":
			h.Transaction.Status, h.Transaction.Reason = model.TransactionBlocked, "a 2 needs b 1 → 2, which policy p rejects"
			h.Actions = []model.Action{}
		}
	}
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(context.Background(), cfg, ps, res.Saved.Plan, Options{})
	got := map[string]*HostResult{}
	for i := range rep.Hosts {
		got[rep.Hosts[i].Host] = &rep.Hosts[i]
	}
	if r := got["a1"]; r == nil || r.Failed() {
		t.Errorf("a1 (transaction unchanged) = %+v", r)
	}
	if r := got["a2"]; r == nil || len(r.Results) != 1 || r.Results[0].Status != model.StatusFailed ||
		!strings.Contains(r.Results[0].Message, "the transaction differs from the plan, so nothing was changed") {
		t.Errorf("a2 (transaction changed) = %+v", r)
	}
	if r := got["a3"]; r == nil || len(r.Results) != 0 || r.Err == nil ||
		r.Err.Error() != "transaction blocked, nothing installed: a 2 needs b 1 → 2, which policy p rejects" {
		t.Errorf("a3 (blocked) = %+v", r)
	}
	if rep.Failed() != 2 {
		t.Errorf("failed hosts = %d, want 2", rep.Failed())
	}
}
