package protoconv

import (
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

func TestSchemaRoundTrip(t *testing.T) {
	for name, in := range map[string]SchemaResponse{"zero": {}, "full": fill[SchemaResponse](t)} {
		got, err := SchemaFromProto(wire(t, SchemaToProto(&in)))
		if err != nil {
			t.Fatal(err)
		}
		same(t, "schema "+name, in, *got)
	}
}

func TestInventoryRoundTrip(t *testing.T) {
	in := fill[model.ProviderInventory](t)
	// tend records the resolution in the snapshot itself (the engine, after
	// Resolve); a scan does not carry one.
	in.Resolution = nil
	// Nor the open CVEs, which tend matches against its feeds.
	in.OpenCVEs = nil
	got, err := InventoryFromProto(wire(t, InventoryToProto(&in)))
	if err != nil {
		t.Fatal(err)
	}
	same(t, "inventory", in, *got)
}

// TestInventoryRoundTripZero: empty lists and facts come back empty, not
// nil, as the snapshot contract writes them ([] and {}, never null).
func TestInventoryRoundTripZero(t *testing.T) {
	got, err := InventoryFromProto(wire(t, InventoryToProto(&model.ProviderInventory{})))
	if err != nil {
		t.Fatal(err)
	}
	want := model.ProviderInventory{Facts: map[string]string{}, Installed: []model.Installed{}, Available: []model.Update{}}
	same(t, "zero inventory", want, *got)

	got, err = InventoryFromProto(wire(t, InventoryToProto(&model.ProviderInventory{Available: []model.Update{{Name: "a"}}})))
	if err != nil {
		t.Fatal(err)
	}
	if u := got.Available[0]; u.CVEs == nil || len(u.CVEs) != 0 || !u.ReleasedAt.IsZero() {
		t.Errorf("zero update came back as %+v; want empty CVEs and a zero ReleasedAt", u)
	}
}

func TestInventoryFromProtoErrors(t *testing.T) {
	if _, err := InventoryFromProto(nil); err == nil || !strings.Contains(err.Error(), "no inventory") {
		t.Errorf("nil inventory: err = %v", err)
	}
	bad := &pb.Inventory{Available: []*pb.Update{{Name: "openssl", ReleasedAt: "yesterday"}}}
	if _, err := InventoryFromProto(bad); err == nil || !strings.Contains(err.Error(), `update openssl: released_at "yesterday"`) {
		t.Errorf("bad released_at: err = %v", err)
	}
}

func TestActionsRoundTrip(t *testing.T) {
	for name, in := range map[string][]model.ProviderAction{
		"zero": {{}}, "none": {}, "full": fill[[]model.ProviderAction](t),
	} {
		req := wire(t, &pb.ApplyRequest{Actions: ActionsToProto(in)})
		same(t, "actions "+name, in, ActionsFromProto(req.Actions))
	}
}

func TestResultRoundTrip(t *testing.T) {
	// Every field filled, the status one a provider may send (unknown
	// ones become failed: TestResultFromProtoStatuses).
	full := fill[model.ActionResult](t)
	full.Status = model.StatusSkipped
	for name, in := range map[string]model.ActionResult{"zero": {Status: model.StatusSucceeded}, "full": full} {
		ev := wire(t, ResultToProto(in))
		r, ok := ev.Event.(*pb.ApplyEvent_Result)
		if !ok {
			t.Fatalf("%s: ResultToProto made a %T event", name, ev.Event)
		}
		same(t, "result "+name, in, ResultFromProto(r.Result))
	}
}

func TestProgressRoundTrip(t *testing.T) {
	for name, in := range map[string]Progress{"zero": {}, "full": fill[Progress](t)} {
		ev := wire(t, ProgressToProto(in))
		p, ok := ev.Event.(*pb.ApplyEvent_Progress)
		if !ok {
			t.Fatalf("%s: ProgressToProto made a %T event", name, ev.Event)
		}
		same(t, "progress "+name, in, ProgressFromProto(p.Progress))
	}
}

func TestCmdRoundTrip(t *testing.T) {
	for name, in := range map[string]Cmd{"zero": {}, "full": fill[Cmd](t)} {
		same(t, "cmd "+name, in, CmdFromProto(wire(t, CmdToProto(in))))
	}
}

func TestExecResultRoundTrip(t *testing.T) {
	for name, in := range map[string]Result{"zero": {}, "full": fill[Result](t)} {
		same(t, "exec result "+name, in, ExecResultFromProto(wire(t, ExecResultToProto(in))))
	}
}

func TestPinsRoundTrip(t *testing.T) {
	for name, in := range map[string][]Pin{"none": nil, "zero": {{}}, "full": fill[[]Pin](t)} {
		req := wire(t, &pb.ValidateConfigRequest{Pins: PinsToProto(in)})
		same(t, "pins "+name, in, PinsFromProto(req.Pins))
	}
}

func TestDiagnosticsRoundTrip(t *testing.T) {
	full := fill[[]Diagnostic](t)
	full[0].Severity, full[1].Severity = SeverityWarning, SeverityError // what the wire carries
	for name, in := range map[string][]Diagnostic{"none": nil, "full": full} {
		resp := wire(t, &pb.ValidateConfigResponse{Diagnostics: DiagnosticsToProto(in)})
		same(t, "diagnostics "+name, in, DiagnosticsFromProto(resp.Diagnostics))
	}
}

// TestDiagnosticsSeverity: any severity but a warning is sent as an error,
// the zero one included.
func TestDiagnosticsSeverity(t *testing.T) {
	in := []Diagnostic{{}, {Severity: "fatal"}, {Severity: SeverityWarning}}
	got := DiagnosticsFromProto(DiagnosticsToProto(in))
	want := []Diagnostic{{Severity: SeverityError}, {Severity: SeverityError}, {Severity: SeverityWarning}}
	same(t, "diagnostic severities", want, got)
}

func TestChangesRoundTrip(t *testing.T) {
	for name, in := range map[string][]model.Change{"none": nil, "zero": {{}}, "full": fill[[]model.Change](t)} {
		req := wire(t, &pb.ApplyRequest{Expected: ChangesToProto(in)})
		same(t, "expected changes "+name, in, ChangesFromProto(req.Expected))
		resp := wire(t, &pb.ResolveResponse{Changes: ChangesToProto(in)})
		same(t, "resolved changes "+name, in, ChangesFromProto(resp.Changes))
	}
}
