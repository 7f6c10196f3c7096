package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/tend-sh/tend/plugins/sdk"
)

// A fixture is one JSON file in the fixtures directory: one distinct command
// (argv, stdin, env) and, in order, what each run of it returned.
//
//	{
//	  "argv": ["cat", "${ROOT}/state"],
//	  "results": [
//	    {"stdout": "openssl 3.0.1\n", "exit_code": 0},
//	    {"stdout": "openssl 3.1.0\n", "exit_code": 0}
//	  ]
//	}
//
// stdin, stdout and stderr are stored as text when they are valid UTF-8
// ("stdin", "stdout", "stderr") and as base64 otherwise ("stdin_base64", …);
// empty ones are left out. A run the Runner could not carry out is stored
// as {"error": "message"}. Values of TestCase.Placeholders appear as
// ${NAME}. The file name is the program's base name and the first 16 hex
// digits of the command's key: sha256 of the canonical JSON of argv, stdin
// and env after placeholder substitution (a command's Timeout is not part
// of it). Replay recomputes keys from the contents, so files may be renamed.
type fixture struct {
	Argv        []string        `json:"argv"`
	Stdin       string          `json:"stdin,omitempty"`
	StdinBase64 []byte          `json:"stdin_base64,omitempty"`
	Env         []string        `json:"env,omitempty"`
	Results     []fixtureResult `json:"results"`
}

type fixtureResult struct {
	Stdout       string `json:"stdout,omitempty"`
	StdoutBase64 []byte `json:"stdout_base64,omitempty"`
	Stderr       string `json:"stderr,omitempty"`
	StderrBase64 []byte `json:"stderr_base64,omitempty"`
	ExitCode     int    `json:"exit_code"`
	Error        string `json:"error,omitempty"`
}

// command is a Cmd as fixtures key it: after placeholder substitution,
// without its timeout.
type command struct {
	Argv  []string `json:"argv"`
	Stdin []byte   `json:"stdin"`
	Env   []string `json:"env"`
}

// key is the hex sha256 of the command's canonical JSON.
func (c command) key() string {
	norm := command{Argv: c.Argv, Stdin: c.Stdin, Env: c.Env}
	if norm.Argv == nil {
		norm.Argv = []string{}
	}
	if norm.Stdin == nil {
		norm.Stdin = []byte{}
	}
	if norm.Env == nil {
		norm.Env = []string{}
	}
	data, _ := json.Marshal(norm) // strings and bytes only: cannot fail
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func (c command) String() string {
	s := fmt.Sprintf("%q", c.Argv)
	if len(c.Stdin) > 0 {
		s += fmt.Sprintf(" with %d bytes on stdin", len(c.Stdin))
	}
	if len(c.Env) > 0 {
		s += fmt.Sprintf(" with env %q", c.Env)
	}
	return s
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName names the fixture file of a command.
func (c command) fileName() string {
	prog := "cmd"
	if len(c.Argv) > 0 {
		if p := unsafeChars.ReplaceAllString(filepath.Base(c.Argv[0]), "_"); p != "" && p != "." {
			prog = p
		}
	}
	return prog + "-" + c.key()[:16] + ".json"
}

func (f *fixture) command() command {
	stdin := []byte(f.Stdin)
	if f.StdinBase64 != nil {
		stdin = f.StdinBase64
	}
	return command{Argv: f.Argv, Stdin: stdin, Env: f.Env}
}

func newFixture(c command) *fixture {
	f := &fixture{Argv: c.Argv, Env: c.Env}
	f.Stdin, f.StdinBase64 = encodeBytes(c.Stdin)
	return f
}

func encodeBytes(b []byte) (string, []byte) {
	if utf8.Valid(b) {
		return string(b), nil
	}
	return "", b
}

func decodeBytes(s string, b []byte) []byte {
	if b != nil {
		return b
	}
	if s == "" {
		return nil
	}
	return []byte(s)
}

func newFixtureResult(res sdk.Result, err error) fixtureResult {
	if err != nil {
		return fixtureResult{Error: err.Error()}
	}
	var r fixtureResult
	r.Stdout, r.StdoutBase64 = encodeBytes(res.Stdout)
	r.Stderr, r.StderrBase64 = encodeBytes(res.Stderr)
	r.ExitCode = res.ExitCode
	return r
}

// result turns a recorded result back into what a Runner returns.
func (r fixtureResult) result() (sdk.Result, error) {
	if r.Error != "" {
		return sdk.Result{}, errors.New(r.Error)
	}
	return sdk.Result{
		Stdout:   decodeBytes(r.Stdout, r.StdoutBase64),
		Stderr:   decodeBytes(r.Stderr, r.StderrBase64),
		ExitCode: r.ExitCode,
	}, nil
}

// writeFixture writes f into dir atomically, indented for reading in review.
func writeFixture(dir string, f *fixture) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, f.command().fileName())
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readFixtures loads every *.json file in dir, keyed by command.
func readFixtures(dir string) (map[string]*fixture, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errors.New("no fixtures (*.json) in the directory")
	}
	sort.Strings(paths)
	out := map[string]*fixture{}
	seen := map[string]string{}
	for _, p := range paths {
		f, err := readFixture(p)
		if err != nil {
			return nil, err
		}
		k := f.command().key()
		if prev, dup := seen[k]; dup {
			return nil, fmt.Errorf("fixtures %s and %s record the same command", prev, p)
		}
		seen[k] = p
		out[k] = f
	}
	return out, nil
}

// readFixture reads one fixture file, strictly.
func readFixture(path string) (*fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f fixture
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	if len(f.Argv) == 0 || len(f.Results) == 0 {
		return nil, fmt.Errorf("fixture %s: needs argv and at least one result", path)
	}
	return &f, nil
}

// placeholders replaces values that differ between runs (temp dirs) with
// ${NAME} in recorded commands and outputs, and back on replay.
type placeholders struct {
	names  []string // longest value first, so a value inside another is replaced last
	values map[string]string
}

var placeholderName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func newPlaceholders(m map[string]string) (placeholders, error) {
	p := placeholders{values: map[string]string{}}
	for name, v := range m {
		if !placeholderName.MatchString(name) {
			return p, fmt.Errorf("placeholder name %q: use letters, digits and _", name)
		}
		if v == "" {
			return p, fmt.Errorf("placeholder %s has an empty value", name)
		}
		p.names = append(p.names, name)
		p.values[name] = v
	}
	sort.Slice(p.names, func(i, j int) bool {
		a, b := p.values[p.names[i]], p.values[p.names[j]]
		if len(a) != len(b) {
			return len(a) > len(b)
		}
		return p.names[i] < p.names[j]
	})
	return p, nil
}

// hide replaces each placeholder's value with ${NAME}.
func (p placeholders) hide(b []byte) []byte {
	for _, n := range p.names {
		b = bytes.ReplaceAll(b, []byte(p.values[n]), []byte("${"+n+"}"))
	}
	return b
}

// show replaces each ${NAME} with the placeholder's value.
func (p placeholders) show(b []byte) []byte {
	for _, n := range p.names {
		b = bytes.ReplaceAll(b, []byte("${"+n+"}"), []byte(p.values[n]))
	}
	return b
}

func (p placeholders) hideString(s string) string { return string(p.hide([]byte(s))) }

func (p placeholders) hideAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p.hideString(s)
	}
	return out
}

// command returns c as fixtures record it.
func (p placeholders) command(c sdk.Cmd) command {
	var stdin []byte
	if c.Stdin != nil {
		stdin = p.hide(bytes.Clone(c.Stdin))
	}
	return command{Argv: p.hideAll(c.Argv), Stdin: stdin, Env: p.hideAll(c.Env)}
}

// hideResult prepares a result for recording.
func (p placeholders) hideResult(res sdk.Result, err error) (sdk.Result, error) {
	if err != nil {
		return res, errors.New(p.hideString(err.Error()))
	}
	return sdk.Result{Stdout: p.hide(res.Stdout), Stderr: p.hide(res.Stderr), ExitCode: res.ExitCode}, nil
}

// showResult puts the values back into a replayed result.
func (p placeholders) showResult(res sdk.Result, err error) (sdk.Result, error) {
	if err != nil {
		return res, errors.New(string(p.show([]byte(err.Error()))))
	}
	return sdk.Result{Stdout: p.show(res.Stdout), Stderr: p.show(res.Stderr), ExitCode: res.ExitCode}, nil
}

// removeFixtures deletes the fixture files in dir (before recording anew).
// A *.json file that is not a fixture is left alone, and is an error: the
// fixtures need a directory of their own.
func removeFixtures(dir string) error {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		if _, err := readFixture(p); err != nil {
			return fmt.Errorf("%w; not removing it: give the fixtures a directory of their own", err)
		}
	}
	for _, p := range paths {
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
