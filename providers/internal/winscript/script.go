package winscript

import (
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Program is the program every script runs under: Windows PowerShell 5.1,
// which every supported Windows has (PowerShell 7's pwsh.exe may not be
// installed).
const Program = "powershell.exe"

// Flags are the arguments before -EncodedCommand: no profile (a user's
// profile must not change what a scan sees), no prompts, and no execution
// policy in the way (an encoded command is not a script file, but a
// machine policy of AllSigned still applies to the modules it loads).
var Flags = []string{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"}

//go:embed prelude.ps1
var prelude string

// preludeLines is how many lines the prelude adds before a script, so a
// line number the script reports can be told in the script's own terms.
var preludeLines = strings.Count(prelude, "\n")

// Script is one embedded PowerShell script: Name says which file it is
// ("windowsupdate/scan.ps1") in errors, Source is its text, and Names
// names the HRESULTs of its domain (WU_E_…) in the errors it reports,
// beyond the generic COM ones.
type Script struct {
	Name   string
	Source string
	Names  map[HResult]string
}

// Text returns the script as it runs: the prelude and the script, each
// line without its indentation and comment lines left empty (so line
// numbers stay those of the files). The scripts use no here-strings, whose
// lines this would change; the grammar test parses this form.
func (s Script) Text() string {
	return compact(prelude) + compact(s.Source)
}

// compact drops indentation and empties comment lines: the encoded command
// must fit on a Windows command line (32,767 characters), and every
// character costs about 2.7 there.
func compact(src string) string {
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") {
			l = ""
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Command returns the command that runs s on the target with params (any
// value encoding/json encodes to an object) on stdin.
func Command(s Script, params any, timeout time.Duration) (sdk.Cmd, error) {
	stdin, err := json.Marshal(params)
	if err != nil {
		return sdk.Cmd{}, fmt.Errorf("%s: encoding the parameters: %w", s.Name, err)
	}
	if len(stdin) == 0 || stdin[0] != '{' {
		return sdk.Cmd{}, fmt.Errorf("%s: the parameters must be a JSON object, not %.40s", s.Name, stdin)
	}
	argv := append([]string{Program}, Flags...)
	argv = append(argv, EncodeCommand(s.Text()))
	return sdk.Cmd{Argv: argv, Stdin: stdin, Timeout: timeout}, nil
}

// EncodeCommand returns script as powershell.exe -EncodedCommand takes it:
// base64 of its UTF-16LE encoding.
func EncodeCommand(script string) string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeCommand is EncodeCommand's inverse, for stand-ins and tests that
// check what would run.
func DecodeCommand(encoded string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("-EncodedCommand: %w", err)
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("-EncodedCommand: %d bytes is not UTF-16", len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), nil
}
