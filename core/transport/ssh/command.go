package ssh

import (
	"fmt"
	"regexp"
	"strings"
)

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// commandLine turns argv and env into the single command string that the
// remote login shell parses. Every word is single-quoted, so nothing in
// argv or env is ever interpreted by that shell.
func commandLine(argv, env []string, sudo bool) (string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return "", fmt.Errorf("empty command")
	}
	var words []string
	if sudo {
		// -n: never prompt; a needed password is an error, not a hang.
		words = append(words, "sudo", "-n", "--")
	}
	if len(env) > 0 {
		if strings.Contains(argv[0], "=") {
			return "", fmt.Errorf("command %q contains '=' and cannot follow env assignments", argv[0])
		}
		words = append(words, "env")
		for _, kv := range env {
			k, _, ok := strings.Cut(kv, "=")
			if !ok || !envKey.MatchString(k) {
				return "", fmt.Errorf("invalid environment entry %q: want KEY=value with KEY matching [A-Za-z_][A-Za-z0-9_]*", kv)
			}
			words = append(words, kv)
		}
	}
	words = append(words, argv...)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quote(w)
	}
	return strings.Join(quoted, " "), nil
}

// quote single-quotes s for a POSIX shell: it's → 'it'"'"'s'.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
