package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Constraint is a conjunction of version comparisons such as ">= 0.1.0, < 2.0.0".
type Constraint []comparison

type comparison struct {
	op      string
	version [3]int
}

// ParseConstraint parses comma-separated comparisons with the operators
// =, !=, >, >=, <, <= and ~> (pessimistic: "~> 1.2" means >= 1.2, < 2.0).
func ParseConstraint(s string) (Constraint, error) {
	var c Constraint
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("empty comparison in %q", s)
		}
		op := "="
		for _, o := range []string{">=", "<=", "!=", "~>", ">", "<", "="} {
			if strings.HasPrefix(part, o) {
				op = o
				part = strings.TrimSpace(part[len(o):])
				break
			}
		}
		v, n, err := parseVersion(part)
		if err != nil {
			return nil, err
		}
		if op == "~>" {
			// ~> 1.2 → >= 1.2.0, < 2.0.0; ~> 1.2.3 → >= 1.2.3, < 1.3.0
			var upper [3]int
			if n <= 2 {
				upper = [3]int{v[0] + 1, 0, 0}
			} else {
				upper = [3]int{v[0], v[1] + 1, 0}
			}
			c = append(c, comparison{">=", v}, comparison{"<", upper})
			continue
		}
		c = append(c, comparison{op, v})
	}
	return c, nil
}

// Check reports whether version (e.g. "0.1.0" or "v0.1.0") satisfies c.
func (c Constraint) Check(version string) bool {
	v, _, err := parseVersion(version)
	if err != nil {
		return false
	}
	for _, cmp := range c {
		r := compareVersions(v, cmp.version)
		ok := map[string]bool{
			"=": r == 0, "!=": r != 0, ">": r > 0, ">=": r >= 0, "<": r < 0, "<=": r <= 0,
		}[cmp.op]
		if !ok {
			return false
		}
	}
	return true
}

func parseVersion(s string) ([3]int, int, error) {
	var v [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return v, 0, fmt.Errorf("%q is not a version like 1.2.3", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, 0, fmt.Errorf("%q is not a version like 1.2.3", s)
		}
		v[i] = n
	}
	return v, len(parts), nil
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
