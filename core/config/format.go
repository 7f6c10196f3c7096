package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL format. A file with syntax errors is
// not formatted; the diagnostics say why.
func Format(filename string, src []byte) ([]byte, hcl.Diagnostics) {
	if len(src) > MaxFileSize {
		return src, hcl.Diagnostics{fileDiag(filename, "Configuration file too large", tooLarge{int64(len(src)), MaxFileSize})}
	}
	if diags := checkNesting(filename, src); diags.HasErrors() {
		return src, diags
	}
	if _, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); diags.HasErrors() {
		return src, diags
	}
	return hclwrite.Format(src), nil
}
