//go:build pwshgrammar

package psgrammar

/*
#cgo CFLAGS: -std=c11 -O1 -w -I${SRCDIR}/../../../../bin/tree-sitter-powershell/src
#include <tree_sitter/parser.h>
const TSLanguage *tree_sitter_powershell(void);
*/
import "C"

import (
	"fmt"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// SyntaxError is one place the grammar could not parse: Line and Column
// count from 1; Missing means the parser expected a token (a closing brace,
// say) that is not there.
type SyntaxError struct {
	Line, Column int
	Missing      bool
	Kind         string
}

func (e SyntaxError) String() string {
	if e.Missing {
		return fmt.Sprintf("%d:%d: missing %s", e.Line, e.Column, e.Kind)
	}
	return fmt.Sprintf("%d:%d: syntax error", e.Line, e.Column)
}

// Check parses src as PowerShell and returns where it does not parse, in
// source order; none means it parses.
func Check(src []byte) ([]SyntaxError, error) {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(sitter.NewLanguage(unsafe.Pointer(C.tree_sitter_powershell()))); err != nil {
		return nil, fmt.Errorf("loading the PowerShell grammar: %w", err)
	}
	tree := p.Parse(src, nil)
	if tree == nil {
		return nil, fmt.Errorf("the PowerShell parser returned no tree")
	}
	defer tree.Close()
	var errs []SyntaxError
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		if !n.HasError() {
			return
		}
		if n.IsError() || n.IsMissing() {
			pos := n.StartPosition()
			errs = append(errs, SyntaxError{Line: int(pos.Row) + 1, Column: int(pos.Column) + 1, Missing: n.IsMissing(), Kind: n.Kind()})
			if n.IsMissing() {
				return
			}
		}
		for i := range n.ChildCount() {
			walk(n.Child(i))
		}
	}
	walk(tree.RootNode())
	return errs, nil
}
