package winscript

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Run runs s on the target through r with params on stdin and decodes its
// one JSON document into out. It fails with a *ScriptError when the script
// reports an error (a COM error, say), an *OutputError when stdout is not
// exactly one JSON object or the exit code is not 0, and a wrapped runner
// error when the command could not run or did not finish within timeout.
func Run(ctx context.Context, r sdk.Runner, s Script, params any, timeout time.Duration, out any) error {
	cmd, err := Command(s, params, timeout)
	if err != nil {
		return err
	}
	res, err := r.Run(ctx, cmd)
	if err != nil {
		return runError(ctx, s, timeout, err)
	}
	return Decode(s, res, out)
}

// runError says why a script did not run to the end.
func runError(ctx context.Context, s Script, timeout time.Duration, err error) error {
	// Over the plugin boundary the runner's error arrives as text, so a
	// timeout is recognised by its message there.
	timedOut := errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), context.DeadlineExceeded.Error())
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", s.Name, err)
	case timedOut && timeout > 0:
		return fmt.Errorf("%s did not finish within %s (stopped): %w", s.Name, timeout, err)
	default:
		return fmt.Errorf("running %s: %w", s.Name, err)
	}
}

// Decode checks what a script run produced and decodes its document into
// out. It is Run without the running, for replayed results.
func Decode(s Script, res sdk.Result, out any) error {
	doc, derr := document(res.Stdout)
	if derr == nil {
		var failed struct {
			Error *ScriptError `json:"error"`
		}
		if err := json.Unmarshal(doc, &failed); err == nil && failed.Error != nil {
			failed.Error.Script = s.Name
			failed.Error.names = s.Names
			failed.Error.ExitCode = res.ExitCode
			failed.Error.Stderr = excerpt(res.Stderr)
			if failed.Error.Line > preludeLines {
				failed.Error.Line -= preludeLines
			} else if failed.Error.Line > 0 {
				failed.Error.InPrelude = true
			}
			return failed.Error
		}
	}
	if res.ExitCode != 0 {
		return &OutputError{Script: s.Name, ExitCode: res.ExitCode,
			Problem: fmt.Sprintf("exit status %d", res.ExitCode), Stdout: excerpt(res.Stdout), Stderr: excerpt(res.Stderr)}
	}
	if derr == nil {
		derr = json.Unmarshal(doc, out)
	}
	if derr != nil {
		return &OutputError{Script: s.Name, Problem: derr.Error(), Stdout: excerpt(res.Stdout), Stderr: excerpt(res.Stderr), Err: derr}
	}
	return nil
}

// document returns the one JSON object in stdout (a UTF-8 byte order mark
// and surrounding white space allowed), or says why there is not one.
func document(stdout []byte) (json.RawMessage, error) {
	b := bytes.TrimPrefix(stdout, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("no output where one JSON object was expected")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var doc json.RawMessage
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated JSON: %w", err)
		}
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if doc[0] != '{' {
		return nil, fmt.Errorf("a JSON %s where one JSON object was expected", kind(doc[0]))
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object (at byte %d)", end)
	}
	return doc, nil
}

// kind names the JSON value that starts with c.
func kind(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
