package protoconv

import (
	"strings"
	"time"

	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// Cmd is one command to run on the target host (sdk.Cmd). There is no
// shell: Argv[0] is the program and the rest are its arguments, passed as
// they are.
type Cmd struct {
	Argv    []string
	Stdin   []byte
	Env     []string      // extra "KEY=value" entries on top of the host's environment
	Timeout time.Duration // 0: no timeout beyond the context's
}

// String renders the command for logs and errors.
func (c Cmd) String() string { return strings.Join(c.Argv, " ") }

// Result is what a finished command produced (sdk.Result). A command that
// ran and exited non-zero is a Result with that ExitCode, not an error.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// CmdToProto returns c as an Exec request; the timeout travels in whole
// milliseconds.
func CmdToProto(c Cmd) *pb.ExecRequest {
	return &pb.ExecRequest{Argv: c.Argv, Stdin: c.Stdin, Env: c.Env, TimeoutMs: c.Timeout.Milliseconds()}
}

// CmdFromProto returns the command an Exec request asks for.
func CmdFromProto(in *pb.ExecRequest) Cmd {
	return Cmd{Argv: in.Argv, Stdin: in.Stdin, Env: in.Env, Timeout: time.Duration(in.TimeoutMs) * time.Millisecond}
}

// ExecResultToProto returns r as an Exec response.
func ExecResultToProto(r Result) *pb.ExecResponse {
	return &pb.ExecResponse{Stdout: r.Stdout, Stderr: r.Stderr, ExitCode: int32(r.ExitCode)}
}

// ExecResultFromProto returns the result an Exec response holds.
func ExecResultFromProto(in *pb.ExecResponse) Result {
	return Result{Stdout: in.Stdout, Stderr: in.Stderr, ExitCode: int(in.ExitCode)}
}
