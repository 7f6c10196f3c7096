// Package conformance is tend's conformance kit for providers: a provider
// author runs it from their own go test, against their provider binary,
// with the commands the provider runs answered from recorded fixtures.
//
//	func TestConformance(t *testing.T) {
//		root := t.TempDir() // where the provider's files would be
//		conformance.Run(t, conformance.TestCase{
//			Binary:       conformance.BuildBinary(t, "."),
//			Name:         "textpkg",
//			Config:       map[string]any{"state": root + "/state", "catalog": root + "/catalog"},
//			Fixtures:     "testdata/conformance",
//			Placeholders: map[string]string{"ROOT": root},
//			Record:       conformance.RecordLocally(), // nil unless TEND_CONFORMANCE_RECORD=1
//			Pins:         []string{"openssl"},
//			Apply: []conformance.ApplyStep{{
//				Name:    "upgrade",
//				Actions: []sdk.Action{{ID: "h/textpkg/openssl", Type: "upgrade", Package: "openssl", From: "3.0.1", To: "3.1.0"}},
//				Want:    map[string]string{"h/textpkg/openssl": sdk.StatusSucceeded},
//			}},
//		})
//	}
//
// Run launches the binary through tend's own loader (go-plugin handshake,
// gRPC, checksum), so what passes here is what tend runs. See Run for the
// checks.
//
// # Fixtures
//
// A Recorder runs commands through a real Runner and writes one JSON file
// per distinct command (argv, stdin, env) with every result it got, in
// order; a Replayer answers from those files, the n-th run of a command
// getting the n-th result (the last repeating). Text stays text; bytes
// that are not UTF-8 are stored as base64. Values that change from run to
// run, such as temporary directories, are stored as ${NAME} placeholders
// (TestCase.Placeholders), so fixtures recorded once replay anywhere.
//
// To record, set TestCase.Record. RecordLocally returns tend's local
// runner when TEND_CONFORMANCE_RECORD=1, so
//
//	TEND_CONFORMANCE_RECORD=1 go test -run TestConformance .
//
// records and a plain go test replays. Recording applies the steps for
// real: record on a machine you can afford to change. A provider for
// another kind of host (Windows Update, winget) records its fixtures by
// running its test once on such a host (tend's local runner works there
// too), and is then tested anywhere from them.
package conformance
