package sdk

import (
	"fmt"
	"slices"
	"strings"
)

// DiffChanges compares the transaction a plan showed (expected) with the
// one the package manager resolves now (actual), package by package, and
// describes each difference: a package added to the transaction, one no
// longer in it, or one whose kind or versions changed. RequiredBy is not
// compared: it explains a change but does not alter what is installed.
// Empty means the transactions are the same.
func DiffChanges(expected, actual []Change) []string {
	exp, act := changesByPackage(expected), changesByPackage(actual)
	var out []string
	for _, name := range sortedUnion(exp, act) {
		e, inExp := exp[name]
		a, inAct := act[name]
		switch {
		case !inExp:
			out = append(out, fmt.Sprintf("%s: %s is not in the plan", name, DescribeChange(a)))
		case !inAct:
			out = append(out, fmt.Sprintf("%s: %s in the plan is no longer in the transaction", name, DescribeChange(e)))
		case e.Kind != a.Kind || e.From != a.From || e.To != a.To:
			out = append(out, fmt.Sprintf("%s: %s in the plan, %s now", name, DescribeChange(e), DescribeChange(a)))
		}
	}
	return out
}

// TransactionChangedError is the message a Resolver fails every action
// with when the transaction differs from ApplyRequest.Expected.
func TransactionChangedError(diff []string) string {
	return "the transaction differs from the plan, so nothing was changed (plan again to review it): " + strings.Join(diff, "; ")
}

// DescribeChange says what c does in a few words: "upgrade 1.0 → 2.0",
// "install 1.0", "remove 1.0".
func DescribeChange(c Change) string {
	switch {
	case c.From == "":
		return c.Kind + " " + c.To
	case c.To == "":
		return c.Kind + " " + c.From
	}
	return fmt.Sprintf("%s %s → %s", c.Kind, c.From, c.To)
}

func changesByPackage(changes []Change) map[string]Change {
	out := make(map[string]Change, len(changes))
	for _, c := range changes {
		out[c.Package] = c
	}
	return out
}

func sortedUnion(a, b map[string]Change) []string {
	names := make([]string, 0, len(a)+len(b))
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}
