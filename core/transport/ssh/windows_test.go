package ssh

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// parseWindowsCommandLine splits a command line as CommandLineToArgvW and
// the Microsoft C runtime do, after "Parsing C command-line arguments"
// (learn.microsoft.com/cpp/c-language/parsing-c-command-line-arguments):
// the program name ends at the next quote when it starts with one, else
// at a blank, with backslashes literal; each later argument ends at a
// blank outside quotes; 2n backslashes before a quote are n backslashes
// and the quote opens or closes quoting, 2n+1 are n backslashes and a
// literal quote; backslashes not before a quote are literal; "" inside
// quotes is a literal quote.
func parseWindowsCommandLine(line string) []string {
	r := []rune(line)
	i := 0
	var prog []rune
	if i < len(r) && r[i] == '"' {
		for i++; i < len(r) && r[i] != '"'; i++ {
			prog = append(prog, r[i])
		}
		i++
	} else {
		for ; i < len(r) && r[i] != ' ' && r[i] != '\t'; i++ {
			prog = append(prog, r[i])
		}
	}
	argv := []string{string(prog)}
	for {
		for i < len(r) && (r[i] == ' ' || r[i] == '\t') {
			i++
		}
		if i >= len(r) {
			return argv
		}
		var arg []rune
		quoted := false
		for i < len(r) {
			if !quoted && (r[i] == ' ' || r[i] == '\t') {
				break
			}
			n := 0
			for i < len(r) && r[i] == '\\' {
				n++
				i++
			}
			if i < len(r) && r[i] == '"' {
				arg = append(arg, []rune(strings.Repeat(`\`, n/2))...)
				switch {
				case n%2 == 1:
					arg = append(arg, '"')
				case quoted && i+1 < len(r) && r[i+1] == '"':
					arg = append(arg, '"')
					i++
				default:
					quoted = !quoted
				}
				i++
				continue
			}
			arg = append(arg, []rune(strings.Repeat(`\`, n))...)
			if i < len(r) && (quoted || (r[i] != ' ' && r[i] != '\t')) {
				arg = append(arg, r[i])
				i++
			}
		}
		argv = append(argv, string(arg))
	}
}

// TestParseWindowsCommandLine checks the test's parser against the table
// of Microsoft's "Parsing C command-line arguments".
func TestParseWindowsCommandLine(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{`prog "abc" d e`, []string{"prog", "abc", "d", "e"}},
		{`prog a\\b d"e f"g h`, []string{"prog", `a\\b`, "de fg", "h"}},
		{`prog a\\\"b c d`, []string{"prog", `a\"b`, "c", "d"}},
		{`prog a\\\\"b c" d e`, []string{"prog", `a\\b c`, "d", "e"}},
		{`prog a"b"" c d`, []string{"prog", `ab" c d`}},
		{`"C:\Program Files\x\" a`, []string{`C:\Program Files\x\`, "a"}},
	} {
		if got := parseWindowsCommandLine(c.line); !slices.Equal(got, c.want) {
			t.Errorf("parse(%s) = %q, want %q", c.line, got, c.want)
		}
	}
}

var errCmdOperator = errors.New("unescaped cmd.exe operator")

// parseCmd does what cmd.exe /c does with a command line before starting
// the program (after "How does the Windows Command Interpreter parse
// scripts?", the phases cmd.exe is documented by): phase 1 replaces
// %NAME% with the value of a defined variable and leaves an undefined one
// as it is; phase 2 toggles quoting at each quote, and outside quotes
// drops a ^ and keeps the next character literally, while an unescaped &,
// |, <, >, ( or ) would be an operator (an error here: tend's strings never
// chain, redirect or group). Delayed expansion (!NAME!) is off, as by
// default. It returns the command line cmd.exe passes to CreateProcess.
func parseCmd(line string, vars map[string]string) (string, error) {
	if strings.ContainsAny(line, "\r\n") {
		return "", errors.New("line break ends the command")
	}
	var expanded strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '%' {
			expanded.WriteByte(line[i])
			i++
			continue
		}
		end := strings.IndexByte(line[i+1:], '%')
		if end >= 0 {
			if v, ok := vars[strings.ToUpper(line[i+1:i+1+end])]; ok {
				expanded.WriteString(v)
				i += end + 2
				continue
			}
		}
		expanded.WriteByte('%')
		i++
	}
	r := []rune(expanded.String())
	var out []rune
	quoted := false
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '"':
			quoted = !quoted
		case quoted:
		case r[i] == '^':
			i++
			if i == len(r) {
				return string(out), nil
			}
		case strings.ContainsRune("&|<>()", r[i]):
			return "", fmt.Errorf("%w %q at %d in %s", errCmdOperator, r[i], i, expanded.String())
		}
		out = append(out, r[i])
	}
	return string(out), nil
}

var cmdVars = map[string]string{"PATH": `C:\Windows`, "VAR": "expanded", "A": "x", "USERPROFILE": `C:\Users\tend`}

var psTemplate = regexp.MustCompile(`^\$ErrorActionPreference='Stop';try\{\$s=New-Object System\.Diagnostics\.ProcessStartInfo;\$s\.UseShellExecute=\$false` +
	`;\$s\.FileName=\[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)` +
	`;\$s\.Arguments=\[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)` +
	`((?:;\$s\.EnvironmentVariables\['[A-Za-z_][A-Za-z0-9_]*'\]=\[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('[A-Za-z0-9+/=]*'\)\))*)` +
	`;\$p=\[System\.Diagnostics\.Process\]::Start\(\$s\)\}catch\{\[Console\]::Error\.WriteLine\(\$_\.Exception\.Message\);exit 127\};\$p\.WaitForExit\(\);exit \$p\.ExitCode$`)

var psEnv = regexp.MustCompile(`\['([A-Za-z_][A-Za-z0-9_]*)'\]=\[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)`)

// parsePowerShell reads back what the PowerShell statement starts: it
// must be exactly the template (the only PowerShell it holds is fixed
// text; every value is a base64 literal, which needs no quoting), and
// .NET starts FileName with the command line `"FileName" Arguments`.
func parsePowerShell(t *testing.T, s string) (argv, env []string) {
	t.Helper()
	m := psTemplate.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("not the PowerShell template: %s", s)
	}
	prog, args := unbase64(t, m[1]), unbase64(t, m[2])
	line := `"` + prog + `"`
	if args != "" {
		line += " " + args
	}
	for _, e := range psEnv.FindAllStringSubmatch(m[3], -1) {
		env = append(env, e[1]+"="+unbase64(t, e[2]))
	}
	return parseWindowsCommandLine(line), env
}

func unbase64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShellCommandLineExact: the strings a Windows host gets for the
// command line every Windows provider runs.
func TestShellCommandLineExact(t *testing.T) {
	argv := []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", "JABpAG4AcAB1AHQA"}
	got, err := shellCommandLine(ShellCmd, argv, nil, false)
	want := `^"powershell.exe^" -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand JABpAG4AcAB1AHQA`
	if err != nil || got != want {
		t.Errorf("cmd: %q, %v\nwant %q", got, err, want)
	}
	got, err = shellCommandLine(ShellCmd, []string{`C:\Program Files\x.exe`, `a "b" %PATH%`, `c\`, ""}, nil, false)
	want = `^"C:\Program Files\x.exe^" ^"a \^"b\^" ^%PATH^%^" c\ ^"^"`
	if err != nil || got != want {
		t.Errorf("cmd: %q, %v\nwant %q", got, err, want)
	}
	got, err = shellCommandLine(ShellPowerShell, []string{"winget.exe", "a b"}, []string{"K=v"}, false)
	want = "$ErrorActionPreference='Stop';try{$s=New-Object System.Diagnostics.ProcessStartInfo;$s.UseShellExecute=$false" +
		";$s.FileName=[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('" + base64.StdEncoding.EncodeToString([]byte("winget.exe")) + "'))" +
		";$s.Arguments=[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('" + base64.StdEncoding.EncodeToString([]byte(`"a b"`)) + "'))" +
		";$s.EnvironmentVariables['K']=[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('dg=='))" +
		";$p=[System.Diagnostics.Process]::Start($s)}catch{[Console]::Error.WriteLine($_.Exception.Message);exit 127};$p.WaitForExit();exit $p.ExitCode"
	if err != nil || got != want {
		t.Errorf("powershell: %q, %v\nwant %q", got, err, want)
	}
}

// hostileArgv makes argv from pieces cmd.exe, PowerShell and the C
// runtime give a meaning: quotes, backslashes (also before quotes and at
// the end), %VAR%, ^, &, |, redirections, blanks, PowerShell's quotes and
// sigils, and non-ASCII text.
func hostileArgv(rng *rand.Rand) []string {
	pieces := []string{`"`, `\`, `\\`, `\"`, `%`, `%PATH%`, `%VAR%`, `%A`, `^`, `^^`, `&`, `&&`, `|`, `||`, `<`, `>`, `>>`, `(`, `)`, `!`, `!PATH!`,
		" ", "\t", "  ", `'`, "\u2018", "\u2019", "$", "$env:PATH", "`", ";", "@", "a", "b c", "-EncodedCommand", "é", "€", "日本", "😀", "=", ","}
	argv := []string{[]string{"powershell.exe", `C:\Program Files\tend\x.exe`, "winget", "ü.exe"}[rng.Intn(4)]}
	for n := rng.Intn(6); n > 0; n-- {
		var b strings.Builder
		for k := rng.Intn(6); k > 0; k-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		argv = append(argv, b.String())
	}
	return argv
}

// TestShellCommandLineRoundTrip: for hostile argv, the string a cmd or
// PowerShell host gets, parsed by that shell's rules and then by
// CommandLineToArgvW's, gives back exactly argv (and env).
func TestShellCommandLineRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	for i := 0; i < 5000; i++ {
		argv := hostileArgv(rng)
		line, err := shellCommandLine(ShellCmd, argv, nil, false)
		if err != nil {
			t.Fatalf("cmd %q: %v", argv, err)
		}
		passed, err := parseCmd(line, cmdVars)
		if err != nil {
			t.Fatalf("cmd %q: %s: %v", argv, line, err)
		}
		if got := parseWindowsCommandLine(passed); !slices.Equal(got, argv) {
			t.Fatalf("cmd: %q\nbecame %s\nparsed %q", argv, line, got)
		}

		env := []string{"K=" + strings.Join(argv[1:], " "), "DEBIAN_FRONTEND=noninteractive"}
		line, err = shellCommandLine(ShellPowerShell, argv, env, false)
		if err != nil {
			t.Fatalf("powershell %q: %v", argv, err)
		}
		got, gotEnv := parsePowerShell(t, line)
		if !slices.Equal(got, argv) || !slices.Equal(gotEnv, env) {
			t.Fatalf("powershell: %q %q\nbecame %s\nparsed %q %q", argv, env, line, got, gotEnv)
		}
	}
}

// TestShellCommandLineRefused: what a Windows shell cannot carry exactly
// is an error, never a string that means something else.
func TestShellCommandLineRefused(t *testing.T) {
	long := strings.Repeat("A", MaxCmdLine)
	for _, c := range []struct {
		shell Shell
		argv  []string
		env   []string
		want  string
	}{
		{ShellCmd, []string{"x.exe", "a\nb"}, nil, "line break"},
		{ShellCmd, []string{"x.exe", "a\rb"}, nil, "line break"},
		{ShellCmd, []string{"x.exe"}, []string{"K=v"}, "environment entries cannot be passed"},
		{ShellCmd, []string{"x.exe", long}, nil, "longer than cmd.exe's limit of 8191"},
		{ShellCmd, []string{"x.exe", "a\x00b"}, nil, "NUL"},
		{ShellPowerShell, []string{"x.exe", "a\x00b"}, nil, "NUL"},
		{ShellPowerShell, []string{`x".exe`}, nil, "double quote"},
		{ShellPowerShell, []string{"x.exe", "\xff"}, nil, "not valid UTF-8"},
		{ShellPowerShell, []string{"x.exe"}, []string{"K-1=v"}, "invalid environment entry"},
		{ShellPowerShell, []string{"x.exe", strings.Repeat("A", MaxWindowsCommandLine)}, nil, "longer than Windows' limit"},
		{ShellPowerShell, nil, nil, "empty command"},
	} {
		_, err := shellCommandLine(c.shell, c.argv, c.env, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q %q: err = %v, want %q", c.shell, c.argv, c.env, err, c.want)
		}
	}
	// A line break is fine for PowerShell: it travels in base64.
	line, err := shellCommandLine(ShellPowerShell, []string{"x.exe", "a\nb"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := parsePowerShell(t, line); !slices.Equal(got, []string{"x.exe", "a\nb"}) {
		t.Errorf("parsed %q", got)
	}
}

func TestNewShell(t *testing.T) {
	if _, err := New(Options{Address: "h", User: "u", KnownHostsFile: "/dev/null", IdentityFile: "", Shell: "fish"}); err == nil || !strings.Contains(err.Error(), `unknown shell "fish"`) {
		t.Errorf("shell fish: %v", err)
	}
	if _, err := New(Options{Address: "h", User: "u", KnownHostsFile: "/dev/null", Shell: ShellCmd, Sudo: true}); err == nil || !strings.Contains(err.Error(), "sudo needs a posix shell") {
		t.Errorf("sudo with cmd: %v", err)
	}
}
