package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// The table's place in -doc: everything between the two markers is
// replaced.
const (
	beginMarker = "<!-- tend-bench:begin -->"
	endMarker   = "<!-- tend-bench:end -->"
)

func writeTable(rowsFile, doc string, stdout io.Writer) error {
	f, err := os.Open(rowsFile)
	if err != nil {
		return err
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", rowsFile, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	table := render(rows)
	if doc == "" {
		_, err := io.WriteString(stdout, table)
		return err
	}
	data, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	s := string(data)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s … %s section to replace", doc, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + table + s[j:]
	return os.WriteFile(doc, []byte(s), 0o644)
}

// render is the Markdown table of rows, with the machine it ran on.
func render(rows []row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nMeasured on %s (%d cores, %s), %s.\n\n", cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version())
	b.WriteString("| work | tend CPU | tend wall | tend peak RSS | baseline | baseline CPU | baseline wall | baseline peak RSS | CPU ratio | goal | rounds |\n")
	b.WriteString("|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.Ideal > 0 { // no baseline command: the ratio is of wall times
			fmt.Fprintf(&b, "| %s | %.2f s | %.2f s | %s | %s | — | %.2f s | — | **%.2f** (wall) | %s | %d |\n",
				r.Name, r.Tend.CPU, r.Tend.Wall, mb(r.Tend.RSS), r.Baseline, r.Ideal, r.Ratio, r.Goal, r.Rounds)
			continue
		}
		fmt.Fprintf(&b, "| %s | %.2f s | %.2f s | %s | `%s` | %.2f s | %.2f s | %s | **%.2f** | %s | %d |\n",
			r.Name, r.Tend.CPU, r.Tend.Wall, mb(r.Tend.RSS), r.Baseline, r.Base.CPU, r.Base.Wall, mb(r.Base.RSS), r.Ratio, r.Goal, r.Rounds)
	}
	b.WriteString("\n")
	return b.String()
}

func mb(n int64) string { return fmt.Sprintf("%d MB", n/1e6) }

// cpuModel is the first "model name" of /proc/cpuinfo, or the
// architecture.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}

// memTotal is the machine's memory from /proc/meminfo, or "memory
// unknown".
func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				return fmt.Sprintf("%.1f GB RAM", float64(kb)/1e6*1.024)
			}
		}
	}
	return "memory unknown"
}
