package render

import (
	"bytes"
	"fmt"
	"testing"
)

func TestRejectedBannerGolden(t *testing.T) {
	many := make([]string, 12)
	for i := range many {
		many[i] = fmt.Sprintf("lab.tend.hcl:%d:3: error: Unsupported argument: An argument named `approve_all` is not expected here.", i+1)
	}
	tests := []struct {
		name string
		in   RejectedConfig
	}{
		{"banner_invalid", RejectedConfig{Head: "0badc0de0bad", Applied: "9f2c1ab0d4e5", State: "invalid",
			Problem: "configuration has 12 errors, not applied", Diagnostics: many}},
		{"banner_unverified_none_applied", RejectedConfig{Head: "0badc0de0bad", State: "unverified",
			Problem: "signature not trusted, not applied: commit 0badc0de0bad is not signed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RejectedBanner(&buf, tt.in); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}
