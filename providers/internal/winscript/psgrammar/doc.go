// Package psgrammar parse-checks PowerShell with a real PowerShell grammar,
// tree-sitter-powershell (github.com/airbus-cert/tree-sitter-powershell),
// through tree-sitter's Go bindings (github.com/tree-sitter/go-tree-sitter).
// No PowerShell runs here (it is not in Debian and needs .NET), so this is
// how a syntax error in an embedded script fails CI rather than a Windows
// host.
//
// The grammar's generated C sources are not in the repository: `make
// script-grammar` fetches the npm package tree-sitter-powershell at a
// pinned version and checksum (the Go module proxy does not serve the
// grammar) into bin/tree-sitter-powershell, and the code and its test build
// only with the tag pwshgrammar, as `make test` runs them:
//
//	make script-grammar
//	go test -tags pwshgrammar ./providers/internal/winscript/psgrammar
package psgrammar
