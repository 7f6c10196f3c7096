package winscript

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
)

// runnerFunc answers commands with a function.
type runnerFunc func(sdk.Cmd) (sdk.Result, error)

func (f runnerFunc) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) { return f(c) }

var testScript = Script{Name: "test/scan.ps1", Source: "# a comment\n    $x = 1\nWrite-TendResult @{ x = $x }\n",
	Names: map[HResult]string{0x80240022: "WU_E_ALL_UPDATES_FAILED"}}

func TestCommand(t *testing.T) {
	cmd, err := Command(testScript, map[string]any{"b": true, "a": "x"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"}
	if diff := cmp.Diff(want, cmd.Argv[:len(want)]); diff != "" {
		t.Errorf("argv (-want +got):\n%s", diff)
	}
	if len(cmd.Argv) != len(want)+1 {
		t.Fatalf("argv has %d elements, want %d", len(cmd.Argv), len(want)+1)
	}
	text, err := DecodeCommand(cmd.Argv[len(want)])
	if err != nil {
		t.Fatal(err)
	}
	if text != testScript.Text() {
		t.Errorf("decoded script differs from Text():\n%s", text)
	}
	if !strings.HasSuffix(text, "\n$x = 1\nWrite-TendResult @{ x = $x }\n") {
		t.Errorf("script not compacted as expected (comment emptied, indentation dropped):\n%q", text)
	}
	if got := strings.Count(text, "\n"); got != preludeLines+3 {
		t.Errorf("%d lines, want the prelude's %d and the script's 3", got, preludeLines)
	}
	if string(cmd.Stdin) != `{"a":"x","b":true}` {
		t.Errorf("stdin = %s", cmd.Stdin)
	}
	if cmd.Timeout != time.Minute {
		t.Errorf("timeout = %s", cmd.Timeout)
	}
	if _, err := Command(testScript, []string{"x"}, 0); err == nil {
		t.Error("a parameter array was accepted")
	}
}

func TestEncodeCommand(t *testing.T) {
	// powershell.exe's own example: "dir 'c:\program files' " encodes as
	// below ([Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))).
	if got := EncodeCommand("dir 'c:\\program files' "); got != "ZABpAHIAIAAnAGMAOgBcAHAAcgBvAGcAcgBhAG0AIABmAGkAbABlAHMAJwAgAA==" {
		t.Errorf("EncodeCommand = %s", got)
	}
	for _, s := range []string{"", "Update für Windows – KB5044281 😀"} {
		back, err := DecodeCommand(EncodeCommand(s))
		if err != nil || back != s {
			t.Errorf("round trip of %q: %q, %v", s, back, err)
		}
	}
	if _, err := DecodeCommand("QQ=="); err == nil {
		t.Error("an odd number of bytes decoded")
	}
}

func TestRun(t *testing.T) {
	type doc struct {
		X int `json:"x"`
	}
	tests := []struct {
		name    string
		res     sdk.Result
		err     error
		want    doc
		wantErr string
	}{
		{name: "ok", res: sdk.Result{Stdout: []byte(`{"x": 1}` + "\r\n")}, want: doc{X: 1}},
		{name: "bom", res: sdk.Result{Stdout: []byte("\xef\xbb\xbf{\"x\":2}")}, want: doc{X: 2}},
		{name: "empty", res: sdk.Result{Stderr: []byte("warning")}, wantErr: `test/scan.ps1: no output where one JSON object was expected; stderr: "warning"`},
		{name: "not json", res: sdk.Result{Stdout: []byte("Exception calling \"Search\"")}, wantErr: `test/scan.ps1: not JSON: invalid character 'E' looking for beginning of value; stdout: "Exception calling \"Search\""`},
		{name: "truncated", res: sdk.Result{Stdout: []byte(`{"x": 1, "updates": [{"title": "2024-10 Cumu`)}, wantErr: `test/scan.ps1: truncated JSON: unexpected EOF; stdout:`},
		{name: "trailing", res: sdk.Result{Stdout: []byte(`{"x": 1}{"x": 2}`)}, wantErr: `test/scan.ps1: data after the JSON object (at byte 8)`},
		{name: "trailing text", res: sdk.Result{Stdout: []byte(`{"x": 1} done`)}, wantErr: `test/scan.ps1: data after the JSON object (at byte 8)`},
		{name: "array", res: sdk.Result{Stdout: []byte(`[{"x": 1}]`)}, wantErr: `test/scan.ps1: a JSON array where one JSON object was expected`},
		{name: "wrong type", res: sdk.Result{Stdout: []byte(`{"x": "one"}`)}, wantErr: `test/scan.ps1: json: cannot unmarshal string into Go struct field doc.x of type int`},
		{name: "exit", res: sdk.Result{ExitCode: 3, Stdout: []byte("partial"), Stderr: []byte("powershell.exe: not found")},
			wantErr: `test/scan.ps1: exit status 3; stdout: "partial"; stderr: "powershell.exe: not found"`},
		{name: "exit with document", res: sdk.Result{ExitCode: 1, Stdout: []byte(`{"x": 1}`)}, wantErr: `test/scan.ps1: exit status 1; stdout: "{\"x\": 1}"`},
		{name: "com error", res: sdk.Result{ExitCode: 1, Stdout: []byte(
			`{"error":{"message":"Exception from HRESULT: 0x80240022","type":"System.Runtime.InteropServices.COMException","hresult":-2145124318,"line":` +
				itoa(preludeLines+2) + `}}`)},
			wantErr: `test/scan.ps1:2: Exception from HRESULT: 0x80240022 (HRESULT 0x80240022 WU_E_ALL_UPDATES_FAILED) [System.Runtime.InteropServices.COMException]`},
		{name: "prelude error", res: sdk.Result{ExitCode: 1, Stdout: []byte(`{"error":{"message":"Invalid JSON primitive: x.","type":"System.ArgumentException","hresult":2147942487,"line":3}}`)},
			wantErr: `test/scan.ps1 (prelude line 3): Invalid JSON primitive: x. (HRESULT 0x80070057 E_INVALIDARG) [System.ArgumentException]`},
		{name: "error, exit 0", res: sdk.Result{Stdout: []byte(`{"error":{"message":"Access is denied.","hresult":-2147024891}}`)},
			wantErr: `test/scan.ps1: Access is denied. (HRESULT 0x80070005 E_ACCESSDENIED)`},
		{name: "timeout", err: context.DeadlineExceeded, wantErr: `test/scan.ps1 did not finish within 1m0s (stopped): context deadline exceeded`},
		{name: "timeout over grpc", err: errors.New("rpc error: code = Unavailable desc = powershell.exe: context deadline exceeded"),
			wantErr: `test/scan.ps1 did not finish within 1m0s (stopped)`},
		{name: "lost", err: errors.New("connection reset"), wantErr: `running test/scan.ps1: connection reset`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runnerFunc(func(sdk.Cmd) (sdk.Result, error) { return tt.res, tt.err })
			var got doc
			err := Run(context.Background(), r, testScript, struct{}{}, time.Minute, &got)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to start with %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScriptErrorFields(t *testing.T) {
	r := runnerFunc(func(sdk.Cmd) (sdk.Result, error) {
		return sdk.Result{ExitCode: 1, Stderr: []byte("boom"), Stdout: []byte(`{"error":{"message":"m","hresult":-2145107924}}`)}, nil
	})
	err := Run(context.Background(), r, testScript, struct{}{}, 0, &struct{}{})
	var se *ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *ScriptError", err)
	}
	if se.HResult.Hex() != "0x8024402C" || se.ExitCode != 1 || se.Stderr != "boom" {
		t.Errorf("got %+v", se)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 1000)
	got := excerpt([]byte(long))
	if len(got) > excerptMax+40 || !strings.Contains(got, "… (1600 bytes) …") {
		t.Errorf("excerpt of 2000 bytes: %d bytes: %q", len(got), got)
	}
	if excerpt([]byte("  short\n")) != "short" {
		t.Error("a short output is not kept whole")
	}
}

func TestHResultJSON(t *testing.T) {
	for in, want := range map[string]string{"-2145124318": "0x80240022", "2149842978": "0x80240022", "0": "0x00000000"} {
		var h HResult
		if err := h.UnmarshalJSON([]byte(in)); err != nil || h.Hex() != want {
			t.Errorf("%s: %s, %v", in, h.Hex(), err)
		}
	}
	if b, err := HResult(0x80240022).MarshalJSON(); err != nil || string(b) != "-2145124318" {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
	for _, in := range []string{"4294967296", "-2147483649", `"0x80240022"`} {
		var h HResult
		if err := h.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
