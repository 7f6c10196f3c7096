package config

import (
	"strings"
	"testing"
)

// TestNestingScanAccepts: what looks deep only to a naive scan (brackets in
// strings, comments and heredocs, escaped interpolations) is not counted.
func TestNestingScanAccepts(t *testing.T) {
	deep := strings.Repeat("[", 200)
	for name, src := range map[string]string{
		"string":         `a = "` + deep + `"`,
		"escaped quote":  `a = "\"` + deep + `"`,
		"escaped interp": `a = "$${` + deep + `"`,
		"line comments":  "# " + deep + "\n// " + deep + "\na = 1\n",
		"block comment":  "/* " + deep + "\n" + deep + " */ a = 1\n",
		"heredoc":        "a = <<EOT\n" + deep + "\n  EOT is not the end\nEOT\nb = [1]\n",
		"indented":       "a = <<-EOT\n  " + deep + "\n  EOT\n",
		"interp":         `a = "${x}` + deep + `${y}"`,
		"wide":           "a = [" + strings.Repeat("[1, 2], ", 10_000) + "]\n",
		"many lines":     strings.Repeat("a = !x\n", 10_000),
		"many blocks":    strings.Repeat("b {\n  c {\n    d = [host.x, group.y]\n  }\n}\n", 1_000),
		"object":         "a = {\n" + strings.Repeat("  k = x.y\n", 1000) + "}\n",
		"format":         "a = {\n  format = 1\n" + strings.Repeat("  k = !x\n", 100) + "}\n",
		"full":           strings.Repeat("{", MaxNestingDepth) + strings.Repeat("}", MaxNestingDepth),
	} {
		if off, ok := nestingWithin([]byte(src), MaxNestingDepth); !ok {
			t.Errorf("%s: rejected at byte %d", name, off)
		}
	}
}

// TestNestingScanRejects: what the parser would recurse into, however it is
// disguised.
func TestNestingScanRejects(t *testing.T) {
	n := MaxNestingDepth + 1
	for name, src := range map[string]string{
		"brackets":      "a = " + strings.Repeat("[", n),
		"parens":        "a = " + strings.Repeat("(", n) + "1",
		"braces":        strings.Repeat("b {\n", n),
		"objects":       "a = " + strings.Repeat("{a = ", n),
		"minus":         "a = " + strings.Repeat("-", n) + "1",
		"ternary":       "a = " + strings.Repeat("x ? 1 : ", n) + "2",
		"binary across": "a = (1" + strings.Repeat("\n+ 1", n) + ")",
		"attributes":    "a = x" + strings.Repeat(".y", n),
		"index":         "a = x" + strings.Repeat("[0]", n),
		"interp":        "a = " + strings.Repeat(`"${`, n),
		"heredoc":       "a = <<EOT\n" + strings.Repeat("${[", n) + "\nEOT\n",
		"directives":    `a = "` + strings.Repeat("%{if x}", n) + `"`,
		"after string":  `a = "[" ` + strings.Repeat("[", n),
		"mismatched":    "a = " + strings.Repeat("[)", n),
		"open comment":  "a = /*\nb = " + strings.Repeat("[", n),
		"object for":    "a = {for x in y : x => 1" + strings.Repeat("\n+ 1", n) + "}",
		"for comment":   "a = { # c\n for x in y : x => 1" + strings.Repeat("\n+ 1", n) + "}",
		"closed interp": `a = "${` + strings.Repeat("[", n/2) + `}"` + strings.Repeat("[", n/2+1),
	} {
		if _, ok := nestingWithin([]byte(src), MaxNestingDepth); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func nestingWithin(src []byte, max int) (int, bool) {
	off, problem := nestingProblem(src, max)
	return off, problem == ""
}

// TestNestingScanIsLinear: unterminated comments, where a naive scan
// searches to the end of the file at every one, are scanned once (a
// quadratic scan of this input would not finish within the test timeout).
func TestNestingScanIsLinear(t *testing.T) {
	src := []byte(strings.Repeat("/*\n", MaxFileSize/3))
	if off, ok := nestingWithin(src, MaxNestingDepth); !ok {
		t.Errorf("rejected at %d", off)
	}
	src = []byte("a = 1\n" + strings.Repeat("/* ", MaxFileSize/3))
	if off, ok := nestingWithin(src, MaxNestingDepth); ok || off > 200 {
		t.Errorf("accepted, or rejected late (at %d)", off)
	}
}

// TestNestingPosition: the diagnostic points at the bracket that is one too
// deep, line and column as HCL counts them.
func TestNestingPosition(t *testing.T) {
	src := []byte("# é\nhost \"é\" {\n  labels = " + strings.Repeat("[", 100) + "\n}\n")
	diags := checkNesting("f.tend.hcl", src)
	if len(diags) != 1 {
		t.Fatalf("diagnostics = %v", diags)
	}
	// The host block is level 1, so the 64th bracket is level 65.
	if r := diags[0].Subject; r.Start.Line != 3 || r.Start.Column != 12+63 || src[r.Start.Byte] != '[' {
		t.Errorf("subject = %+v", r)
	}
}
