//go:build pwshgrammar

// The tree-sitter-powershell parser, from the sources `make script-grammar`
// unpacks into bin/tree-sitter-powershell/src (see doc.go).
#include "parser.c"
#include "scanner.c"
