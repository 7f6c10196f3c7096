package ssh

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Shell names the remote's default shell: the program sshd hands the
// command string of an exec request to. OpenSSH on Windows runs
// `cmd.exe /c "<string>"` by default, or `powershell.exe -c <string>` when
// the DefaultShell registry value names PowerShell.
type Shell string

// The shells a host's sshd may hand commands to.
const (
	// ShellPOSIX is sh -c (every Unix sshd): argv is single-quoted.
	ShellPOSIX Shell = "posix"
	// ShellCmd is cmd.exe /c, the default of OpenSSH on Windows: argv is
	// quoted for CommandLineToArgvW, then every cmd.exe metacharacter is
	// escaped with ^.
	ShellCmd Shell = "cmd"
	// ShellPowerShell is powershell.exe -c (OpenSSH on Windows with
	// DefaultShell set to powershell.exe or pwsh.exe): the command string
	// is a fixed PowerShell statement that starts argv through
	// System.Diagnostics.ProcessStartInfo, with the program, its command
	// line and the environment as base64 literals.
	ShellPowerShell Shell = "powershell"
)

// shellCommandLine builds the command string for argv and env that the
// remote shell sh parses back into exactly argv.
func shellCommandLine(sh Shell, argv, env []string, sudo bool) (string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return "", fmt.Errorf("empty command")
	}
	switch sh {
	case ShellCmd:
		return cmdLine(argv, env)
	case ShellPowerShell:
		return powershellLine(argv, env)
	}
	return commandLine(argv, env, sudo)
}

// ParseShell returns the shell named s; empty is ShellPOSIX.
func ParseShell(s string) (Shell, error) {
	switch Shell(s) {
	case "", ShellPOSIX:
		return ShellPOSIX, nil
	case ShellCmd, ShellPowerShell:
		return Shell(s), nil
	}
	return "", fmt.Errorf("unknown shell %q: want %q, %q or %q", s, ShellPOSIX, ShellCmd, ShellPowerShell)
}

// MaxCmdLine is the longest command line cmd.exe accepts, in UTF-16 code
// units (learn.microsoft.com, "Command prompt (Cmd.exe) command-line
// string limitation": 8191 characters).
const MaxCmdLine = 8191

// MaxWindowsCommandLine is the longest command line CreateProcess accepts,
// in UTF-16 code units (32767, the lpCommandLine limit).
const MaxWindowsCommandLine = 32767

// windowsCommandLine joins argv into a Windows command line that
// CommandLineToArgvW (and the Microsoft C runtime) splits back into
// exactly argv. argv[0] is parsed by the program-name rule (a quoted
// token ends at the next quote; backslashes are literal), so it is always
// quoted and may not contain a quote.
func windowsCommandLine(argv []string) (string, error) {
	if err := checkWindowsArgv(argv); err != nil {
		return "", err
	}
	line := `"` + argv[0] + `"`
	if args := windowsArguments(argv[1:]); args != "" {
		line += " " + args
	}
	return line, nil
}

// checkWindowsArgv refuses what no Windows command line can carry: NUL,
// invalid UTF-8, a quote in the program name.
func checkWindowsArgv(argv []string) error {
	for _, a := range argv {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("argument %q contains NUL, which a Windows command line cannot carry", a)
		}
		if !utf8.ValidString(a) {
			return fmt.Errorf("argument %q is not valid UTF-8", a)
		}
	}
	if strings.Contains(argv[0], `"`) {
		return fmt.Errorf("program %q contains a double quote, which a Windows program name cannot carry", argv[0])
	}
	return nil
}

// windowsArguments joins args, each quoted by quoteWindowsArg, with
// spaces.
func windowsArguments(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		quoteWindowsArg(&b, a)
	}
	return b.String()
}

// quoteWindowsArg writes a as one argument for CommandLineToArgvW: as is
// when it is non-empty and holds no blank or quote; otherwise in quotes,
// with each quote preceded by a backslash and the backslashes before a
// quote (or the closing quote) doubled — the rules of "Parsing C
// command-line arguments" (learn.microsoft.com/cpp/c-language/
// parsing-c-command-line-arguments).
func quoteWindowsArg(b *strings.Builder, a string) {
	if a != "" && !strings.ContainsAny(a, " \t\n\v\"") {
		b.WriteString(a)
		return
	}
	b.WriteByte('"')
	backslashes := 0
	for _, r := range a {
		switch r {
		case '\\':
			backslashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*backslashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, backslashes))
		}
		backslashes = 0
		b.WriteRune(r)
	}
	b.WriteString(strings.Repeat(`\`, 2*backslashes))
	b.WriteByte('"')
}

// cmdMeta are the characters cmd.exe gives a meaning on a command line:
// its operators, quotes (which turn escaping off), % and ! (variable
// expansion) and ^ itself.
const cmdMeta = "()%!^\"<>&|"

// cmdLine builds the string for a host whose shell is cmd.exe: the
// Windows command line of argv with ^ before every cmd.exe metacharacter,
// so cmd.exe runs it with nothing expanded, redirected or chained, and
// hands the program exactly the command line CommandLineToArgvW splits
// into argv (the method of "Everyone quotes command line arguments the
// wrong way", Microsoft's Windows blog, 2011). A %NAME% pair reaches the
// program unexpanded unless a variable whose name ends in ^ is defined.
//
// cmd.exe ends a command at a line break, so no argument may hold one;
// environment entries cannot be set safely and are refused.
func cmdLine(argv, env []string) (string, error) {
	if len(env) > 0 {
		return "", fmt.Errorf("environment entries cannot be passed to a host whose shell is cmd; use shell = \"powershell\"")
	}
	for _, a := range argv {
		if strings.ContainsAny(a, "\r\n") {
			return "", fmt.Errorf("argument %q contains a line break, which cmd.exe cannot pass on; use shell = \"powershell\"", a)
		}
	}
	line, err := windowsCommandLine(argv)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range line {
		if strings.ContainsRune(cmdMeta, r) {
			b.WriteByte('^')
		}
		b.WriteRune(r)
	}
	if n := utf16Len(b.String()); n > MaxCmdLine {
		return "", fmt.Errorf("command line of %d characters is longer than cmd.exe's limit of %d; use shell = \"powershell\"", n, MaxCmdLine)
	}
	return b.String(), nil
}

// powershellLine builds the string for a host whose shell is PowerShell:
// one statement that starts argv[0] with the Windows command line of
// argv[1:] and the env entries, with the standard handles inherited, waits
// and exits with its exit code (127 when it cannot be started). Every
// value travels as a base64 literal (UTF-8), so PowerShell parses nothing
// of argv or env.
func powershellLine(argv, env []string) (string, error) {
	line, err := windowsCommandLine(argv)
	if err != nil {
		return "", err
	}
	if n := utf16Len(line); n > MaxWindowsCommandLine {
		return "", fmt.Errorf("command line of %d characters is longer than Windows' limit of %d", n, MaxWindowsCommandLine)
	}
	var b strings.Builder
	b.WriteString("$ErrorActionPreference='Stop';try{$s=New-Object System.Diagnostics.ProcessStartInfo;$s.UseShellExecute=$false")
	b.WriteString(";$s.FileName=" + psDecode(argv[0]))
	b.WriteString(";$s.Arguments=" + psDecode(windowsArguments(argv[1:])))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !envKey.MatchString(k) {
			return "", fmt.Errorf("invalid environment entry %q: want KEY=value with KEY matching [A-Za-z_][A-Za-z0-9_]*", kv)
		}
		b.WriteString(";$s.EnvironmentVariables['" + k + "']=" + psDecode(v))
	}
	b.WriteString(";$p=[System.Diagnostics.Process]::Start($s)}catch{[Console]::Error.WriteLine($_.Exception.Message);exit 127};$p.WaitForExit();exit $p.ExitCode")
	return b.String(), nil
}

// psDecode is a PowerShell expression whose value is s: s as UTF-8 in a
// base64 literal, which holds no character PowerShell gives a meaning.
func psDecode(s string) string {
	return "[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('" + base64.StdEncoding.EncodeToString([]byte(s)) + "'))"
}

// utf16Len is the length of s in UTF-16 code units, the unit of Windows'
// command line limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
