package agent

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// machineFacts are the facts the agent's hello carries (agentwire.Hello's
// Facts): what tells an unmanaged machine apart. Facts it cannot read are
// left out.
func machineFacts() map[string]string {
	facts := map[string]string{"arch": runtime.GOARCH}
	if h, err := os.Hostname(); err == nil && h != "" {
		facts["hostname"] = h
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		if k := strings.TrimSpace(string(b)); k != "" {
			facts["kernel"] = k
		}
	}
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		b, err = os.ReadFile("/usr/lib/os-release")
	}
	if err == nil {
		rel := osRelease(b)
		if v := rel["ID"]; v != "" {
			facts["os"] = v
		}
		if v := rel["VERSION_ID"]; v != "" {
			facts["release"] = v
		}
	}
	return facts
}

// osRelease reads os-release(5) assignments: KEY=value, the value
// optionally in double or single quotes; comments and other lines are
// skipped.
func osRelease(b []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			} else {
				v = v[1 : len(v)-1]
			}
		} else if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	return out
}
